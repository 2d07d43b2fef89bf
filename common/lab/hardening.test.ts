// Lab values that the API server, KubeVirt or the container runtime would refuse are refused by
// validation, with the field and its position; YAML-level attacks are refused before composing.
import { MAX_NODES } from './limits';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIssue, formatPath, parseLab, type LabIssue } from './parse';

type Doc = Record<string, unknown>;

function base(): Doc {
  return {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: 'demo' },
    nodes: [
      { name: 'web', kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], networks: ['lan'] },
      { name: 'vm1', kind: 'vm', image: 'quay.io/containerdisks/debian:12', networks: ['lan'] },
    ],
    networks: [{ name: 'lan' }],
    volumes: [{ name: 'data', size: '1Gi' }],
    exposures: [{ node: 'web', port: 80 }],
  };
}

const node = (doc: Doc, i = 0) => (doc['nodes'] as Doc[])[i]!;

function issuesOf(doc: Doc | string): LabIssue[] {
  const r = parseLab(typeof doc === 'string' ? doc : stringify(doc));
  return r.ok ? [] : r.issues;
}

function expectRefused(doc: Doc | string, path: string, fragment: string | RegExp): void {
  const issues = issuesOf(doc);
  const hit = issues.find((i) => formatPath(i.path) === path);
  expect(hit, `issues: ${issues.map((i) => formatIssue(i)).join(' | ') || 'none'}`).toBeDefined();
  expect(hit!.message).toMatch(fragment);
  expect(hit!.line).toBeGreaterThan(0);
  expect(hit!.column).toBeGreaterThan(0);
}

describe('the base lab', () => {
  it('is valid', () => {
    expect(issuesOf(base())).toEqual([]);
  });
});

describe('quantities are emitted as written, so only unambiguous, bounded ones pass', () => {
  it.each([
    [' 1Gi', /spaces/],
    ['1Gi ', /spaces/],
    ['1e21', /maximum of 1000/],
    ['+1', /not a valid quantity/],
    ['1.', /not a valid quantity/],
    ['0', /minimum of 1m/],
    ['0.0001', /minimum/],
    ['1'.repeat(30), /not a valid quantity/],
  ])('cpu %j', (cpu, message) => {
    const doc = base();
    node(doc).resources = { requests: { cpu } };
    expectRefused(doc, 'nodes[0].resources.requests.cpu', message);
  });

  it.each([['5Ei', /maximum of 4Ti/], ['100', /minimum of 1Mi/], ['1e30', /not a valid quantity|maximum/]])('memory %j', (memory, message) => {
    const doc = base();
    node(doc).resources = { limits: { memory } };
    expectRefused(doc, 'nodes[0].resources.limits.memory', message);
  });

  it('a container memory limit below what the runtime starts with', () => {
    const doc = base();
    node(doc).resources = { requests: { memory: '2Mi' }, limits: { memory: '4Mi' } };
    expectRefused(doc, 'nodes[0].resources.limits.memory', /below 6Mi/);
  });

  it('volume sizes have a range too', () => {
    const doc = base();
    (doc['volumes'] as Doc[])[0]!.size = '20Pi';
    expectRefused(doc, 'volumes[0].size', /maximum of 16Ti/);
  });

  it.each(['250m', '1.5', '2', '1e2', '0.5'])('accepts cpu %j', (cpu) => {
    const doc = base();
    node(doc).resources = { requests: { cpu }, limits: { cpu: '1000' } };
    expect(issuesOf(doc)).toEqual([]);
  });
});

describe('names the API server builds from lab names', () => {
  it('a node name that starts with a digit cannot name its Service', () => {
    const doc = base();
    node(doc).name = '1web';
    (doc['exposures'] as Doc[])[0]!.node = '1web';
    expectRefused(doc, 'nodes[0].name', /start with a letter/);
  });

  it('a container node with volumes has at most 52 characters (the StatefulSet revision label)', () => {
    const doc = base();
    const name = `w${'x'.repeat(52)}`;
    node(doc).name = name;
    node(doc).volumes = [{ volume: 'data', mountPath: '/data' }];
    (doc['exposures'] as Doc[])[0]!.node = name;
    expectRefused(doc, 'nodes[0].name', /at most 52/);
    node(doc).name = name.slice(0, 52);
    (doc['exposures'] as Doc[])[0]!.node = name.slice(0, 52);
    expect(issuesOf(doc)).toEqual([]);
  });

  it('a volume name leaves room for the pod volume prefix', () => {
    const doc = base();
    (doc['volumes'] as Doc[])[0]!.name = `v${'x'.repeat(59)}`;
    expectRefused(doc, 'volumes[0].name', /at most 59/);
  });
});

describe('ports', () => {
  it.each(['123', 'a--b', '-ab', 'Http', 'verylongportname16'])('refuses the port name %j', (name) => {
    const doc = base();
    node(doc).ports = [{ port: 80, name }];
    expectRefused(doc, 'nodes[0].ports[0].name', /port name/);
  });

  it('refuses a name that a generated port name already has', () => {
    const doc = base();
    node(doc).ports = [{ port: 80 }, { port: 81, name: 'tcp-80' }];
    expectRefused(doc, 'nodes[0].ports[1].name', /already used by ports\[0\]/);
  });

  it('refuses "vnc" on a desktop node', () => {
    const doc = base();
    node(doc).desktop = true;
    node(doc).ports = [{ port: 80, name: 'vnc' }];
    expectRefused(doc, 'nodes[0].desktop', /"vnc".*already used/);
  });

  it('refuses two ports with one name', () => {
    const doc = base();
    node(doc).ports = [{ port: 80, name: 'web' }, { port: 81, name: 'web' }];
    expectRefused(doc, 'nodes[0].ports[1].name', /already used/);
  });
});

describe('mount paths', () => {
  it('a file at a volume mount path', () => {
    const doc = base();
    node(doc).volumes = [{ volume: 'data', mountPath: '/srv/x' }];
    node(doc).files = [{ path: '/srv/x', content: 'x' }];
    expectRefused(doc, 'nodes[0].files[0].path', /already mounted by volumes\[0\]/);
  });

  it('a file where the setup script goes', () => {
    const doc = base();
    node(doc).files = [{ path: '/opt/labforge/setup.sh', content: 'x' }];
    node(doc).setup = 'echo hi';
    expectRefused(doc, 'nodes[0].setup', /already mounted by files\[0\]/);
  });

  it('two mounts of one path', () => {
    const doc = base();
    (doc['volumes'] as Doc[]).push({ name: 'more', size: '1Gi' });
    node(doc).volumes = [{ volume: 'data', mountPath: '/d' }, { volume: 'more', mountPath: '/d' }];
    expectRefused(doc, 'nodes[0].volumes[1].mountPath', /used twice|already mounted/);
  });

  it.each(['/data/', '/a//b', '/a/../b', '/./a', '/', 'relative', '/proc/x', '/with space', '/a\u0007b'])('refuses the mount path %j', (mountPath) => {
    const doc = base();
    node(doc).volumes = [{ volume: 'data', mountPath }];
    expectRefused(doc, 'nodes[0].volumes[0].mountPath', /mountPath must/);
  });

  it('refuses a path component longer than NAME_MAX', () => {
    const doc = base();
    node(doc).files = [{ path: `/etc/${'x'.repeat(256)}`, content: '' }];
    expectRefused(doc, 'nodes[0].files[0].path', /longer than 255/);
  });
});

describe('ingress paths', () => {
  it.each(['/a//b', '/a/../b', '/a/%2Fb', '/a/%2fb', '/a/./b', '/a/..', 'noslash', '/a b', '/ä'])('refuses %j', (path) => {
    const doc = base();
    (doc['exposures'] as Doc[])[0]!.path = path;
    expectRefused(doc, 'exposures[0].path', /path must be/);
  });
  it.each(['/', '/app', '/app/', '/app/api_v1-2'])('accepts %j', (path) => {
    const doc = base();
    (doc['exposures'] as Doc[])[0]!.path = path;
    expect(issuesOf(doc)).toEqual([]);
  });
});

describe('sizes', () => {
  it('a node\'s files over 1 MiB (one ConfigMap)', () => {
    const doc = base();
    node(doc).files = [{ path: '/a', content: 'x'.repeat(600_000) }, { path: '/b', content: 'y'.repeat(600_000) }];
    expectRefused(doc, 'nodes[0].files', /1 MiB/);
  });

  it('a VM\'s cloud-init over KubeVirt\'s 2 KiB', () => {
    const doc = base();
    node(doc, 1).setup = 'echo hello\n'.repeat(250);
    expectRefused(doc, 'nodes[1].setup', /2048/);
  });

  it('titles are bounded (they become annotations)', () => {
    const doc = base();
    (doc['metadata'] as Doc).title = 't'.repeat(300_000);
    expectRefused(doc, 'metadata.title', /at most 256/);
  });

  it('node count', () => {
    const doc = base();
    doc['nodes'] = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({ name: `n${i}`, kind: 'container', image: 'nginx' }));
    doc['exposures'] = [];
    // The YAML entry cap (as large as MAX_NODES) may speak first; either way it is positioned.
    const issues = issuesOf(doc);
    expect(issues.some((i) => (i.line ?? 0) > 0 && new RegExp(`at most ${MAX_NODES} nodes|more than ${MAX_NODES} entries`).test(i.message))).toBe(true);
  });

  it('a text over 4 MiB is refused at the place it passes the limit, without parsing', () => {
    const text = `${stringify(base())}# ${'x'.repeat(4 * 2 ** 20)}\n`;
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/larger than 4 MiB/);
    expect(issues[0]!.line).toBeGreaterThan(10);
  });

  it('a list of more than 1000 entries is refused before it is composed', () => {
    const issues = issuesOf(`apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: {name: x}\nnodes: [${'0,'.repeat(100_000)}0]\n`);
    expect(issues[0]).toMatchObject({ line: 4 });
    expect(issues[0]!.message).toMatch(/more than 1000 entries/);
  });

  it('at most 100 errors are listed, the rest counted', () => {
    const doc = base();
    doc['nodes'] = Array.from({ length: 150 }, (_, i) => ({ name: `n${i}`, kind: 'container', image: 'Bad Image' }));
    doc['exposures'] = [];
    const issues = issuesOf(doc);
    expect(issues).toHaveLength(101);
    expect(issues[100]!.message).toMatch(/and 50 more errors not shown/);
    expect(issues[100]!.line).toBeGreaterThan(0);
  });
});

describe('YAML-level errors are positioned', () => {
  it('nesting deeper than 64 (a few thousand would exhaust the composer)', () => {
    const issues = issuesOf(`a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(issues[0]!.message).toMatch(/nests deeper than 64/);
    expect(issues[0]).toMatchObject({ line: 1 });
    expect(issues[0]!.column).toBeGreaterThan(60);
  });

  it('compact block nesting too', () => {
    expect(issuesOf(`a:\n  ${'- '.repeat(100)}x\n`)[0]).toMatchObject({ line: 2, message: expect.stringMatching(/nests deeper/) });
  });

  it('an alias bomb', () => {
    const rows = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (const [p, c] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']] as const) rows.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
    const issues = issuesOf(`${rows.join('\n')}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/too many aliases/);
    expect(issues[0]).toMatchObject({ line: 2 });
  });

  it('an unresolved alias', () => {
    const issues = issuesOf('apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: *meta\n');
    expect(issues[0]).toMatchObject({ line: 3, column: 11 });
    expect(issues[0]!.message).toMatch(/alias \*meta refers to no anchor/);
  });

  it.each([
    ['duplicate keys', 'a: 1\na: 2\n', 2],
    ['tabs', 'a:\n\tb: 1\n', 2],
    ['two documents', 'a: 1\n---\nb: 2\n', 2],
  ])('%s', (_, text, line) => {
    const issues = issuesOf(text);
    expect(issues[0]!.line).toBe(line);
    expect(issues[0]!.column).toBeGreaterThan(0);
  });
});

describe('input is escaped in messages', () => {
  const hostile = '\u001b[2J\u001b[Hlab.yaml:1:1: forged\r\n\u0007';

  it('unknown keys', () => {
    const doc = base();
    doc[hostile] = 1;
    const lines = issuesOf(doc).map((i) => formatIssue(i, 'lab.yaml'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(line.split('\n')).toHaveLength(1);
    }
    expect(lines.join('\n')).toContain('\\e[2J');
  });

  it('apiVersion values and layout keys', () => {
    const doc = base();
    doc['apiVersion'] = hostile;
    const a = issuesOf(doc).map((i) => formatIssue(i, 'lab.yaml'));
    const d2 = base();
    d2['layout'] = { nodes: { [hostile]: { x: 1, y: 2 } } };
    const b = issuesOf(d2).map((i) => formatIssue(i, 'lab.yaml'));
    for (const line of [...a, ...b]) expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(a[0]).toContain('unsupported apiVersion');
    expect(b[0]).toContain('layout refers to node');
  });

  it('file names too', () => {
    expect(formatIssue({ path: ['a'], message: 'm', line: 1, column: 1 }, 'x\ny.yaml')).toBe('x\\ny.yaml:1:1: a: m');
  });
});
