import { describe, expect, it } from 'vitest';
import { addBlank, connect, emptyDoc, rename, setPositions, updateNode } from '../store/doc';
import { GraphDeriver } from './graph';

function sample() {
  let doc = emptyDoc();
  doc = addBlank(doc, 'network', { x: 0, y: 0 }).doc;
  doc = addBlank(doc, 'container', { x: 0, y: 100 }).doc;
  doc = addBlank(doc, 'container', { x: 300, y: 100 }).doc;
  doc = addBlank(doc, 'volume', { x: 300, y: 300 }).doc;
  doc = updateNode(rename(doc, 'node', 'node-1', 'web'), 'web', { image: 'nginx:1.27', command: undefined, ports: [{ port: 80 }] });
  doc = updateNode(rename(doc, 'node', 'node-2', 'db'), 'db', { image: 'postgres:16', command: undefined });
  doc = connect(doc, 'node:web', 'network:net-1')!.doc;
  doc = connect(doc, 'node:db', 'network:net-1')!.doc;
  doc = connect(doc, 'volume:vol-1', 'node:db')!.doc;
  return doc;
}

describe('graph derivation', () => {
  it('derives networks, nodes, volumes and their edges', () => {
    const g = new GraphDeriver();
    const doc = sample();
    const nodes = g.deriveNodes(doc, new Set(), []);
    expect(nodes.map((n) => `${n.type}:${n.id}`)).toEqual(['network:network:net-1', 'labNode:node:web', 'labNode:node:db', 'volume:volume:vol-1']);
    expect(nodes.find((n) => n.id === 'node:web')?.data).toMatchObject({ role: 'web', ports: '80', image: 'nginx:1.27' });
    const edges = g.deriveEdges(doc, new Set());
    expect(edges.map((e) => `${e.source}->${e.target}`)).toEqual(['node:web->network:net-1', 'node:db->network:net-1', 'volume:vol-1->node:db']);
  });

  it('keeps node objects (and the list) for unchanged items; a move rebuilds only that node', () => {
    const g = new GraphDeriver();
    const doc = sample();
    const a = g.deriveNodes(doc, new Set(), []);
    expect(g.deriveNodes(doc, new Set(), [])).toBe(a);
    const moved = setPositions(doc, new Map([['node:web', { x: 50, y: 50 }]]));
    const b = g.deriveNodes(moved, new Set(), []);
    expect(b).not.toBe(a);
    expect(b.filter((n, i) => n !== a[i]).map((n) => n.id)).toEqual(['node:web']);
    // Edges do not change when a node moves.
    const e1 = g.deriveEdges(doc, new Set());
    expect(g.deriveEdges(moved, new Set())).toBe(e1);
  });

  it('marks selection and issues on the affected node only', () => {
    const g = new GraphDeriver();
    const doc = sample();
    const a = g.deriveNodes(doc, new Set(), []);
    const edited = updateNode(doc, 'db', { image: 'Bad Image' });
    const b = g.deriveNodes(edited, new Set(['node:web']), [{ path: ['nodes', 1, 'image'], message: 'bad', target: 'node:db', field: 'image' }]);
    const web = b.find((n) => n.id === 'node:web')!;
    const db = b.find((n) => n.id === 'node:db')!;
    expect(web.selected).toBe(true);
    expect(db.data).toMatchObject({ issues: 1, issue: 'image: bad' });
    expect(b.find((n) => n.id === 'network:net-1')).toBe(a.find((n) => n.id === 'network:net-1'));
  });
});
