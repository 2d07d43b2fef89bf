/**
 * The far-zoom view of a large lab (far-view.ts) in place of React Flow's DOM items, which are
 * hidden meanwhile (neither laid out nor painted nor hit-tested). The lab is drawn once into a
 * bitmap in lab coordinates; panning and zooming only change the bitmap's CSS transform, which
 * the compositor applies without repainting. It is redrawn when the lab or the selection changes,
 * and sharp at the new zoom once a zoom gesture has paused.
 *
 * Pointer input is hit-tested on the scene: pressing on an item selects it (Shift, Ctrl or Cmd
 * toggles) and dragging moves the selection through the editor's store, as a DOM drag does;
 * double-clicking an item zooms in on it, back to the DOM view. Presses on empty space go on to
 * React Flow, which pans, zooms and clears the selection as usual.
 */
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { Pos } from '../store/doc';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { bitmapSize, drawScale, drawScene, itemAt, layerTransform, sceneBounds, splitForDrag, visibleBounds, type FarColors, type FarPart, type FarScene, type Rect } from './far-view';
import type { LabFlowEdge, LabFlowNode } from './graph';

/** How long the viewport must rest before the bitmap is redrawn sharp at the new zoom. */
const SETTLE_MS = 200;

function readColors(el: Element): FarColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const accent = v('--accent', '#4f5bd5');
  return {
    panel: v('--node-bg', v('--panel', '#ffffff')),
    border: v('--border-strong', '#cfd4dc'),
    network: accent,
    networkFill: v('--accent-soft', '#e8eafb'),
    volume: v('--vol', '#c27c0e'),
    link: v('--border-strong', '#cfd4dc'),
    mount: v('--vol', '#c27c0e'),
    selected: accent,
    text: v('--text', '#1b1f24'),
    role: {
      container: v('--role-container', accent),
      desktop: v('--role-desktop', accent),
      vm: v('--role-vm', accent),
      web: v('--role-web', accent),
      database: v('--role-database', accent),
      router: v('--role-router', accent),
    },
  };
}

interface Drawn {
  bounds: Rect;
  scale: number;
  dpr: number;
  zoom: number;
}

export function FarView({ scene }: { scene: FarScene }) {
  const store = useStoreApi<LabFlowNode, LabFlowEdge>();
  const flow = useReactFlow<LabFlowNode, LabFlowEdge>();
  const layerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const movingRef = useRef<HTMLCanvasElement>(null);
  /** While a drag runs: what moves (drawn on the drag layer) and what stays (the base bitmap). */
  const drag = useRef<{ base: FarPart; moving: FarPart } | null>(null);
  const sceneRef = useRef(scene);
  const drawn = useRef<Drawn | null>(null);
  const colors = useRef<FarColors | null>(null);

  // Both helpers read refs only, so one instance serves every effect.
  const helpers = useRef({
    place() {
      const canvas = canvasRef.current;
      const d = drawn.current;
      if (canvas && d) canvas.style.transform = layerTransform(d.bounds, d.scale, d.dpr, store.getState().transform);
    },
    draw() {
      const canvas = canvasRef.current;
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return;
      // Read again on every full redraw: the theme may have changed since the last one.
      colors.current = readColors(canvas);
      const dpr = window.devicePixelRatio || 1;
      const zoom = store.getState().transform[2];
      const bounds = sceneBounds(sceneRef.current);
      const scale = drawScale(bounds, zoom, dpr);
      const size = bitmapSize(bounds, scale);
      if (canvas.width !== size.width || canvas.height !== size.height) {
        canvas.width = size.width;
        canvas.height = size.height;
        canvas.style.width = `${size.width / dpr}px`;
        canvas.style.height = `${size.height / dpr}px`;
      }
      const started = performance.now();
      drawScene(ctx, sceneRef.current, bounds, scale, size, colors.current, drag.current?.base);
      canvas.dataset['drawMs'] = (performance.now() - started).toFixed(2);
      drawn.current = { bounds, scale, dpr, zoom };
      // For tests and benchmarks: what is drawn, without reading pixels.
      canvas.dataset['items'] = String(sceneRef.current.items.length);
      canvas.dataset['panel'] = colors.current.panel;
      canvas.dataset['selected'] = sceneRef.current.items.filter((i) => i.selected).map((i) => i.id).join(' ');
      this.place();
    },
    /** The drag layer: screen-sized, drawn in screen coordinates, only the moving items. */
    drawMoving() {
      const canvas = movingRef.current;
      const ctx = canvas?.getContext('2d');
      const part = drag.current;
      if (!canvas || !ctx || !part) return;
      colors.current ??= readColors(canvas);
      const dpr = window.devicePixelRatio || 1;
      const { width, height, transform } = store.getState();
      const size = { width: Math.max(1, Math.round(width * dpr)), height: Math.max(1, Math.round(height * dpr)) };
      canvas.style.display = '';
      if (canvas.width !== size.width || canvas.height !== size.height) {
        canvas.width = size.width;
        canvas.height = size.height;
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      drawScene(ctx, sceneRef.current, visibleBounds(transform, { width, height }), transform[2] * dpr, size, colors.current, part.moving);
    },
    clearMoving() {
      const canvas = movingRef.current;
      // Out of the page between drags: nothing for the compositor to blend over the lab.
      if (canvas) {
        canvas.width = canvas.height = 1;
        canvas.style.display = 'none';
      }
    },
  }).current;

  // Synchronously after each render that brought a new scene, so the bitmap and the rest of the
  // page change in the same frame.
  useLayoutEffect(() => {
    sceneRef.current = scene;
    if (drag.current) helpers.drawMoving();
    else helpers.draw();
  }, [scene, helpers]);

  // A theme change: the page's colours change in an effect of the app (after this one), so the
  // redraw waits a frame to read them.
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    const frame = requestAnimationFrame(() => helpers.draw());
    return () => cancelAnimationFrame(frame);
  }, [theme, helpers]);

  // Follow the viewport with the transform only; redraw sharp when a zoom has settled.
  useEffect(() => {
    let last = store.getState().transform;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = store.subscribe((s) => {
      if (s.transform === last) return;
      last = s.transform;
      helpers.place();
      if (drag.current) helpers.drawMoving();
      clearTimeout(timer);
      timer = setTimeout(() => {
        const d = drawn.current;
        if (d && Math.abs(store.getState().transform[2] / d.zoom - 1) > 0.02) helpers.draw();
      }, SETTLE_MS);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [store, helpers]);

  useEffect(() => {
    const root = layerRef.current?.closest<HTMLElement>('.react-flow');
    if (!root) return;
    let consumed = false;
    const toLab = (e: MouseEvent): Pos => {
      const r = root.getBoundingClientRect();
      const [tx, ty, zoom] = store.getState().transform;
      return { x: (e.clientX - r.left - tx) / zoom, y: (e.clientY - r.top - ty) / zoom };
    };
    // Minimap, controls and toolbars sit in panels above the lab.
    const hit = (e: MouseEvent) => (e.target instanceof Element && e.target.closest('.react-flow__panel') ? undefined : itemAt(sceneRef.current, toLab(e)));

    const onDown = (e: PointerEvent) => {
      consumed = false;
      if (e.button !== 0) return;
      const item = hit(e);
      if (!item) {
        if (e.shiftKey && !(e.target instanceof Element && e.target.closest('.react-flow__panel'))) boxSelect(e);
        return;
      }
      // Ours: React Flow must not start a pan or a selection box, nor clear the selection on click.
      consumed = true;
      e.preventDefault();
      e.stopPropagation();
      const editor = useEditor.getState();
      let selection = editor.selection;
      if (e.shiftKey || e.ctrlKey || e.metaKey) selection = selection.includes(item.id) ? selection.filter((id) => id !== item.id) : [...selection, item.id];
      else if (!selection.includes(item.id)) selection = [item.id];
      editor.select(selection);
      if (!selection.includes(item.id)) return;

      const start = toLab(e);
      const origins = new Map<string, Pos>();
      for (const id of selection) {
        const it = sceneRef.current.byId.get(id);
        if (it) origins.set(id, { x: it.x, y: it.y });
      }
      let dragging = false;
      const onMove = (m: PointerEvent) => {
        if (!dragging) {
          // A click that wobbles a pixel is not a drag.
          if (Math.hypot(m.clientX - e.clientX, m.clientY - e.clientY) < 3) return;
          dragging = true;
          // The base bitmap without what moves, once; then only the drag layer is redrawn.
          drag.current = splitForDrag(new Set(origins.keys()));
          helpers.draw();
          useEditor.getState().beginDrag();
        }
        const p = toLab(m);
        const moves = new Map<string, Pos>();
        for (const [id, o] of origins) moves.set(id, { x: o.x + p.x - start.x, y: o.y + p.y - start.y });
        useEditor.getState().dragTo(moves);
      };
      const onUp = () => {
        window.removeEventListener('pointermove', onMove);
        window.removeEventListener('pointerup', onUp);
        window.removeEventListener('pointercancel', onUp);
        if (!dragging) return;
        useEditor.getState().endDrag();
        drag.current = null;
        helpers.draw();
        helpers.clearMoving();
      };
      window.addEventListener('pointermove', onMove);
      window.addEventListener('pointerup', onUp);
      window.addEventListener('pointercancel', onUp);
    };
    /**
     * Shift and drag on empty space: the items wholly inside the box become the selection, as in
     * React Flow's own box, which skips hidden nodes and so would select nothing here.
     */
    const boxSelect = (e: PointerEvent) => {
      consumed = true;
      e.preventDefault();
      e.stopPropagation();
      const layer = layerRef.current;
      if (!layer) return;
      const r = root.getBoundingClientRect();
      const box = document.createElement('div');
      box.className = 'far-box';
      box.dataset['testid'] = 'far-box';
      layer.append(box);
      const start = toLab(e);
      const onMove = (m: PointerEvent) => {
        const [x0, x1] = [e.clientX, m.clientX].sort((a, b) => a - b) as [number, number];
        const [y0, y1] = [e.clientY, m.clientY].sort((a, b) => a - b) as [number, number];
        box.style.transform = `translate(${x0 - r.left}px, ${y0 - r.top}px)`;
        box.style.width = `${x1 - x0}px`;
        box.style.height = `${y1 - y0}px`;
      };
      const onUp = (u: PointerEvent) => {
        window.removeEventListener('pointermove', onMove);
        window.removeEventListener('pointerup', onUp);
        window.removeEventListener('pointercancel', onUp);
        box.remove();
        if (Math.hypot(u.clientX - e.clientX, u.clientY - e.clientY) < 3) return;
        const end = toLab(u);
        const [left, right] = [Math.min(start.x, end.x), Math.max(start.x, end.x)];
        const [top, bottom] = [Math.min(start.y, end.y), Math.max(start.y, end.y)];
        const inside = sceneRef.current.items.filter((i) => i.x >= left && i.y >= top && i.x + i.width <= right && i.y + i.height <= bottom);
        useEditor.getState().select(inside.map((i) => i.id));
      };
      window.addEventListener('pointermove', onMove);
      window.addEventListener('pointerup', onUp);
      window.addEventListener('pointercancel', onUp);
    };
    const swallow = (e: Event) => {
      if (consumed) e.stopPropagation();
    };
    const onDoubleClick = (e: MouseEvent) => {
      const item = hit(e);
      if (!item) return;
      e.preventDefault();
      e.stopPropagation();
      void flow.setCenter(item.x + item.width / 2, item.y + item.height / 2, { zoom: 1, duration: 250 });
    };
    // A pointer over an item shows it can be pressed (the pane's own cursor says "pan").
    const onHover = (e: PointerEvent) => {
      if (e.buttons === 0) root.classList.toggle('far-hover', !!hit(e));
    };
    root.addEventListener('pointermove', onHover);
    root.addEventListener('pointerdown', onDown, true);
    root.addEventListener('mousedown', swallow, true);
    root.addEventListener('click', swallow, true);
    root.addEventListener('dblclick', onDoubleClick, true);
    return () => {
      root.removeEventListener('pointermove', onHover);
      root.classList.remove('far-hover');
      root.removeEventListener('pointerdown', onDown, true);
      root.removeEventListener('mousedown', swallow, true);
      root.removeEventListener('click', swallow, true);
      root.removeEventListener('dblclick', onDoubleClick, true);
    };
  }, [store, flow, helpers]);

  return (
    <div ref={layerRef} className="far-layer">
      <canvas ref={canvasRef} className="far-view" data-testid="far-view" />
      <canvas ref={movingRef} className="far-view-moving" width={1} height={1} style={{ display: 'none' }} />
    </div>
  );
}
