import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { migrate, type Migration } from './migrate';
import { formatIssue, formatPath, parseLab, validateLab } from './parse';
import { serializeLab } from './serialize';

const fixtures = join(import.meta.dirname, '../../test/fixtures/invalid');
const examples = join(import.meta.dirname, '../../resources/examples');

/**
 * Each malformed fixture states what must be reported: the YAML path, a part of the message
 * and the line:column (the file's own comment lines count).
 */
describe('malformed lab files', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).sort();

  it('are at least 25', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const file of files) {
    it(`${file}: reports a precise error`, () => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const path = /# expect-path: (.*)\n/.exec(text)?.[1];
      const message = /# expect-message: ?(.*)\n/.exec(text)?.[1];
      const at = /# expect-at: (\d+):(\d+)\n/.exec(text);
      expect(path, 'fixture header').toBeDefined();
      expect(at, 'fixture header').not.toBeNull();

      const r = parseLab(text);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      const hit = r.issues.find((i) => formatPath(i.path) === path);
      expect(hit, `issues: ${r.issues.map((i) => formatIssue(i)).join(' | ')}`).toBeDefined();
      expect(hit!.message).toContain(message);
      expect([hit!.line, hit!.column]).toEqual([Number(at![1]), Number(at![2])]);
      // Never a stack trace, always file:line:col: path: message.
      expect(formatIssue(hit!, file)).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
      expect(hit!.message).not.toMatch(/\n\s+at /);
    });
  }
});

describe('valid labs', () => {
  for (const file of readdirSync(examples)) {
    it(`${file} parses and round-trips through serializeLab`, () => {
      const r = parseLab(readFileSync(join(examples, file), 'utf8'));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const again = parseLab(serializeLab(r.lab));
      expect(again).toEqual({ ok: true, lab: r.lab });
    });
  }

  it('validateLab applies the same rules to in-memory labs', () => {
    const r = validateLab({ apiVersion: 'labforge.dev/v1alpha1', kind: 'Lab', metadata: { name: 'x' }, nodes: [{ name: 'a', kind: 'container', image: 'nginx', networks: ['nope'] }] });
    expect(r).toEqual({ ok: false, issues: [{ path: ['nodes', 0, 'networks', 0], message: expect.stringContaining('"nope" is not declared') }] });
  });
});

describe('migrations', () => {
  const toV1alpha1: Migration = {
    from: 'labforge.dev/v1alpha0',
    to: 'labforge.dev/v1alpha1',
    up: (doc) => {
      const { containers, ...rest } = doc as { containers?: unknown[] };
      return { ...rest, nodes: containers ?? [] };
    },
  };

  it('lifts an older document through the chain before decoding', () => {
    const text = 'apiVersion: labforge.dev/v1alpha0\nkind: Lab\nmetadata: { name: old }\ncontainers:\n  - { name: a, kind: container, image: nginx }\n';
    const r = parseLab(text, { migrations: [toV1alpha1] });
    expect(r.ok && r.lab.nodes.map((n) => n.name)).toEqual(['a']);
  });

  it('reports a version it cannot migrate', () => {
    expect(migrate({ apiVersion: 'labforge.dev/v9' }, [toV1alpha1])).toEqual({ ok: false, message: expect.stringContaining('unsupported apiVersion "labforge.dev/v9"') });
  });

  it('stops on a cyclic table', () => {
    const loop: Migration[] = [
      { from: 'a', to: 'b', up: (d) => d },
      { from: 'b', to: 'a', up: (d) => d },
    ];
    expect(migrate({ apiVersion: 'a' }, loop)).toEqual({ ok: false, message: 'the migration table has a cycle' });
  });
});

describe('a collection used as a key', () => {
  it('is a positioned error, and the yaml library prints no process warning for it', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const r = parseLab('apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: { name: x }\nnodes:\n  - name: a\n    kind: container\n    image: alpine\n    ? [x, y]\n    : 1\n');
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // At the node that holds it: the key is not a scalar to point at.
    expect(r.issues[0]).toMatchObject({ message: expect.stringContaining('unknown field'), line: 5 });
  });
});
