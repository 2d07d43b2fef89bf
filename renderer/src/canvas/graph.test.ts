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
    // Edges are routed around the items near them: moving an item far from every edge keeps
    // the edge list; moving a node re-routes its own edge and keeps the others' objects.
    const far = addBlank(doc, 'container', { x: 3000, y: 3000 }).doc;
    const e1 = g.deriveEdges(far, new Set());
    expect(g.deriveEdges(setPositions(far, new Map([['node:node-1', { x: 3100, y: 3100 }]])), new Set())).toBe(e1);
    const e2 = g.deriveEdges(setPositions(far, new Map([['node:web', { x: -400, y: 100 }]])), new Set());
    expect(e2.filter((e, i) => e !== e1[i]).map((e) => e.id)).toEqual(['link:web:net-1']);
  });

  it('routes an edge around an item between its ends', () => {
    const g = new GraphDeriver();
    // A third node right between db and the network.
    const doc = setPositions(addBlank(sample(), 'container', { x: 0, y: 0 }).doc, new Map([['network:net-1', { x: 300, y: -200 }], ['node:node-1', { x: 300, y: -60 }]]));
    const link = g.deriveEdges(doc, new Set()).find((e) => e.id === 'link:db:net-1')!;
    const xs = link.data!.points!.map((p) => p.x);
    // It leaves the straight line up (x = db's centre) to pass beside node-1.
    expect(new Set(xs).size).toBeGreaterThan(1);
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
