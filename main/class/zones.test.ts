import { describe, expect, it } from 'vitest';
import { exampleLab } from '../../test/helpers/examples';
import { assignZones, mirrorImage, parseZonesFile, zoneLab, type Zone } from './zones';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const tally = (a: Record<string, string>) => Object.values(a).reduce<Record<string, number>>((t, z) => ({ ...t, [z]: (t[z] ?? 0) + 1 }), {});

describe('zones file', () => {
  it('parses zones with their values', () => {
    const r = parseZonesFile('zones:\n  - name: a\n    context: ctx-a\n    capacity: 10\n    domain: a.labs.example\n  - name: b\n    kubeconfig: /k/b\n    weight: 2\n    storageClass: fast\n    imageMirror: mirror.b.example:5000/hub\n');
    expect(r.ok && r.zones.map((z) => z.name)).toEqual(['a', 'b']);
    // Where each zone's kubeconfig is said (the zone itself when it names none), for the check of it.
    expect(r.ok && r.at).toEqual([{ line: 2, column: 5 }, { line: 7, column: 17 }]);
  });
  it('gives positioned errors', () => {
    const cases: [string, number, number, RegExp][] = [
      ['zones:\n  - name: A\n', 2, 5, /DNS-1123/],
      ['zones:\n  - name: a\n    capcity: 3\n', 3, 5, /unknown field "capcity"/],
      ['zones:\n  - name: a\n  - name: a\n', 3, 5, /used twice/],
      ['zones:\n  - name: a\n    domain: "not a domain!"\n', 3, 5, /domain must be/],
      ['zones: []\n', 1, 1, /at least one/],
      ['zones:\n  - name: a\n    capacity: 0\n', 3, 5, /at least 1/],
      ['zones: [\n', 2, 1, /./],
      // An alias bomb is said at its first alias, not thrown without a position (issue 32).
      [`a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nzones: [{ name: a }]\n`, 2, 8, /too many aliases/],
      ['zones:\n  - name: a\n    capacity: *nothing\n', 3, 15, /alias \*nothing refers to no anchor/],
    ];
    for (const [text, line, column, message] of cases) {
      const r = parseZonesFile(text);
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect([r.issues[0]!.line, r.issues[0]!.column], text).toEqual([line, column]);
      expect(r.issues[0]!.message, text).toMatch(message);
    }
  });
});

describe('assigning students to zones', () => {
  const two: Zone[] = [{ name: 'a' }, { name: 'b' }];
  it('spreads by weight or capacity', () => {
    expect(tally(assignZones(ids(20), two))).toEqual({ a: 10, b: 10 });
    expect(tally(assignZones(ids(30), [{ name: 'a', weight: 2 }, { name: 'b', weight: 1 }]))).toEqual({ a: 20, b: 10 });
    expect(tally(assignZones(ids(12), [{ name: 'a', capacity: 3 }, { name: 'b', capacity: 9 }]))).toEqual({ a: 3, b: 9 });
    // A capacity is also a ceiling when the weight says otherwise.
    expect(tally(assignZones(ids(6), [{ name: 'a', weight: 1, capacity: 2 }, { name: 'b', weight: 1 }]))).toEqual({ a: 2, b: 4 });
  });
  it('keeps every placed student where they are on re-publish, and places newcomers', () => {
    const first = assignZones(ids(20), two);
    const again = assignZones(ids(20), two, first);
    expect(again).toEqual(first);
    const grown = assignZones([...ids(20), 'late-1', 'late-2'], two, first);
    for (const id of ids(20)) expect(grown[id]).toBe(first[id]);
    expect(tally(grown)).toEqual({ a: 11, b: 11 });
    // A removed zone's students move; the others stay.
    const shrunk = assignZones(ids(20), [{ name: 'a' }, { name: 'c' }], first);
    for (const id of ids(20)) if (first[id] === 'a') expect(shrunk[id]).toBe('a');
  });
  it('refuses a class larger than the zones hold', () => {
    expect(() => assignZones(ids(5), [{ name: 'a', capacity: 2 }, { name: 'b', capacity: 2 }])).toThrow(/5 students but the zones hold 4/);
  });
});

describe('per-zone lab', () => {
  it('pulls through the mirror and uses the storage class', () => {
    expect(mirrorImage('nginx:1.27', 'mirror.example:5000/hub')).toBe('mirror.example:5000/hub/library/nginx:1.27');
    expect(mirrorImage('grafana/grafana:11', 'm.example')).toBe('m.example/grafana/grafana:11');
    expect(mirrorImage('ghcr.io/org/app@sha256:' + 'a'.repeat(64), 'm.example/')).toBe('m.example/org/app@sha256:' + 'a'.repeat(64));
    expect(mirrorImage('localhost:5000/x', 'm.example')).toBe('m.example/x');
    const lab = zoneLab(exampleLab('web-db.yaml'), { name: 'z', imageMirror: 'm.example', storageClass: 'fast' });
    expect(lab.nodes.map((n) => n.image)).toEqual(['m.example/library/nginx:1.27', 'm.example/library/postgres:16']);
    expect(lab.volumes.map((v) => v.storageClass)).toEqual(['fast']);
  });
});
