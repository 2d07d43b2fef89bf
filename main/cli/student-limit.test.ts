// One class-size limit for every front end: the CLI's --students, the roster parser and the
// app's publish request all take MAX_STUDENTS students and refuse one more.
import { describe, expect, it } from 'vitest';
import { MAX_STUDENTS } from '../../common/lab/limits';
import { parseRoster } from '../class/roster';
import { studentCountArg } from './args';
import { studentsSpec } from '../../common/api/cluster-schemas';

describe('the class-size limit', () => {
  it('is the same for --students, a roster and the API', () => {
    expect(studentCountArg(String(MAX_STUDENTS))).toBe(MAX_STUDENTS);
    expect(() => studentCountArg(String(MAX_STUDENTS + 1))).toThrow(`from 1 to ${MAX_STUDENTS}`);
    const roster = (n: number) => `id\n${Array.from({ length: n }, (_, i) => `s${i}`).join('\n')}\n`;
    expect(parseRoster(roster(MAX_STUDENTS)).ok).toBe(true);
    expect(parseRoster(roster(MAX_STUDENTS + 1)).ok).toBe(false);
    expect(studentsSpec.safeParse({ count: MAX_STUDENTS }).success).toBe(true);
    expect(studentsSpec.safeParse({ count: MAX_STUDENTS + 1 }).success).toBe(false);
    // A roster of MAX_STUDENTS students with long ids and keys fits the API's roster text.
    const big = `id,name,email\n${Array.from({ length: MAX_STUDENTS }, (_, i) => `${'s'.repeat(120)}${i},${'N'.repeat(200)},${'e'.repeat(200)}@example.edu`).join('\n')}\n`;
    expect(studentsSpec.safeParse({ roster: { text: big, fileName: 'r.csv' } }).success).toBe(true);
  });
});
