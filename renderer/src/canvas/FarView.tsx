/**
 * Draws the far-zoom view (far-view.ts) over React Flow's pane while the DOM nodes are hidden.
 * It reads positions, sizes, selection and the viewport straight from React Flow's store and
 * repaints at most once per animation frame, without re-rendering React.
 */
import { useStoreApi, type ReactFlowState } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { drawFarView, type FarColors, type FarEdge, type FarKind, type FarNode } from './far-view';
import type { LabFlowEdge, LabFlowNode } from './graph';

/** Sizes for nodes React Flow has not measured yet (only nodes once on screen are measured). */
const FALLBACK: Record<FarKind, { width: number; height: number }> = {
  labNode: { width: 190, height: 58 },
  network: { width: 200, height: 44 },
  volume: { width: 150, height: 50 },
};

/** The nodes and edges of the view, from React Flow's own state. */
export function farScene(state: Pick<ReactFlowState<LabFlowNode, LabFlowEdge>, 'nodeLookup' | 'edges'>): { nodes: FarNode[]; edges: FarEdge[] } {
  const nodes: FarNode[] = [];
  for (const n of state.nodeLookup.values()) {
    const kind = (n.type ?? 'labNode') as FarKind;
    const size = n.measured?.width && n.measured.height ? { width: n.measured.width, height: n.measured.height } : FALLBACK[kind] ?? FALLBACK.labNode;
    const pos = n.internals.positionAbsolute;
    nodes.push({ id: n.id, kind, x: pos.x, y: pos.y, ...size, selected: !!n.selected, label: String((n.data as { name?: string }).name ?? '') });
  }
  const edges = state.edges.map((e) => ({ source: e.source, target: e.target, mount: e.data?.kind === 'mount' }));
  return { nodes, edges };
}

function readColors(el: Element): FarColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    labNode: v('--node-mm', '#9aa3b2'),
    network: v('--accent', '#4f5bd5'),
    volume: v('--vol', '#c27c0e'),
    edge: v('--border-strong', '#cfd4dc'),
    mount: v('--vol', '#c27c0e'),
    selected: v('--text', '#1b1f24'),
    text: v('--panel', '#ffffff'),
  };
}

export function FarView() {
  const store = useStoreApi<LabFlowNode, LabFlowEdge>();
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const colors = readColors(canvas);
    let frame = 0;
    const draw = () => {
      frame = 0;
      const state = store.getState();
      const dpr = window.devicePixelRatio || 1;
      const { width, height } = state;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
      }
      const scene = farScene(state);
      drawFarView(ctx, scene.nodes, scene.edges, state.transform, { width, height, dpr }, colors);
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    draw();
    const unsubscribe = store.subscribe(schedule);
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [store]);

  return <canvas ref={ref} className="far-view" data-testid="far-view" />;
}
