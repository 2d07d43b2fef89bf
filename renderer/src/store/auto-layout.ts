/**
 * Where items go on the canvas when nobody placed them: the layered automatic layout (for a lab
 * opened without positions, and Layout), free space for "click to add", and the box a lab's
 * items take together (a template's size). Pure functions of a Doc (doc.ts).
 */
import type { Lab } from '../../../common/lab/schema';
import { ITEM_SIZE, NET_W, NODE_H, NODE_W, SECTION, type Doc, type Layout, type Pos } from './doc';

const GAP_X = 40;

/** Builds a Doc from a parsed lab; entities without a saved position get an automatic one. */
export function fromLab(lab: Lab): Doc {
  const { layout, ...body } = lab;
  const doc: Doc = {
    lab: { ...body, nodes: body.nodes ?? [], networks: body.networks ?? [], volumes: body.volumes ?? [], exposures: body.exposures ?? [] },
    layout: { nodes: { ...layout?.nodes }, networks: { ...layout?.networks }, volumes: { ...layout?.volumes } },
  };
  const missing =
    doc.lab.nodes.some((n) => !doc.layout.nodes[n.name]) ||
    doc.lab.networks.some((n) => !doc.layout.networks[n.name]) ||
    doc.lab.volumes.some((v) => !doc.layout.volumes[v.name]);
  if (!missing) return doc;
  const auto = autoLayout(doc).layout;
  return {
    ...doc,
    layout: {
      nodes: { ...auto.nodes, ...doc.layout.nodes },
      networks: { ...auto.networks, ...doc.layout.networks },
      volumes: { ...auto.volumes, ...doc.layout.volumes },
    },
  };
}

/** The box around every item of a doc, with the items' sizes on the canvas. */
export function bounds(doc: Doc): { left: number; top: number; right: number; bottom: number } {
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const kind of ['node', 'network', 'volume'] as const) {
    const { w, h } = ITEM_SIZE[kind];
    for (const p of Object.values(doc.layout[SECTION[kind]])) {
      box.left = Math.min(box.left, p.x);
      box.top = Math.min(box.top, p.y);
      box.right = Math.max(box.right, p.x + w);
      box.bottom = Math.max(box.bottom, p.y + h);
    }
  }
  return Number.isFinite(box.left) ? box : { left: 0, top: 0, right: 0, bottom: 0 };
}


/**
 * A simple layered layout: networks in the top row, nodes below at the mean x of their
 * networks (so a router sits between the segments it joins), volumes under the first node that
 * mounts them. Overlaps in a row are pushed right.
 */
export function autoLayout(doc: Doc): Doc {
  const { nodes, networks, volumes } = doc.lab;
  const layout: Layout = { nodes: {}, networks: {}, volumes: {} };
  const netX = new Map<string, number>();
  // Order networks by first use so the nodes below do not cross much.
  const order: string[] = [];
  for (const n of nodes) for (const x of n.networks ?? []) if (!order.includes(x)) order.push(x);
  for (const n of networks) if (!order.includes(n.name)) order.push(n.name);
  const members = new Map<string, number>();
  for (const n of nodes) for (const x of n.networks ?? []) members.set(x, (members.get(x) ?? 0) + 1);
  let x = 0;
  for (const name of order) {
    if (!networks.some((n) => n.name === name)) continue;
    // A network is as wide as the nodes that hang under it.
    const width = Math.max(NET_W, (members.get(name) ?? 1) * (NODE_W + GAP_X) - GAP_X);
    layout.networks[name] = { x: Math.round(x + width / 2 - NET_W / 2), y: 0 };
    netX.set(name, x + width / 2);
    x += width + GAP_X * 2;
  }
  const place = (row: { name: string; want: number }[], y: number, target: Record<string, Pos>, width: number) => {
    row.sort((a, b) => a.want - b.want);
    let cursor = -Infinity;
    for (const r of row) {
      const left = Math.max(r.want - width / 2, cursor);
      target[r.name] = { x: Math.round(left), y };
      cursor = left + width + GAP_X;
    }
  };
  let loose = x;
  const nodeRow = nodes.map((n) => {
    const xs = (n.networks ?? []).map((k) => netX.get(k)).filter((v): v is number => v !== undefined);
    const want = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : (loose += NODE_W + GAP_X);
    return { name: n.name, want };
  });
  // Nodes on several networks (routers) get their own row, so they sit between the segments.
  place(nodeRow.filter((r) => (nodes.find((n) => n.name === r.name)?.networks?.length ?? 0) > 1), 140, layout.nodes, NODE_W);
  place(nodeRow.filter((r) => (nodes.find((n) => n.name === r.name)?.networks?.length ?? 0) <= 1), 280, layout.nodes, NODE_W);
  const volRow = volumes.map((v) => {
    const user = nodes.find((n) => n.volumes?.some((m) => m.volume === v.name));
    const p = user ? layout.nodes[user.name] : undefined;
    return { name: v.name, want: p ? p.x + NODE_W / 2 : (loose += 160) };
  });
  place(volRow, 420, layout.volumes, 140);
  return { ...doc, layout };
}

/**
 * The centre nearest to `center` where a box of `size` covers no item of the doc (with a gap
 * around each), trying rings of places around it, nearest first: what "click to add" uses so a
 * new node never lands on top of another.
 */
export function freeCenter(doc: Doc, size: { w: number; h: number }, center: Pos, gap = 24): Pos {
  const taken: { left: number; top: number; right: number; bottom: number }[] = [];
  for (const kind of ['node', 'network', 'volume'] as const) {
    const { w, h } = ITEM_SIZE[kind];
    for (const p of Object.values(doc.layout[SECTION[kind]])) taken.push({ left: p.x - gap, top: p.y - gap, right: p.x + w + gap, bottom: p.y + h + gap });
  }
  const free = (c: Pos) => {
    const box = { left: c.x - size.w / 2, top: c.y - size.h / 2, right: c.x + size.w / 2, bottom: c.y + size.h / 2 };
    return taken.every((t) => box.right <= t.left || box.left >= t.right || box.bottom <= t.top || box.top >= t.bottom);
  };
  if (free(center)) return center;
  const step = { x: size.w / 2 + gap, y: size.h / 2 + gap };
  for (let ring = 1; ring <= 40; ring++) {
    const spots: Pos[] = [];
    for (let i = -ring; i <= ring; i++)
      for (let j = -ring; j <= ring; j++) if (Math.max(Math.abs(i), Math.abs(j)) === ring) spots.push({ x: center.x + i * step.x, y: center.y + j * step.y });
    spots.sort((a, b) => Math.hypot(a.x - center.x, a.y - center.y) - Math.hypot(b.x - center.x, b.y - center.y));
    const spot = spots.find(free);
    if (spot) return spot;
  }
  return center;
}

/** The size of a lab's items together on the canvas (a template's box). */
export function labBoxSize(lab: Lab): { w: number; h: number } {
  const box = bounds(fromLab(lab));
  return { w: box.right - box.left, h: box.bottom - box.top };
}
