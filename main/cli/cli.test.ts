import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../common/lab/parse';
import { templateNames } from '../templates';
import { labCommands } from './commands/lab';
import { runCli } from './program';

const root = join(import.meta.dirname, '../..');
const example = (f: string) => join(root, 'resources/examples', f);

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [labCommands]);
  return { code, stdout, stderr };
}

describe('labforge validate', () => {
  it('accepts every example (exit 0)', async () => {
    for (const f of readdirSync(join(root, 'resources/examples'))) {
      const r = await cli('validate', example(f));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('valid lab');
    }
  });

  it('lists positioned errors and exits 1 for every malformed fixture, without a stack trace', async () => {
    const dir = join(root, 'test/fixtures/invalid');
    for (const f of readdirSync(dir)) {
      const r = await cli('validate', join(dir, f));
      expect(r.code, f).toBe(1);
      expect(r.stderr, f).toMatch(new RegExp(`${f}:\\d+:\\d+: `));
      expect(r.stderr, f).toMatch(/\d+ errors?\n$/);
      expect(r.stderr, f).not.toMatch(/\n\s+at .*\(/);
    }
  });

  it('reports a missing file as invalid input', async () => {
    const r = await cli('validate', '/nonexistent/lab.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\/nonexistent\/lab\.yaml: .*(ENOENT|does not exist)/);
  });
});

describe('labforge compile', () => {
  it('prints objects for 3 student namespaces', async () => {
    const r = await cli('compile', example('routing-lab.yaml'), '--students', '3');
    expect(r.code, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    const namespaces = docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name);
    expect(namespaces).toHaveLength(3);
    expect(new Set(docs.map((d) => d.metadata.namespace ?? d.metadata.name))).toEqual(new Set(namespaces));
    expect(docs.filter((d) => d.kind === 'RoleBinding')).toHaveLength(3);
  });

  it('writes one file per namespace with -o, for a roster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-compile-'));
    const roster = join(dir, 'roster.csv');
    writeFileSync(roster, 'id,name,email\nalice,Alice,alice@uni.edu\nbob,Bob,bob@uni.edu\n');
    const out = join(dir, 'out');
    const r = await cli('compile', example('web-db.yaml'), '--class', 'cs101', '--roster', roster, '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^cs101-alice-[0-9a-f]{8}\.yaml$/);
    expect(readFileSync(join(out, files[0]!), 'utf8')).toContain('labforge.dev/student: alice');
  });

  it('writes one file per student when long ids differ only past the readable part (a birthday pair of the old 8-digit hash)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-compile-'));
    const roster = join(dir, 'roster.csv');
    // The second pair shared one namespace under 8 hex digits (found by a birthday search).
    writeFileSync(roster, `id\nalice\nbob\n${'a'.repeat(60)}32126\n${'a'.repeat(60)}171078\n`);
    const out = join(dir, 'out');
    const r = await cli('compile', example('web-db.yaml'), '--class', 'cls', '--roster', roster, '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote 4 namespace files');
    expect(readdirSync(out)).toHaveLength(4);
  });

  it('refuses, by roster line, ids that would share a label value, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-compile-'));
    const roster = join(dir, 'roster.csv');
    // Both sanitize to a-b-…-l and their 8-digit key hashes match (found by a birthday search).
    writeFileSync(roster, 'id\nalice\na.b.c.d.e.f.g_.h.@i..j+k+.l\nbob\na.b.c.d.e.f_g._h__i_j.@k..l\n');
    const out = join(dir, 'out');
    const r = await cli('compile', example('web-db.yaml'), '--class', 'cls', '--roster', roster, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${roster}: line 3 (id "a.b.c.d.e.f.g_.h.@i..j+k+.l") and line 5 (id "a.b.c.d.e.f_g._h__i_j.@k..l") would share student label a-b-c-d-e-f-g-h-i-j-k-l-`);
    expect(() => readdirSync(out)).toThrow();
  });

  it('reports bad roster rows with line numbers (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-roster-'));
    const roster = join(dir, 'r.csv');
    writeFileSync(roster, 'id,name,email\nalice,A,a@b.c\nalice,B,b@b.c\n');
    const r = await cli('compile', example('web-db.yaml'), '--roster', roster);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${roster}:3: id "alice" repeats line 2`);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('compile')).code).toBe(2);
    expect((await cli('compile', example('web-db.yaml'), '--students', 'many')).code).toBe(2);
    expect((await cli('compile', example('web-db.yaml'), '--students', '2', '--student', 'x')).code).toBe(2);
    expect((await cli('nonsense')).code).toBe(2);
  });

  it('is byte-identical across runs', async () => {
    const a = await cli('compile', example('vm-lab.yaml'), '--class', 'c', '--students', '2', '--release', 'v1');
    const b = await cli('compile', example('vm-lab.yaml'), '--class', 'c', '--students', '2', '--release', 'v1');
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout.length).toBeGreaterThan(1000);
  });
});

describe('labforge create', () => {
  it('offers at least the promised types', () => {
    expect(templateNames()).toEqual(expect.arrayContaining(['webserver', 'database', 'desktop', 'vm', 'network-lab']));
  });

  for (const type of templateNames()) {
    it(`${type}: writes a valid lab that compiles`, async () => {
      const r = await cli('create', type, '--name', `my-${type}`);
      expect(r.code, r.stderr).toBe(0);
      const parsed = parseLab(r.stdout);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.lab.metadata.name).toBe(`my-${type}`);
    });
  }

  it('applies --cpu, --memory and --disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lf-create-'));
    const file = join(dir, 'vm.yaml');
    const r = await cli('create', 'vm', '--cpu', '2', '--memory', '4Gi', '--disk', '20Gi', '-o', file);
    expect(r.code, r.stderr).toBe(0);
    const lab = parseLab(readFileSync(file, 'utf8'));
    expect(lab.ok && lab.lab.nodes[0]!.resources).toEqual({ requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' }, disk: '20Gi' });
    expect((await cli('create', 'vm', '-o', file)).code).toBe(2);
  });

  it('rejects an unknown type and a bad quantity with exit 2', async () => {
    expect((await cli('create', 'mainframe')).code).toBe(2);
    expect((await cli('create', 'vm', '--memory', 'lots')).code).toBe(2);
  });
});

describe('labforge schema', () => {
  it('prints a JSON Schema generated from the lab schema', async () => {
    const r = await cli('schema');
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
    expect(schema.properties.nodes.items.properties.kind.enum).toEqual(['container', 'vm']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('--help', () => {
  it('exists for every command and exits 0', async () => {
    for (const c of ['validate', 'compile', 'create', 'schema']) {
      const r = await cli(c, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: labforge ${c}`);
    }
  });
});
