/**
 * The far-zoom view of a large lab: every node a filled box, every link a line, drawn on one
 * 2D canvas instead of hundreds of DOM elements. Zoomed out that far the boxes carry no
 * readable detail, and software raster (no GPU) could not repaint the DOM version within a
 * frame while panning. Pure drawing and hit testing, so they can be tested without a browser.
 */

export type FarKind = 'labNode' | 'network' | 'volume';

export interface FarNode {
  id: string;
  kind: FarKind;
  x: number;
  y: number;
  width: number;
  height: number;
  selected: boolean;
  label: string;
}

export interface FarEdge {
  source: string;
  target: string;
  mount: boolean;
}

export interface FarColors {
  labNode: string;
  network: string;
  volume: string;
  edge: string;
  mount: string;
  selected: string;
  text: string;
}

/** The subset of CanvasRenderingContext2D the view uses. */
export type FarContext = Pick<
  CanvasRenderingContext2D,
  'setTransform' | 'clearRect' | 'beginPath' | 'moveTo' | 'lineTo' | 'rect' | 'fill' | 'stroke' | 'strokeRect' | 'fillText' | 'setLineDash'
> & { fillStyle: unknown; strokeStyle: unknown; lineWidth: number; font: string; textBaseline: CanvasTextBaseline };

/** [x, y, zoom] as React Flow keeps it: screen = flow × zoom + (x, y). */
export type Transform = [number, number, number];

/** Nodes smaller than this on screen get no label; labels under ~5 px cannot be read. */
const LABEL_MIN_ZOOM = 0.3;

/** Draws the whole view; the canvas is `width`×`height` CSS pixels at `dpr` device pixels each. */
export function drawFarView(ctx: FarContext, nodes: FarNode[], edges: FarEdge[], t: Transform, size: { width: number; height: number; dpr: number }, colors: FarColors): void {
  const [tx, ty, zoom] = t;
  ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.setTransform(size.dpr * zoom, 0, 0, size.dpr * zoom, size.dpr * tx, size.dpr * ty);

  // What is on screen, in flow coordinates (with a margin for lines that cross the edge).
  const left = -tx / zoom;
  const top = -ty / zoom;
  const right = left + size.width / zoom;
  const bottom = top + size.height / zoom;
  const visible = (n: FarNode) => n.x + n.width >= left && n.x <= right && n.y + n.height >= top && n.y <= bottom;

  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Links, then mounts: one path each, stroked once.
  for (const mount of [false, true]) {
    ctx.beginPath();
    let any = false;
    for (const e of edges) {
      if (e.mount !== mount) continue;
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!a || !b || (!visible(a) && !visible(b))) continue;
      ctx.moveTo(a.x + a.width / 2, a.y + a.height / 2);
      ctx.lineTo(b.x + b.width / 2, b.y + b.height / 2);
      any = true;
    }
    if (!any) continue;
    ctx.strokeStyle = mount ? colors.mount : colors.edge;
    ctx.lineWidth = 1.5 / zoom;
    ctx.setLineDash(mount ? [5 / zoom, 4 / zoom] : []);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // Boxes: one path per kind, filled once.
  for (const kind of ['network', 'volume', 'labNode'] as const) {
    ctx.beginPath();
    let any = false;
    for (const n of nodes) {
      if (n.kind !== kind || !visible(n)) continue;
      ctx.rect(n.x, n.y, n.width, n.height);
      any = true;
    }
    if (!any) continue;
    ctx.fillStyle = colors[kind];
    ctx.fill();
  }

  ctx.strokeStyle = colors.selected;
  ctx.lineWidth = 3 / zoom;
  for (const n of nodes) if (n.selected && visible(n)) ctx.strokeRect(n.x, n.y, n.width, n.height);

  if (zoom >= LABEL_MIN_ZOOM) {
    ctx.fillStyle = colors.text;
    ctx.font = '600 16px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const n of nodes) if (visible(n)) ctx.fillText(n.label, n.x + 8, n.y + n.height / 2, n.width - 16);
  }
}

/** The topmost node under a point in flow coordinates (boxes are drawn lab nodes last, on top). */
export function nodeAt(nodes: FarNode[], p: { x: number; y: number }): FarNode | undefined {
  const order: FarKind[] = ['labNode', 'volume', 'network'];
  for (const kind of order) {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      if (n.kind === kind && p.x >= n.x && p.x <= n.x + n.width && p.y >= n.y && p.y <= n.y + n.height) return n;
    }
  }
  return undefined;
}
