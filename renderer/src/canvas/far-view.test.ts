import { describe, expect, it } from 'vitest';
import type { Doc } from '../store/doc';
import { bitmapSize, drawScale, drawScene, farScene, itemAt, layerTransform, sceneBounds, splitForDrag, visibleBounds, type FarColors, type FarContext } from './far-view';

const doc: Doc = {
  lab: {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: 'far' },
    networks: [{ name: 'lan' }],
    volumes: [{ name: 'data', size: '1Gi' }],
    exposures: [],
    nodes: [
      { name: 'web', kind: 'container', image: 'nginx:1.27', networks: ['lan', 'gone'], volumes: [{ volume: 'data', mountPath: '/data' }] },
      { name: 'db', kind: 'container', image: 'postgres:16', networks: ['lan'] },
    ],
  },
  layout: { nodes: { web: { x: 0, y: 100 }, db: { x: 100, y: 120 } }, networks: { lan: { x: 0, y: 0 } }, volumes: { data: { x: 0, y: 300 } } },
} as Doc;

describe('farScene', () => {
  it('places every item from the layout with measured or default sizes, and lines to existing items only', () => {
    const scene = farScene(doc, new Set(), new Map([['node:web', { width: 180, height: 60 }]]));
    expect(scene.items.map((i) => i.id)).toEqual(['network:lan', 'volume:data', 'node:web', 'node:db']);
    expect(scene.byId.get('node:web')).toMatchObject({ x: 0, y: 100, width: 180, height: 60, role: 'web' });
    expect(scene.byId.get('node:db')).toMatchObject({ x: 100, y: 120, width: 200, height: 67, role: 'database' });
    // 'gone' is no network of the lab: no line to nowhere.
    expect(scene.lines).toEqual([
      { from: 'node:web', to: 'network:lan', mount: false },
      { from: 'volume:data', to: 'node:web', mount: true },
      { from: 'node:db', to: 'network:lan', mount: false },
    ]);
  });

  it('puts selected items last, so they are drawn and hit on top', () => {
    const scene = farScene(doc, new Set(['node:web']), new Map());
    expect(scene.items.at(-1)?.id).toBe('node:web');
    // web (0..200) and db (100..300) overlap at x 150: the selected one wins.
    expect(itemAt(scene, { x: 150, y: 130 })?.id).toBe('node:web');
    expect(itemAt(farScene(doc, new Set(), new Map()), { x: 150, y: 130 })?.id).toBe('node:db');
  });
});

describe('itemAt', () => {
  const scene = farScene(doc, new Set(), new Map());
  it('finds the item under a point, nodes above networks, and nothing on empty space', () => {
    expect(itemAt(scene, { x: 10, y: 10 })?.id).toBe('network:lan');
    expect(itemAt(scene, { x: 10, y: 310 })?.id).toBe('volume:data');
    expect(itemAt(scene, { x: 10, y: 110 })?.id).toBe('node:web');
    expect(itemAt(scene, { x: 10, y: 250 })).toBeUndefined();
  });
});

describe('bitmap geometry', () => {
  const scene = farScene(doc, new Set(), new Map());
  const bounds = sceneBounds(scene);
  it('bounds every item with a margin', () => {
    expect(bounds).toEqual({ x: -8, y: -8, width: 316, height: 364 });
  });

  it('draws at the zoom, but never past the side or area limits', () => {
    expect(drawScale(bounds, 0.25, 2)).toBe(0.5);
    expect(drawScale({ x: 0, y: 0, width: 10_000, height: 100 }, 1, 1, { side: 4096, area: 1e9 })).toBeCloseTo(0.4096);
    const s = drawScale({ x: 0, y: 0, width: 4000, height: 4000 }, 1, 1, { side: 1e6, area: 4_000_000 });
    const size = bitmapSize({ x: 0, y: 0, width: 4000, height: 4000 }, s);
    expect(size.width * size.height).toBeLessThanOrEqual(4_000_000 + 2 * size.width);
  });

  it('gives the lab rectangle a screen shows under a viewport', () => {
    expect(visibleBounds([100, -50, 0.5], { width: 800, height: 600 })).toEqual({ x: -200, y: 100, width: 1600, height: 1200 });
  });

  it('maps the bitmap onto the viewport: lab point p lands at p × zoom + offset', () => {
    const scale = 0.5;
    const dpr = 2;
    const t = layerTransform(bounds, scale, dpr, [100, 50, 0.4]);
    expect(t).toBe('translate(96.8px, 46.8px) scale(1.6)');
    // Check with a point: lab (92, 92) is bitmap device pixel (100 × 0.5) = 50, CSS pixel 25;
    // scaled by 1.6 = 40, plus 96.8 = 136.8 = 100 + 92 × 0.4.
    const [tx, s] = [96.8, 1.6];
    expect(tx + ((92 - bounds.x) * scale / dpr) * s).toBeCloseTo(100 + 92 * 0.4);
  });
});

describe('drawScene', () => {
  const colors: FarColors = {
    panel: 'white',
    border: 'grey',
    network: 'blue',
    networkFill: 'lightblue',
    volume: 'orange',
    link: 'grey',
    mount: 'orange',
    selected: 'blue',
    text: 'black',
    role: { container: 'c', desktop: 'd', vm: 'v', web: 'w', database: 'db', router: 'r' },
  };
  function recorder() {
    const calls: string[] = [];
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (target, key: string) => (key in target ? target[key] : (...args: unknown[]) => calls.push(`${key}(${args.join(',')})`)),
      set: (target, key: string, value) => {
        target[key] = value;
        calls.push(`${key}=${String(value)}`);
        return true;
      },
    }) as unknown as FarContext;
    return { ctx, calls };
  }

  it('fills each look once, strokes lines once per kind, outlines the selection and labels only when readable', () => {
    const scene = farScene(doc, new Set(['node:db']), new Map());
    const bounds = sceneBounds(scene);
    const { ctx, calls } = recorder();
    drawScene(ctx, scene, bounds, 0.5, bitmapSize(bounds, 0.5), colors);
    expect(calls.filter((c) => c === 'fill()')).toHaveLength(3 + 2); // network, volume, node boxes; web and database stripes
    expect(calls.filter((c) => c === 'stroke()')).toHaveLength(2 + 3 + 1); // links, mounts; three box outlines; the selection
    expect(calls).toContain('strokeStyle=blue');
    expect(calls.filter((c) => c.startsWith('fillText('))).toHaveLength(4);

    // A drag: the base has everything but web and its two lines; the drag layer has exactly those.
    const split = splitForDrag(new Set(['node:web']));
    const base = recorder();
    drawScene(base.ctx, scene, bounds, 0.5, bitmapSize(bounds, 0.5), colors, split.base);
    expect(base.calls.filter((c) => c.startsWith('fillText('))).toEqual(['fillText(lan,12,20,200)', 'fillText(data,12,324,120)', 'fillText(db,112,153.5,180)']);
    expect(base.calls.filter((c) => c.startsWith('moveTo('))).toEqual(['moveTo(200,120)']); // db to lan only
    const moving = recorder();
    drawScene(moving.ctx, scene, bounds, 0.5, bitmapSize(bounds, 0.5), colors, split.moving);
    expect(moving.calls.filter((c) => c.startsWith('fillText('))).toEqual(['fillText(web,12,133.5,180)']);
    expect(moving.calls.filter((c) => c.startsWith('moveTo('))).toEqual(['moveTo(100,100)', 'moveTo(70,300)']); // web to lan; data to web

    const far = recorder();
    drawScene(far.ctx, scene, bounds, 0.1, bitmapSize(bounds, 0.1), colors);
    expect(far.calls.filter((c) => c.startsWith('fillText('))).toHaveLength(0);
  });
});
