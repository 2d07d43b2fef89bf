import { describe, expect, it } from 'vitest';
import { studentKey, studentNamespace } from '../../common/compile/names';
import { sha256Hex } from '../../common/compile/sha256';
import { formatClash, nameClashes } from './name-clashes';
import { parseRoster } from './roster';

/**
 * Pairs a birthday search found (as the probe did, in seconds), with node:crypto over
 * ids `'a'.repeat(60) + i` in class `cls`, and over the separators between the letters a…l.
 */
const NAMESPACE_PAIR = [`${'a'.repeat(60)}32126`, `${'a'.repeat(60)}171078`] as const;
const LABEL_PAIR = ['a.b.c.d.e.f.g_.h.@i..j+k+.l', 'a.b.c.d.e.f_g._h__i_j.@k..l'] as const;

describe('name clashes', () => {
  it('finds nothing in an ordinary class of 10,000', () => {
    const students = Array.from({ length: 10_000 }, (_, i) => ({ id: `student-${String(i + 1).padStart(5, '0')}` }));
    expect(nameClashes('a-very-long-class-name-for-the-autumn-term', students)).toEqual([]);
  });

  it("refuses, by roster line, two ids whose namespaces' readable part is cut and whose 8 hex digits match", () => {
    // With the old 8 digits these two shared a namespace; 16 digits tell them apart...
    const [a, b] = NAMESPACE_PAIR;
    expect(sha256Hex(`cls\u0000${a}`).slice(0, 8)).toBe(sha256Hex(`cls\u0000${b}`).slice(0, 8));
    expect(studentNamespace('cls', a)).not.toBe(studentNamespace('cls', b));
    // ...and a pair that still shares one (here forced: 16 digits are out of a test's reach) is refused by line.
    const roster = parseRoster(`id,name\n${a},A\n${b},B\n`);
    expect(roster.ok).toBe(true);
    const students = roster.ok ? roster.students : [];
    expect(students.map((s) => s.line)).toEqual([2, 3]);
    const clash = { what: 'namespace' as const, value: studentNamespace('cls', a), students };
    expect(formatClash(clash)).toBe(`line 2 (id "${a}") and line 3 (id "${b}") would share namespace ${studentNamespace('cls', a)}; change one of the ids`);
  });

  it('finds ids that share a namespace or a student label value', () => {
    // Ids that sanitize alike (a-b-c-…-l) and whose 8-digit key hashes match share the label value.
    const pair = LABEL_PAIR;
    expect(studentKey(pair[0])).toBe(studentKey(pair[1]));
    const clashes = nameClashes('cls', [{ id: pair[0], line: 4 }, { id: 'bob', line: 5 }, { id: pair[1], line: 9 }]);
    expect(clashes.map((c) => [c.what, c.students.map((s) => s.line)])).toEqual([['student label', [4, 9]]]);
  });
});
