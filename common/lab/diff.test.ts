import { describe, expect, it } from 'vitest';
import { changedNodes, diffLabs, elementChanges, formatChange } from './diff';
import { parseLab } from './parse';
import type { Lab } from './schema';

const lab = (text: string): Lab => {
  const r = parseLab(text);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('; '));
  return r.lab;
};

const base = lab(`
apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: web-db }
networks: [{ name: front }, { name: back }]
volumes: [{ name: data, size: 1Gi }]
nodes:
  - { name: web, kind: container, image: nginx:1.27, networks: [front, back], ports: [{ port: 80 }] }
  - { name: db, kind: container, image: postgres:16, networks: [back], volumes: [{ volume: data, mountPath: /var/lib/postgresql/data }] }
  - { name: client, kind: container, image: alpine:3.20, networks: [front] }
exposures: [{ node: web, port: 80 }]
`);

describe('lab diff', () => {
  it('matches elements by name, so order and layout are not changes', () => {
    const moved = structuredClone(base);
    moved.nodes.reverse();
    moved.layout = { nodes: { web: { x: 5, y: 9 } } };
    expect(diffLabs(base, moved)).toEqual([]);
    expect(changedNodes(base, moved).size).toBe(0);
  });

  it('classifies added, removed and changed elements and writes each change as text', () => {
    const next = structuredClone(base);
    next.nodes = next.nodes.filter((n) => n.name !== 'client');
    next.nodes[0]!.image = 'nginx:1.28';
    next.nodes.push({ ...structuredClone(next.nodes[1]!), name: 'cache', image: 'redis:7' });
    expect(elementChanges(base.nodes, next.nodes)).toEqual(
      expect.arrayContaining([
        { name: 'web', change: 'changed' },
        { name: 'cache', change: 'added' },
        { name: 'client', change: 'removed' },
      ]),
    );
    const text = diffLabs(base, next).map(formatChange);
    expect(text).toContain('~ nodes.web.image: nginx:1.27 → nginx:1.28');
    expect(text.some((t) => t.startsWith('- nodes.client:'))).toBe(true);
    expect(text.some((t) => t.startsWith('+ nodes.cache:'))).toBe(true);
  });

  it('reads checks, files and setup as text: by id and path, the lines that changed, fields instead of JSON', () => {
    const withChecks = { ...structuredClone(base), checks: [{ id: 'file-made', title: 'Create done.txt', node: 'web', script: 'test -f a\necho ok\n' }] } as Lab;
    const next = structuredClone(withChecks);
    next.checks![0]!.script = 'test -f done.txt\necho ok\n';
    next.checks!.push({ id: 'served', title: 'Serve the page', node: 'web', script: 'curl -sf localhost' } as NonNullable<Lab['checks']>[number]);
    next.nodes[0]!.setup = 'apk add curl\napk add git\n';
    const text = diffLabs(withChecks, next).map(formatChange);
    expect(text).toContain('~ checks.file-made.script:\n    - test -f a\n    + test -f done.txt');
    expect(text).toContain('+ checks.served: id: served, title: Serve the page, node: web, script: curl -sf localhost');
    expect(text).toContain('~ nodes.web.setup:\n    + apk add curl\n    + apk add git');
    expect(text.join('\n')).not.toMatch(/[{[]"/);
  });

  it('marks nodes whose networks, volumes or exposures changed as changed since deploy', () => {
    const next = structuredClone(base);
    next.volumes[0]!.size = '2Gi';
    expect([...changedNodes(base, next)]).toEqual(['db']);
    const exposed = structuredClone(base);
    exposed.exposures = [];
    expect([...changedNodes(base, exposed)]).toEqual(['web']);
  });
});
