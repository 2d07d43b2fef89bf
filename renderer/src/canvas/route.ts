/**
 * Orthogonal edge routes that go around the canvas items instead of through them.
 *
 * Every edge on our canvas leaves its source upwards (a node's top dot, a volume's top dot) and
 * reaches its target from below (a network's or a node's bottom dot). The route is searched on
 * the grid of lines through the endpoints and along every item's box, widened by a margin
 * (a Hanan grid): the cheapest path by length plus a price per bend that never crosses a box.
 * Pure: the deriver calls it with the layout's boxes, the tests with rectangles.
 */

export interface Pt {
  x: number;
  y: number;
}
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** How far a route keeps from an item's box, and how far it runs straight out of a dot. */
export const MARGIN = 8;
export const STUB = 16;
const BEND = 40;
/** How far beyond its ends' box a route may go to get around an item. */
const REACH = 160;
/**
 * More items than this near one edge and it is drawn plain (null): the search grows with the
 * square of their number, and a drag re-routes every edge on each step.
 */
const MAX_NEAR = 16;

type Dir = 0 | 1 | 2 | 3; // up, right, down, left
const DX = [0, 1, 0, -1] as const;
const DY = [-1, 0, 1, 0] as const;

interface Box {
  l: number;
  t: number;
  r: number;
  b: number;
}
const grow = (r: Rect, m: number): Box => ({ l: r.x - m, t: r.y - m, r: r.x + r.w + m, b: r.y + r.h + m });

/** Whether the axis-parallel segment a–b passes through the inside of `o` (its border is allowed). */
export function crosses(a: Pt, b: Pt, o: Box): boolean {
  if (a.y === b.y) {
    const [x1, x2] = a.x < b.x ? [a.x, b.x] : [b.x, a.x];
    return a.y > o.t && a.y < o.b && x1 < o.r && x2 > o.l;
  }
  const [y1, y2] = a.y < b.y ? [a.y, b.y] : [b.y, a.y];
  return a.x > o.l && a.x < o.r && y1 < o.b && y2 > o.t;
}

const clear = (a: Pt, b: Pt, boxes: Box[]) => !boxes.some((o) => crosses(a, b, o));

/** Drops points that lie on the straight line through their neighbours (and repeats). */
export function simplify(points: Pt[]): Pt[] {
  const out: Pt[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.x === p.x && last.y === p.y) continue;
    const prev = out[out.length - 2];
    if (prev && last && ((prev.x === last.x && last.x === p.x) || (prev.y === last.y && last.y === p.y))) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/**
 * The search stays inside the ends' box widened by REACH: items wholly outside it cannot be in
 * the way, and the grid (its size is the cost) has only the lines of the items inside.
 */
function regionOf(from: Pt, to: Pt): Box {
  const [top, bottom] = [Math.min(from.y - STUB, to.y + STUB), Math.max(from.y - STUB, to.y + STUB)];
  return { l: Math.min(from.x, to.x) - REACH, t: top - REACH, r: Math.max(from.x, to.x) + REACH, b: bottom + REACH };
}

/** The items that can be in the way of the route from `from` to `to`: its result depends on these only. */
export function nearby(from: Pt, to: Pt, obstacles: Rect[]): Rect[] {
  const g = regionOf(from, to);
  return obstacles.filter((o) => o.x + o.w + MARGIN > g.l && o.x - MARGIN < g.r && o.y + o.h + MARGIN > g.t && o.y - MARGIN < g.b);
}

/**
 * The route from `from` (a dot the edge leaves upwards) to `to` (a dot it reaches from below)
 * around `obstacles` (every item's box, the two ends' own boxes included): the whole polyline,
 * ends included. Null when no route exists on the grid (then the caller draws a plain edge).
 */
export function route(from: Pt, to: Pt, obstacles: Rect[]): Pt[] | null {
  const s = { x: from.x, y: from.y - STUB };
  const t = { x: to.x, y: to.y + STUB };
  const region = regionOf(from, to);
  const inside = (p: Pt, o: Box) => p.x > o.l && p.x < o.r && p.y > o.t && p.y < o.b;
  const boxes = nearby(from, to, obstacles)
    .map((o) => grow(o, MARGIN))
    .filter((o) => !inside(s, o) && !inside(t, o));
  if (boxes.length > MAX_NEAR) return null;
  // The usual case, a target above its source with nothing between: up, across, up.
  if (t.y <= s.y) {
    const mid = Math.round((s.y + t.y) / 2);
    const simple = [s, { x: s.x, y: mid }, { x: t.x, y: mid }, t];
    if (simple.every((p, i) => i === 0 || clear(simple[i - 1]!, p, boxes))) return simplify([from, ...simple, to]);
  }
  const xs = uniq([region.l, region.r, s.x, t.x, Math.round((s.x + t.x) / 2), ...boxes.flatMap((o) => [o.l, o.r])].filter((x) => x >= region.l && x <= region.r));
  const ys = uniq([region.t, region.b, s.y, t.y, Math.round((s.y + t.y) / 2), ...boxes.flatMap((o) => [o.t, o.b])].filter((y) => y >= region.t && y <= region.b));
  const path = search(xs, ys, s, t, boxes);
  return path ? simplify([from, ...path, to]) : null;
}

const uniq = (v: number[]) => [...new Set(v)].sort((a, b) => a - b);

/** Dijkstra over (grid point, heading): length plus BEND per turn; no U-turns. */
function search(xs: number[], ys: number[], s: Pt, t: Pt, boxes: Box[]): Pt[] | null {
  const W = xs.length;
  const H = ys.length;
  const si = xs.indexOf(s.x) + W * ys.indexOf(s.y);
  const ti = xs.indexOf(t.x) + W * ys.indexOf(t.y);
  const key = (i: number, d: Dir) => i * 4 + d;
  const dist = new Float64Array(W * H * 4).fill(Infinity);
  const prev = new Int32Array(W * H * 4).fill(-1);
  const heap = new MinHeap();
  // The stub out of the source already heads up.
  dist[key(si, 0)] = 0;
  heap.push(0, key(si, 0));
  while (heap.size) {
    const [cost, k] = heap.pop()!;
    if (cost > dist[k]!) continue;
    const i = k >> 2;
    const d = (k & 3) as Dir;
    // Arrive heading up: the stub into the target continues upwards.
    if (i === ti && d === 0) return unwind(prev, k, xs, W, ys);
    const cx = i % W;
    const cy = (i - cx) / W;
    for (const nd of [0, 1, 2, 3] as Dir[]) {
      if ((nd + 2) % 4 === d) continue;
      const nx = cx + DX[nd];
      const ny = cy + DY[nd];
      if (nx < 0 || ny < 0 || nx >= W || ny >= H) continue;
      const a = { x: xs[cx]!, y: ys[cy]! };
      const b = { x: xs[nx]!, y: ys[ny]! };
      if (!clear(a, b, boxes)) continue;
      const ni = nx + W * ny;
      const nk = key(ni, nd);
      const c = cost + Math.abs(b.x - a.x) + Math.abs(b.y - a.y) + (nd === d ? 0 : BEND);
      if (c < dist[nk]!) {
        dist[nk] = c;
        prev[nk] = k;
        heap.push(c, nk);
      }
    }
    // Reaching the target heading sideways costs the turn upwards into it.
    if (i === ti && d !== 2) {
      const up = key(ti, 0);
      if (cost + BEND < dist[up]!) {
        dist[up] = cost + BEND;
        prev[up] = k;
        heap.push(cost + BEND, up);
      }
    }
  }
  return null;
}

function unwind(prev: Int32Array, k: number, xs: number[], W: number, ys: number[]): Pt[] {
  const out: Pt[] = [];
  for (let c = k; c !== -1; c = prev[c]!) {
    const i = c >> 2;
    out.push({ x: xs[i % W]!, y: ys[Math.floor(i / W)]! });
  }
  return out.reverse();
}

/** A binary heap of (cost, key), smallest cost first. */
class MinHeap {
  private c: number[] = [];
  private k: number[] = [];
  get size() {
    return this.c.length;
  }
  push(cost: number, key: number) {
    const { c, k } = this;
    let i = c.length;
    c.push(cost);
    k.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (c[p]! <= cost) break;
      c[i] = c[p]!;
      k[i] = k[p]!;
      i = p;
    }
    c[i] = cost;
    k[i] = key;
  }
  pop(): [number, number] | undefined {
    const { c, k } = this;
    if (!c.length) return undefined;
    const top: [number, number] = [c[0]!, k[0]!];
    const lc = c.pop()!;
    const lk = k.pop()!;
    if (c.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= c.length) break;
        const r = l + 1;
        const m = r < c.length && c[r]! < c[l]! ? r : l;
        if (c[m]! >= lc) break;
        c[i] = c[m]!;
        k[i] = k[m]!;
        i = m;
      }
      c[i] = lc;
      k[i] = lk;
    }
    return top;
  }
}

/** An SVG path through the route's points, each corner rounded by up to `radius`. */
export function roundedPath(points: Pt[], radius = 8): string {
  if (points.length < 2) return '';
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, p, b] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const r = Math.min(radius, Math.hypot(p.x - a.x, p.y - a.y) / 2, Math.hypot(b.x - p.x, b.y - p.y) / 2);
    const before = { x: p.x - Math.sign(p.x - a.x) * r, y: p.y - Math.sign(p.y - a.y) * r };
    const after = { x: p.x + Math.sign(b.x - p.x) * r, y: p.y + Math.sign(b.y - p.y) * r };
    d += ` L ${before.x} ${before.y} Q ${p.x} ${p.y} ${after.x} ${after.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

/** The middle of the route by length, for the edge's label. */
export function midpoint(points: Pt[]): Pt {
  const lengths = points.slice(1).map((p, i) => Math.abs(p.x - points[i]!.x) + Math.abs(p.y - points[i]!.y));
  let half = lengths.reduce((a, b) => a + b, 0) / 2;
  for (let i = 0; i < lengths.length; i++) {
    const [a, b] = [points[i]!, points[i + 1]!];
    if (half <= lengths[i]!) {
      const f = lengths[i] ? half / lengths[i]! : 0;
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
    }
    half -= lengths[i]!;
  }
  return points[0] ?? { x: 0, y: 0 };
}
