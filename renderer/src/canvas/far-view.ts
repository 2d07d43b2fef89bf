/**
 * The far-zoom view of a large lab: every item a box, every link a line, drawn once into one
 * bitmap in lab coordinates. Under software raster (no GPU) hundreds of DOM nodes could not be
 * re-rastered within a frame while panning or zooming, and a canvas repainted on every frame was
 * no better; a bitmap that the compositor only moves and scales costs almost nothing per frame.
 * It is redrawn when the lab or the selection changes, or, sharp again, when a zoom gesture ends.
 * Pure geometry, drawing and hit testing here, so they are tested without a browser.
 */
import type { Doc, EntityKind } from '../store/doc';
import { entityId, SECTION } from '../store/doc';
import { nodeRole, type NodeRole } from './role';

export interface FarItem {
  id: string;
  kind: EntityKind;
  role: NodeRole | null;
  x: number;
  y: number;
  width: number;
  height: number;
  selected: boolean;
  label: string;
}

/** A line from the top middle of `from` to the bottom middle of `to`, as the DOM edges run. */
export interface FarLine {
  from: string;
  to: string;
  mount: boolean;
}

export interface FarScene {
  items: FarItem[];
  lines: FarLine[];
  byId: Map<string, FarItem>;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

type Size = { width: number; height: number };

/** Sizes of items React Flow has not measured (the CSS sizes of .lab-node, .net-node, .vol-node). */
export const FALLBACK_SIZE: Record<EntityKind, Size> = {
  node: { width: 200, height: 67 },
  network: { width: 220, height: 40 },
  volume: { width: 140, height: 48 },
};

/** The scene from the editor's document (the one source of positions), with measured sizes where known. */
export function farScene(doc: Doc, selection: ReadonlySet<string>, measured: ReadonlyMap<string, Size>): FarScene {
  const items: FarItem[] = [];
  const byId = new Map<string, FarItem>();
  const add = (kind: EntityKind, name: string, role: NodeRole | null) => {
    const id = entityId(kind, name);
    const pos = doc.layout[SECTION[kind]][name] ?? { x: 0, y: 0 };
    const size = measured.get(id) ?? FALLBACK_SIZE[kind];
    const item: FarItem = { id, kind, role, x: pos.x, y: pos.y, width: size.width, height: size.height, selected: selection.has(id), label: name };
    items.push(item);
    byId.set(id, item);
  };
  for (const n of doc.lab.networks) add('network', n.name, null);
  for (const v of doc.lab.volumes) add('volume', v.name, null);
  for (const n of doc.lab.nodes) add('node', n.name, nodeRole(n));
  // Selected items on top, as React Flow raises them: drawn last and hit first.
  items.sort((a, b) => Number(a.selected) - Number(b.selected));
  const lines: FarLine[] = [];
  for (const n of doc.lab.nodes) {
    const node = entityId('node', n.name);
    for (const net of n.networks ?? []) {
      const to = entityId('network', net);
      if (byId.has(to)) lines.push({ from: node, to, mount: false });
    }
    for (const m of n.volumes ?? []) {
      const from = entityId('volume', m.volume);
      if (byId.has(from)) lines.push({ from, to: node, mount: true });
    }
  }
  return { items, lines, byId };
}

/** Room around the items for strokes that stick out of their boxes (selection outline). */
const MARGIN = 8;

export function sceneBounds(scene: FarScene): Rect {
  if (!scene.items.length) return { x: 0, y: 0, width: 1, height: 1 };
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const i of scene.items) {
    left = Math.min(left, i.x);
    top = Math.min(top, i.y);
    right = Math.max(right, i.x + i.width);
    bottom = Math.max(bottom, i.y + i.height);
  }
  return { x: left - MARGIN, y: top - MARGIN, width: right - left + 2 * MARGIN, height: bottom - top + 2 * MARGIN };
}

/**
 * Device pixels per lab unit for drawing `bounds` at `zoom`: sharp at that zoom, unless the
 * bitmap would pass the limits (side and area) browsers and memory allow, then coarser.
 */
export function drawScale(bounds: Rect, zoom: number, dpr: number, limits = { side: 8192, area: 16_000_000 }): number {
  let scale = zoom * dpr;
  scale = Math.min(scale, limits.side / bounds.width, limits.side / bounds.height);
  const area = bounds.width * bounds.height * scale * scale;
  if (area > limits.area) scale *= Math.sqrt(limits.area / area);
  return scale;
}

/** The bitmap's size in device pixels. */
export const bitmapSize = (bounds: Rect, scale: number): Size => ({
  width: Math.max(1, Math.ceil(bounds.width * scale)),
  height: Math.max(1, Math.ceil(bounds.height * scale)),
});

/** [x, y, zoom] as React Flow keeps it: screen = lab × zoom + (x, y). */
export type Viewport = readonly [number, number, number];

/**
 * The CSS transform that puts a bitmap drawn at `scale` (its CSS size being its device size / dpr,
 * origin top left) where the viewport shows its bounds.
 */
export function layerTransform(bounds: Rect, scale: number, dpr: number, [tx, ty, zoom]: Viewport): string {
  const s = (zoom * dpr) / scale;
  return `translate(${tx + bounds.x * zoom}px, ${ty + bounds.y * zoom}px) scale(${s})`;
}

export interface FarColors {
  panel: string;
  border: string;
  network: string;
  networkFill: string;
  volume: string;
  link: string;
  mount: string;
  selected: string;
  text: string;
  role: Record<NodeRole, string>;
}

/** The subset of CanvasRenderingContext2D the view uses. */
export type FarContext = Pick<CanvasRenderingContext2D, 'setTransform' | 'clearRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'rect' | 'fill' | 'stroke' | 'fillRect' | 'strokeRect' | 'fillText' | 'setLineDash'> & {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textBaseline: CanvasTextBaseline;
};

/** Under this many device pixels per lab unit, labels would be too small to read and are left out. */
const LABEL_MIN_SCALE = 0.3;
const ROLES: NodeRole[] = ['container', 'desktop', 'vm', 'web', 'database', 'router'];

/** Which items and lines a bitmap shows: all of them, or a part (see `splitForDrag`). */
export interface FarPart {
  item(i: FarItem): boolean;
  line(l: FarLine): boolean;
}
const EVERYTHING: FarPart = { item: () => true, line: () => true };

/**
 * A drag redraws only what moves: the base bitmap holds everything else and stays as it is, the
 * drag layer holds the moving items and their lines. Raster, not our JavaScript, is what a
 * redraw costs under software rendering, and it grows with the number of items drawn.
 */
export function splitForDrag(moving: ReadonlySet<string>): { base: FarPart; moving: FarPart } {
  return {
    base: { item: (i) => !moving.has(i.id), line: (l) => !moving.has(l.from) && !moving.has(l.to) },
    moving: { item: (i) => moving.has(i.id), line: (l) => moving.has(l.from) || moving.has(l.to) },
  };
}

/** The part of the lab a screen-sized bitmap at `dpr` shows under a viewport, as bounds for drawScene. */
export const visibleBounds = ([tx, ty, zoom]: Viewport, screen: Size): Rect => ({ x: -tx / zoom, y: -ty / zoom, width: screen.width / zoom, height: screen.height / zoom });

/**
 * Draws the scene (or `part` of it) into a bitmap of bitmapSize(bounds, scale). Items of one look
 * share one path, filled or stroked once, so a thousand items are a handful of raster calls.
 */
export function drawScene(ctx: FarContext, scene: FarScene, bounds: Rect, scale: number, size: Size, colors: FarColors, part: FarPart = EVERYTHING): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.setTransform(scale, 0, 0, scale, -bounds.x * scale, -bounds.y * scale);
  const px = 1 / scale; // one device pixel in lab units

  for (const mount of [false, true]) {
    ctx.beginPath();
    let any = false;
    for (const l of scene.lines) {
      if (l.mount !== mount || !part.line(l)) continue;
      const a = scene.byId.get(l.from);
      const b = scene.byId.get(l.to);
      if (!a || !b) continue;
      ctx.moveTo(a.x + a.width / 2, a.y);
      ctx.lineTo(b.x + b.width / 2, b.y + b.height);
      any = true;
    }
    if (!any) continue;
    ctx.strokeStyle = mount ? colors.mount : colors.link;
    ctx.lineWidth = Math.max(1.5, 2 * scale) * px;
    ctx.setLineDash(mount ? [5, 4] : []);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  const boxes = (pick: (i: FarItem) => boolean, fill: string | null, stroke: string | null) => {
    ctx.beginPath();
    let any = false;
    for (const i of scene.items) {
      if (!pick(i) || !part.item(i)) continue;
      ctx.rect(i.x, i.y, i.width, i.height);
      any = true;
    }
    if (!any) return;
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    if (stroke) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = Math.max(1, 1.5 * scale) * px;
      ctx.stroke();
    }
  };
  boxes((i) => i.kind === 'network', colors.networkFill, colors.network);
  boxes((i) => i.kind === 'volume', colors.panel, colors.volume);
  boxes((i) => i.kind === 'node', colors.panel, colors.border);
  // The role stripe on the left edge of each node, as in the DOM view.
  for (const role of ROLES) {
    ctx.beginPath();
    let any = false;
    for (const i of scene.items) {
      if (i.role !== role || !part.item(i)) continue;
      ctx.rect(i.x, i.y, Math.min(i.width, Math.max(4, 3 * px)), i.height);
      any = true;
    }
    if (!any) continue;
    ctx.fillStyle = colors.role[role];
    ctx.fill();
  }

  ctx.beginPath();
  let selected = false;
  for (const i of scene.items) {
    if (!i.selected || !part.item(i)) continue;
    ctx.rect(i.x - 2, i.y - 2, i.width + 4, i.height + 4);
    selected = true;
  }
  if (selected) {
    ctx.strokeStyle = colors.selected;
    ctx.lineWidth = Math.max(3, 2.5 * px);
    ctx.stroke();
  }

  if (scale >= LABEL_MIN_SCALE) {
    ctx.fillStyle = colors.text;
    ctx.font = '600 18px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const i of scene.items) if (part.item(i)) ctx.fillText(i.label, i.x + 12, i.y + i.height / 2, Math.max(1, i.width - 20));
  }
}

/** The topmost item under a point in lab coordinates (nodes on top of the rest, selected ones on top of nodes). */
export function itemAt(scene: FarScene, p: { x: number; y: number }): FarItem | undefined {
  for (const kind of ['node', 'volume', 'network'] as const) {
    for (let k = scene.items.length - 1; k >= 0; k--) {
      const i = scene.items[k]!;
      if (i.kind === kind && p.x >= i.x && p.x <= i.x + i.width && p.y >= i.y && p.y <= i.y + i.height) return i;
    }
  }
  return undefined;
}

/**
 * The far view replaces the DOM under this zoom (where nodes also drop their small print) in labs
 * of at least this many items: smaller labs stay fast enough as DOM at every zoom.
 */
export const FAR_ZOOM = 0.5;
export const FAR_MIN_ITEMS = 150;
