import { beforeEach, describe, expect, it } from 'vitest';
import { validateLab } from '../../../common/lab';
import { autoLayout, copyItems, emptyDoc, pasteClip, toLab, uniqueName, type Doc } from './doc';
import { locateIssue, useEditor, isDirty } from './editor';

const ed = () => useEditor.getState();
const lab = () => ed().doc.lab;

beforeEach(() => ed().newLab());

describe('editor store', () => {
  it('adds palette items with unique names and selects them', () => {
    const a = ed().add('container', { x: 0, y: 0 });
    const b = ed().add('container', { x: 10, y: 0 });
    const r1 = ed().add('router', { x: 0, y: 0 });
    const r2 = ed().add('router', { x: 0, y: 0 });
    expect([a, b, r1, r2]).toEqual(['node:node-1', 'node:node-2', 'node:router', 'node:router-2']);
    expect(ed().selection).toEqual(['node:router-2']);
    expect(ed().doc.layout.nodes['node-2']).toEqual({ x: 10, y: 0 });
    expect(validateLab(toLab(ed().doc)).ok).toBe(true);
  });

  it('connects nodes to several networks and volumes to nodes, in either direction', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('network', { x: 0, y: 0 });
    ed().add('router', { x: 0, y: 0 });
    ed().add('volume', { x: 0, y: 0 });
    expect(ed().connect('node:router', 'network:net-1')).toBe('link:router:net-1');
    expect(ed().connect('network:net-2', 'node:router')).toBe('link:router:net-2');
    expect(ed().connect('node:router', 'network:net-1')).toBeNull(); // already attached
    expect(ed().connect('network:net-1', 'network:net-2')).toBeNull(); // not a valid pair
    expect(ed().connect('volume:vol-1', 'node:router')).toBe('mount:router:0');
    const router = lab().nodes[0]!;
    expect(router.networks).toEqual(['net-1', 'net-2']);
    expect(router.volumes).toEqual([{ volume: 'vol-1', mountPath: '/vol-1' }]);
    expect(validateLab(toLab(ed().doc)).ok).toBe(true);
  });

  it('deletes items together with every reference to them', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('webserver', { x: 0, y: 0 });
    ed().add('volume', { x: 0, y: 0 });
    ed().connect('node:web', 'network:net-1');
    ed().connect('volume:vol-1', 'node:web');
    ed().edit((d) => ({ ...d, lab: { ...d.lab, exposures: [{ node: 'web', port: 80 }] } }));
    ed().remove(['network:net-1', 'volume:vol-1']);
    expect(lab().nodes[0]!.networks).toBeUndefined();
    expect(lab().nodes[0]!.volumes).toBeUndefined();
    ed().remove(['node:web']);
    expect(lab().nodes).toEqual([]);
    expect(lab().exposures).toEqual([]);
    expect(ed().doc.layout.nodes).toEqual({});
  });

  it('deletes a single attachment or mount by its edge id', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('network', { x: 0, y: 0 });
    ed().add('container', { x: 0, y: 0 });
    ed().connect('node:node-1', 'network:net-1');
    ed().connect('node:node-1', 'network:net-2');
    ed().remove(['link:node-1:net-1']);
    expect(lab().nodes[0]!.networks).toEqual(['net-2']);
  });

  it('undoes and redoes every step and keeps entity identity', () => {
    const docs: Doc[] = [ed().doc];
    ed().add('network', { x: 0, y: 0 });
    docs.push(ed().doc);
    ed().add('container', { x: 0, y: 0 });
    docs.push(ed().doc);
    ed().connect('node:node-1', 'network:net-1');
    docs.push(ed().doc);
    ed().rename('network', 'net-1', 'lan');
    docs.push(ed().doc);
    expect(lab().nodes[0]!.networks).toEqual(['lan']);
    for (let i = docs.length - 2; i >= 0; i--) {
      ed().undo();
      expect(ed().doc).toBe(docs[i]);
    }
    ed().undo(); // nothing left: no-op
    expect(ed().doc).toBe(docs[0]);
    for (let i = 1; i < docs.length; i++) {
      ed().redo();
      expect(ed().doc).toBe(docs[i]);
    }
    expect(ed().future).toEqual([]);
  });

  it('a new edit after undo drops the redo stack', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('network', { x: 0, y: 0 });
    ed().undo();
    ed().add('volume', { x: 0, y: 0 });
    ed().redo();
    expect(lab().networks.map((n) => n.name)).toEqual(['net-1']);
    expect(lab().volumes.map((v) => v.name)).toEqual(['vol-1']);
  });

  it('coalesces typing in one field into one undo step', () => {
    ed().add('container', { x: 0, y: 0 });
    const before = ed().doc;
    for (const image of ['n', 'ng', 'ngi', 'nginx']) ed().edit((d) => ({ ...d, lab: { ...d.lab, nodes: d.lab.nodes.map((n) => ({ ...n, image })) } }), 'node:node-1:image');
    expect(lab().nodes[0]!.image).toBe('nginx');
    ed().undo();
    expect(ed().doc).toBe(before);
  });

  it('records one undo step per drag, however many moves it had', () => {
    ed().add('container', { x: 0, y: 0 });
    const before = ed().doc;
    ed().beginDrag();
    for (let i = 1; i <= 20; i++) ed().dragTo(new Map([['node:node-1', { x: i, y: i }]]));
    ed().endDrag();
    expect(ed().doc.layout.nodes['node-1']).toEqual({ x: 20, y: 20 });
    ed().undo();
    expect(ed().doc).toBe(before);
  });

  it('copies and pastes with fresh names, keeping links among the copies', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('webserver', { x: 100, y: 100 });
    ed().connect('node:web', 'network:net-1');
    ed().select(['node:web', 'network:net-1']);
    ed().copy();
    ed().paste();
    expect(lab().networks.map((n) => n.name)).toEqual(['net-1', 'net-2']);
    expect(lab().nodes.map((n) => [n.name, n.networks])).toEqual([
      ['web', ['net-1']],
      ['web-2', ['net-2']],
    ]);
    expect(ed().doc.layout.nodes['web-2']).toEqual({ x: 140, y: 140 });
    expect(ed().selection.sort()).toEqual(['network:net-2', 'node:web-2']);
    expect(validateLab(toLab(ed().doc)).ok).toBe(true);
  });

  it('select all, cut and dirty tracking', () => {
    expect(isDirty(ed())).toBe(false);
    ed().add('network', { x: 0, y: 0 });
    ed().add('container', { x: 0, y: 0 });
    expect(isDirty(ed())).toBe(true);
    ed().selectAll();
    expect(ed().selection).toHaveLength(2);
    ed().cut();
    expect(lab().nodes).toEqual([]);
    ed().paste();
    expect(lab().nodes).toHaveLength(1);
    ed().markSaved('/tmp/x.yaml');
    expect(isDirty(ed())).toBe(false);
    ed().undo();
    expect(isDirty(ed())).toBe(true);
  });

  it('maps validation paths to the canvas item and field', () => {
    ed().add('container', { x: 0, y: 0 });
    ed().add('network', { x: 0, y: 0 });
    const doc = ed().doc;
    expect(locateIssue(doc, ['nodes', 0, 'image'])).toEqual({ target: 'node:node-1', field: 'image' });
    expect(locateIssue(doc, ['networks', 0, 'name'])).toEqual({ target: 'network:net-1', field: 'name' });
    expect(locateIssue(doc, ['metadata', 'name'])).toEqual({ target: null, field: 'metadata.name' });
  });
});

describe('doc helpers', () => {
  it('uniqueName numbers only when needed unless asked', () => {
    expect(uniqueName('web', new Set())).toBe('web');
    expect(uniqueName('web', new Set(['web', 'web-2']))).toBe('web-3');
    expect(uniqueName('node', new Set(), true)).toBe('node-1');
  });

  it('auto-layout puts networks on top, multi-network nodes between, the rest below', () => {
    let doc = emptyDoc();
    doc = { ...doc, lab: { ...doc.lab, networks: [{ name: 'a' }, { name: 'b' }], nodes: [
      { name: 'r', kind: 'container', image: 'alpine', networks: ['a', 'b'] },
      { name: 'x', kind: 'container', image: 'alpine', networks: ['a'] },
      { name: 'y', kind: 'container', image: 'alpine', networks: ['b'] },
    ] } };
    const { layout } = autoLayout(doc);
    expect(layout.networks['a']!.y).toBeLessThan(layout.nodes['r']!.y);
    expect(layout.nodes['r']!.y).toBeLessThan(layout.nodes['x']!.y);
    expect(layout.nodes['x']!.x).toBeLessThan(layout.nodes['r']!.x);
    expect(layout.nodes['r']!.x).toBeLessThan(layout.nodes['y']!.x);
  });

  it('copyItems returns null for an empty selection and pasteClip drops references to missing items', () => {
    expect(copyItems(emptyDoc(), [])).toBeNull();
    const clip = { nodes: [{ name: 'n', kind: 'container' as const, image: 'alpine', networks: ['gone'] }], networks: [], volumes: [], positions: {} };
    const r = pasteClip(emptyDoc(), clip, { x: 0, y: 0 });
    expect(r.doc.lab.nodes[0]!.networks).toBeUndefined();
  });
});
