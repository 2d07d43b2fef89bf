import { describe, expect, it } from 'vitest';
import { crosses, midpoint, roundedPath, route, simplify, type Pt, type Rect } from './route';

/** Whether any segment of `path` passes through the inside of `r` (its border allowed). */
const through = (path: Pt[], r: Rect) => path.slice(1).some((p, i) => crosses(path[i]!, p, { l: r.x, t: r.y, r: r.x + r.w, b: r.y + r.h }));
const orthogonal = (path: Pt[]) => path.slice(1).every((p, i) => p.x === path[i]!.x || p.y === path[i]!.y);

// A network above, a node below it, and a third item right between them.
const net: Rect = { x: 0, y: 0, w: 220, h: 40 };
const node: Rect = { x: 10, y: 300, w: 200, h: 64 };
const from = { x: 110, y: 300 }; // the node's top dot
const to = { x: 110, y: 40 }; // the network's bottom dot

describe('edge routes', () => {
  it('go straight up when nothing is in the way', () => {
    expect(route(from, to, [net, node])).toEqual([from, to]);
  });

  it('bend around an item between the ends, never through it', () => {
    const between: Rect = { x: 40, y: 150, w: 140, h: 48 };
    const path = route(from, to, [net, node, between])!;
    expect(path[0]).toEqual(from);
    expect(path[path.length - 1]).toEqual(to);
    expect(orthogonal(path)).toBe(true);
    expect(through(path, between)).toBe(false);
    // It leaves the node upwards and enters the network from below.
    expect(path[1]!.x).toBe(from.x);
    expect(path[1]!.y).toBeLessThan(from.y);
    expect(path[path.length - 2]!.x).toBe(to.x);
    expect(path[path.length - 2]!.y).toBeGreaterThan(to.y);
  });

  it('goes around its own source when the target lies below it', () => {
    const low: Rect = { x: 400, y: 600, w: 220, h: 40 };
    const path = route(from, { x: 510, y: 640 }, [low, node])!;
    expect(orthogonal(path)).toBe(true);
    expect(through(path.slice(1), node)).toBe(false);
    expect(through(path, low)).toBe(false);
  });

  it('finds a way through a row of items with one gap', () => {
    const row: Rect[] = [0, 1, 2, 3, 5, 6].map((i) => ({ x: -400 + i * 150, y: 150, w: 140, h: 48 }));
    const path = route(from, to, [net, node, ...row])!;
    for (const r of row) expect(through(path, r)).toBe(false);
  });

  it('simplifies, rounds and finds the middle of a route', () => {
    expect(simplify([{ x: 0, y: 0 }, { x: 0, y: 5 }, { x: 0, y: 10 }, { x: 0, y: 10 }, { x: 5, y: 10 }])).toEqual([{ x: 0, y: 0 }, { x: 0, y: 10 }, { x: 5, y: 10 }]);
    expect(roundedPath([{ x: 0, y: 100 }, { x: 0, y: 0 }, { x: 100, y: 0 }])).toBe('M 0 100 L 0 8 Q 0 0 8 0 L 100 0');
    expect(midpoint([{ x: 0, y: 100 }, { x: 0, y: 0 }, { x: 100, y: 0 }])).toEqual({ x: 0, y: 0 });
  });
});
