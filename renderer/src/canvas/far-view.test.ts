import { describe, expect, it } from 'vitest';
import { drawFarView, nodeAt, type FarContext, type FarNode } from './far-view';

function recorder() {
  const calls: string[] = [];
  const ctx = new Proxy({ fillStyle: '', strokeStyle: '', lineWidth: 1, font: '', textBaseline: 'alphabetic' } as Record<string, unknown>, {
    get(target, key: string) {
      if (key in target) return target[key];
      return (..._args: unknown[]) => calls.push(key);
    },
  }) as unknown as FarContext;
  return { ctx, calls, count: (name: string) => calls.filter((c) => c === name).length };
}

const colors = { labNode: 'n', network: 'w', volume: 'v', edge: 'e', mount: 'm', selected: 's', text: 't' };
const grid = (count: number): FarNode[] =>
  Array.from({ length: count }, (_, i) => ({ id: `node:n${i}`, kind: i % 10 === 0 ? 'network' : i % 7 === 0 ? 'volume' : 'labNode', x: (i % 40) * 250, y: Math.floor(i / 40) * 120, width: 190, height: 58, selected: i === 3, label: `n${i}` }) as FarNode);

describe('drawFarView', () => {
  it('fills once per kind and strokes once per kind of line, however many nodes', () => {
    const nodes = grid(1000);
    const edges = nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id, mount: i % 5 === 0 }));
    const r = recorder();
    drawFarView(r.ctx, nodes, edges, [0, 0, 0.1], { width: 1440, height: 900, dpr: 1 }, colors);
    expect(r.count('fill')).toBe(3);
    expect(r.count('stroke')).toBe(2);
    expect(r.count('rect')).toBe(1000);
    expect(r.count('strokeRect')).toBe(1); // the selected one
    expect(r.count('fillText')).toBe(0); // too small to read at zoom 0.1
  });

  it('skips what is off screen and labels boxes large enough to read', () => {
    const nodes = grid(1000);
    const r = recorder();
    // Zoom 0.4 over the top-left corner: 1440/0.4 = 3600 flow px wide, 2250 high.
    drawFarView(r.ctx, nodes, [], [0, 0, 0.4], { width: 1440, height: 900, dpr: 2 }, colors);
    const onScreen = nodes.filter((n) => n.x <= 3600 && n.y <= 2250).length;
    expect(onScreen).toBeLessThan(1000);
    expect(r.count('rect')).toBe(onScreen);
    expect(r.count('fillText')).toBe(onScreen);
    expect(r.count('stroke')).toBe(0); // no edges given
  });
});

describe('nodeAt', () => {
  it('finds the box under a point, a lab node before the network it overlaps', () => {
    const nodes: FarNode[] = [
      { id: 'network:lan', kind: 'network', x: 0, y: 0, width: 400, height: 200, selected: false, label: 'lan' },
      { id: 'node:web', kind: 'labNode', x: 100, y: 50, width: 190, height: 58, selected: false, label: 'web' },
    ];
    expect(nodeAt(nodes, { x: 150, y: 80 })?.id).toBe('node:web');
    expect(nodeAt(nodes, { x: 10, y: 10 })?.id).toBe('network:lan');
    expect(nodeAt(nodes, { x: 500, y: 10 })).toBeUndefined();
  });
});
