import { beforeEach, describe, expect, it } from 'vitest';
import { validateLab } from '../../../common/lab';
import { autoLayout } from './auto-layout';
import { copyItems, pasteClip, templateNetworkChoice } from './clipboard';
import { emptyDoc, toLab, uniqueName, type Doc } from './doc';
import { locateIssue, useEditor, isDirty } from './editor';
import { setExposed } from './node-edits';
import type { Lab } from '../../../common/lab/schema';

/** A template as template.list serves it: a whole lab, without a layout. */
const TEMPLATE: Lab = {
  apiVersion: 'labforge.dev/v1alpha1',
  kind: 'Lab',
  metadata: { name: 'webserver', title: 'Web server' },
  networks: [{ name: 'lan' }],
  volumes: [{ name: 'data', size: '1Gi' }],
  nodes: [{ name: 'web', kind: 'container', image: 'nginx:1.27', ports: [{ port: 80 }], networks: ['lan'], volumes: [{ volume: 'data', mountPath: '/data' }] }],
  exposures: [{ node: 'web', port: 80 }],
};

const ed = () => useEditor.getState();
const lab = () => ed().doc.lab;

beforeEach(() => ed().newLab());

describe('editor store', () => {
  it('adds blank items with unique names and selects them', () => {
    const a = ed().add('container', { x: 0, y: 0 });
    const b = ed().add('container', { x: 10, y: 0 });
    const v1 = ed().add('vm', { x: 0, y: 0 });
    const v2 = ed().add('vm', { x: 0, y: 0 });
    expect([a, b, v1, v2]).toEqual(['node:node-1', 'node:node-2', 'node:vm-1', 'node:vm-2']);
    expect(ed().selection).toEqual(['node:vm-2']);
    expect(ed().doc.layout.nodes['node-2']).toEqual({ x: 10, y: 0 });
    expect(validateLab(toLab(ed().doc)).ok).toBe(true);
  });

  it('connects nodes to several networks and volumes to nodes, in either direction', () => {
    ed().add('network', { x: 0, y: 0 });
    ed().add('network', { x: 0, y: 0 });
    ed().add('container', { x: 0, y: 0 });
    ed().rename('node', 'node-1', 'router');
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
    ed().add('container', { x: 0, y: 0 });
    ed().rename('node', 'node-1', 'web');
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
    ed().add('container', { x: 100, y: 100 });
    ed().rename('node', 'node-1', 'web');
    ed().connect('node:web', 'network:net-1');
    ed().edit((d) => setExposed(d, 'web', 80, true));
    ed().select(['node:web', 'network:net-1']);
    ed().copy();
    ed().paste();
    expect(lab().networks.map((n) => n.name)).toEqual(['net-1', 'net-2']);
    expect(lab().nodes.map((n) => [n.name, n.networks])).toEqual([
      ['web', ['net-1']],
      ['web-2', ['net-2']],
    ]);
    expect(lab().exposures).toEqual([
      { node: 'web', port: 80 },
      { node: 'web-2', port: 80 },
    ]);
    expect(ed().doc.layout.nodes['web-2']).toEqual({ x: 140, y: 140 });
    expect(ed().selection.sort()).toEqual(['network:net-2', 'node:web-2']);
  });

  it('inserts a template lab with fresh names, centred where it is dropped, joining the lab’s one network, and selects it', () => {
    ed().insertLab(TEMPLATE, { x: 0, y: 0 });
    const ids = ed().insertLab(TEMPLATE, { x: 1000, y: 500 });
    // The lab has one network (the first template's): the second template joins it.
    expect(ids).toEqual(['volume:data-2', 'node:web-2']);
    expect(lab().networks.map((n) => n.name)).toEqual(['lan']);
    expect(ed().selection).toEqual(ids);
    const web2 = lab().nodes.find((n) => n.name === 'web-2')!;
    expect(web2).toMatchObject({ networks: ['lan'], volumes: [{ volume: 'data-2', mountPath: '/data' }] });
    expect(lab().exposures).toEqual([
      { node: 'web', port: 80 },
      { node: 'web-2', port: 80 },
    ]);
    // The template's box is centred on the drop point.
    const { layout } = ed().doc;
    const xs = [layout.volumes['data-2']!.x, layout.nodes['web-2']!.x];
    expect(Math.min(...xs)).toBeLessThan(1000);
    expect(Math.max(...xs)).toBeGreaterThan(800);
    expect(layout.networks['lan-2']).toBeUndefined();
    expect(layout.volumes['data-2']!.y).toBeGreaterThan(500);
    expect(validateLab(toLab(ed().doc)).ok).toBe(true);
    ed().undo();
    expect(lab().nodes.map((n) => n.name)).toEqual(['web']);
  });

  it('asks the canvas to fit after a load, a new lab and auto-layout, until the canvas has done it', () => {
    const fitted = () => {
      expect(ed().viewRequest).toBe('fit');
      ed().handled('viewRequest');
      expect(ed().viewRequest).toBeNull();
    };
    ed().load(TEMPLATE, null);
    fitted();
    ed().layout();
    fitted();
    ed().newLab();
    fitted();
    ed().requestView('zoomIn');
    expect(ed().viewRequest).toBe('zoomIn');
  });

  it('a template dropped into a lab of several networks joins the one chosen, or brings its own when told to; into an empty lab, it brings its own', () => {
    expect(ed().insertLab(TEMPLATE, { x: 0, y: 0 })).toContain('network:lan');
    ed().add('network', { x: 0, y: 300 });
    const second = lab().networks[1]!.name;
    expect(templateNetworkChoice(ed().doc, TEMPLATE)).toEqual({ kind: 'ask', networks: ['lan', second] });
    const ids = ed().insertLab(TEMPLATE, { x: 600, y: 0 }, second);
    expect(ids).not.toContain('network:lan-2');
    expect(lab().nodes.find((n) => n.name === 'web-2')?.networks).toEqual([second]);
    expect(ed().insertLab(TEMPLATE, { x: 1200, y: 0 }, null)).toContain('network:lan-2');
  });

  it('asks nothing of a template without exactly one network, nor in a lab with no network', () => {
    expect(templateNetworkChoice(ed().doc, TEMPLATE)).toEqual({ kind: 'own' });
    ed().insertLab(TEMPLATE, { x: 0, y: 0 });
    expect(templateNetworkChoice(ed().doc, TEMPLATE)).toEqual({ kind: 'join', network: 'lan' });
    expect(templateNetworkChoice(ed().doc, { ...TEMPLATE, networks: [] })).toEqual({ kind: 'own' });
  });

  it('a lab loaded from no file (an import) is unsaved work from the start; one opened from a file is not', () => {
    ed().load(TEMPLATE, null);
    expect(isDirty(ed())).toBe(true);
    ed().load(TEMPLATE, '/w/lab.yaml');
    expect(isDirty(ed())).toBe(false);
    ed().newLab();
    expect(isDirty(ed())).toBe(false);
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
    const clip = { nodes: [{ name: 'n', kind: 'container' as const, image: 'alpine', networks: ['gone'] }], networks: [], volumes: [], exposures: [], positions: {} };
    const r = pasteClip(emptyDoc(), clip, { x: 0, y: 0 });
    expect(r.doc.lab.nodes[0]!.networks).toBeUndefined();
  });
});
