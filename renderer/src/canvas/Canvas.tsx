import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { placePaletteItem } from '../lib/palette';
import { useClusterProblems } from '../class/problems';
import { parseId, type Pos } from '../store/doc';
import { useEditor, type ViewAction } from '../store/editor';
import { DND_TYPE, parsePaletteItemId } from '../store/palette';
import { GraphDeriver, type LabFlowEdge, type LabFlowNode } from './graph';
import { FAR_MIN_ITEMS, FAR_ZOOM, farScene } from './far-view';
import { FarView } from './FarView';
import { nodeTypes } from './nodes';
import { edgeTypes } from './edges';
import { CanvasToolbar } from '../components/CanvasToolbar';
import { DiffBanner } from '../class/DiffBanner';

// Hidden items count too: in the far view every item is hidden from React Flow.
const FIT = { padding: 0.2, maxZoom: 1.2, includeHiddenNodes: true };
const NO_EDGES: LabFlowEdge[] = [];
/**
 * `localStorage['labforge.farView'] = 'off'` keeps the DOM at every zoom: the canvas benchmark
 * measures both in one run, and it is a way out should the far view misbehave on some machine.
 */
const FAR_VIEW_ENABLED = (() => {
  try {
    return globalThis.localStorage?.getItem('labforge.farView') !== 'off';
  } catch {
    return true;
  }
})();


/**
 * React Flow's fitView waits until the nodes it was given are measured, so a request made with
 * a new doc fits that doc's nodes, however long they take to render.
 */
function applyView(flow: Pick<ReactFlowInstance<LabFlowNode, LabFlowEdge>, 'fitView' | 'zoomIn' | 'zoomOut'>, action: ViewAction): void {
  if (action === 'fit') void flow.fitView({ ...FIT, duration: 200 });
  else if (action === 'zoomIn') void flow.zoomIn({ duration: 150 });
  else void flow.zoomOut({ duration: 150 });
}

const kindOf = (id: string | null | undefined) => (id ? parseId(id)?.type : undefined);

/** node↔network and volume↔node only; checked again by the store. */
const validConnection: IsValidConnection = (c) => {
  const a = kindOf(c.source);
  const b = kindOf(c.target);
  const pair = new Set([a, b]);
  return (pair.has('node') && pair.has('network')) || (pair.has('node') && pair.has('volume'));
};

/** Connects two items (from a dot to a dot or to an item's body); a new mount asks for its path. */
function connectItems(a: string, b: string): void {
  const store = useEditor.getState();
  const edge = store.connect(a, b);
  // A new mount needs its path: select the node so the inspector shows the mount form, with
  // the cursor in the new mount's path.
  const mount = edge ? parseId(edge) : null;
  if (edge && mount?.type === 'mount') {
    store.select([`node:${mount.node}`]);
    store.focusField(edge);
  }
}

const minimapColor = (n: { type?: string }) => (n.type === 'network' ? 'var(--accent)' : n.type === 'volume' ? 'var(--vol)' : 'var(--node-mm)');

export function Canvas() {
  const doc = useEditor((s) => s.doc);
  const selectionList = useEditor((s) => s.selection);
  const labIssues = useEditor((s) => s.issues);
  // Refusals from the last deploy and nodes failing in dev badge their nodes like lab issues do.
  const clusterIssues = useClusterProblems();
  const issues = useMemo(() => (clusterIssues.length ? [...labIssues, ...clusterIssues] : labIssues), [labIssues, clusterIssues]);
  const focusRequest = useEditor((s) => s.focusRequest);
  const viewRequest = useEditor((s) => s.viewRequest);
  const flow = useReactFlow<LabFlowNode, LabFlowEdge>();
  const deriver = useMemo(() => new GraphDeriver(), []);
  const [measureTick, setMeasureTick] = useState(0);
  const selection = useMemo(() => new Set(selectionList), [selectionList]);
  // Level of detail: zoomed far out, nodes drop their small print (unreadable anyway), which
  // keeps large labs cheap to paint. Only a threshold crossing re-renders.
  const [far, setFar] = useState(false);
  // Large labs, zoomed out: the far view draws the lab and React Flow renders no item at all. It
  // starts as soon as the zoom passes the threshold, but hands back to the DOM only when the
  // gesture ends: mounting hundreds of nodes takes several frames, and the bitmap can be scaled
  // up meanwhile.
  const [farZoom, setFarZoom] = useState(false);
  const onMove = useCallback((_: unknown, vp: { zoom: number }) => {
    setFar(vp.zoom < FAR_ZOOM);
    if (vp.zoom < FAR_ZOOM) setFarZoom(true);
  }, []);
  const onMoveEnd = useCallback((_: unknown, vp: { zoom: number }) => setFarZoom(vp.zoom < FAR_ZOOM), []);
  const itemCount = doc.lab.nodes.length + doc.lab.networks.length + doc.lab.volumes.length;
  const farView = FAR_VIEW_ENABLED && farZoom && itemCount >= FAR_MIN_ITEMS;
  // While the far view drags, React Flow keeps the hidden nodes it had (it draws none of them):
  // deriving and handing it a thousand nodes on every pointer move would cost more than the drawing.
  const dragging = useEditor((s) => s.dragOrigin !== null);
  const hold = farView && dragging;
  const held = useRef<LabFlowNode[]>([]);
  // measureTick forces a re-derive when React Flow reports sizes.
  const nodes = useMemo(() => (hold ? held.current : deriver.deriveNodes(doc, selection, issues)), [hold, deriver, doc, selection, issues, measureTick]);
  // The far view draws its own lines: no edges for React Flow meanwhile.
  // Routes go around the items' measured boxes: re-derived when a size is measured too.
  const edges = useMemo(() => (farView ? NO_EDGES : deriver.deriveEdges(doc, selection)), [farView, deriver, doc, selection, measureTick]);
  const hidden = useMemo(() => new WeakMap<LabFlowNode, LabFlowNode>(), []);
  const flowNodes = useMemo(
    () =>
      farView && !hold
        ? nodes.map((n) => {
            // One hidden copy per node object, so an unchanged node stays the same object.
            let h = hidden.get(n);
            if (!h) hidden.set(n, (h = { ...n, hidden: true } as LabFlowNode));
            return h;
          })
        : nodes,
    [farView, hold, nodes, hidden],
  );
  held.current = flowNodes;
  const scene = useMemo(() => (farView ? farScene(doc, selection, deriver.measured) : null), [farView, doc, selection, deriver, measureTick]);

  const onNodesChange = useCallback(
    (changes: NodeChange<LabFlowNode>[]) => {
      const store = useEditor.getState();
      const moves = new Map<string, Pos>();
      let select: Set<string> | null = null;
      let measured = false;
      for (const c of changes) {
        if (c.type === 'position' && c.position) moves.set(c.id, c.position);
        else if (c.type === 'dimensions' && c.dimensions) {
          const prev = deriver.measured.get(c.id);
          if (!prev || prev.width !== c.dimensions.width || prev.height !== c.dimensions.height) {
            deriver.measured.set(c.id, c.dimensions);
            measured = true;
          }
        } else if (c.type === 'select') {
          select ??= new Set(store.selection);
          if (c.selected) select.add(c.id);
          else select.delete(c.id);
        }
      }
      if (moves.size) store.dragTo(moves);
      if (select) store.select([...select]);
      if (measured) setMeasureTick((t) => t + 1);
    },
    [deriver],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<LabFlowEdge>[]) => {
    const store = useEditor.getState();
    let select: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'select') {
        select ??= new Set(store.selection);
        if (c.selected) select.add(c.id);
        else select.delete(c.id);
      }
    }
    if (select) store.select([...select]);
  }, []);

  const onConnect = useCallback((c: Connection) => connectItems(c.source, c.target), []);

  // A drag from a dot that ends on an item's body rather than on its small dot connects too:
  // the item under the pointer is the target (the store refuses pairs that cannot connect).
  const onConnectEnd = useCallback((event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromNode) return;
    const at = 'changedTouches' in event ? event.changedTouches[0] : event;
    if (!at) return;
    const target = document.elementFromPoint(at.clientX, at.clientY)?.closest('.react-flow__node')?.getAttribute('data-id');
    if (target && target !== state.fromNode.id) connectItems(state.fromNode.id, target);
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DND_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const item = parsePaletteItemId(e.dataTransfer.getData(DND_TYPE));
      if (!item) return;
      e.preventDefault();
      // The drop point is the item's centre.
      void placePaletteItem(item, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [flow],
  );

  // Requests to the view run after the render that brought their doc (effects run after React
  // Flow has taken the new nodes). One that came while the canvas was hidden runs when it mounts,
  // in place of the fit onInit would do.
  const requestRan = useRef(false);
  useEffect(() => {
    if (!focusRequest) return;
    requestRan.current = true;
    const n = flow.getNode(focusRequest);
    if (n) {
      const w = n.measured?.width ?? 200;
      const h = n.measured?.height ?? 60;
      void flow.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 250 });
    }
    useEditor.getState().handled('focusRequest');
  }, [focusRequest, flow]);

  useEffect(() => {
    if (!viewRequest) return;
    requestRan.current = true;
    applyView(flow, viewRequest);
    useEditor.getState().handled('viewRequest');
  }, [viewRequest, flow]);

  const empty = doc.lab.nodes.length === 0 && doc.lab.networks.length === 0 && doc.lab.volumes.length === 0;

  return (
    <div className={`canvas${far ? ' lod-far' : ''}`} data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<LabFlowNode, LabFlowEdge>
        nodes={flowNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onMove={onMove}
        onMoveEnd={onMoveEnd}
        onNodeDragStart={() => {
          useEditor.getState().beginDrag();
        }}
        onNodeDragStop={() => {
          useEditor.getState().endDrag();
        }}
        onSelectionDragStart={() => useEditor.getState().beginDrag()}
        onSelectionDragStop={() => useEditor.getState().endDrag()}
        isValidConnection={validConnection}
        connectionMode={ConnectionMode.Loose}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control', 'Shift']}
        defaultViewport={{ x: 0, y: 0, zoom: 1 }}
        minZoom={0.05}
        maxZoom={2.5}
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
        onInit={(instance) => {
          // Fit once for a lab that is already there; an empty canvas keeps zoom 1.
          if (!requestRan.current && useEditor.getState().doc.lab.nodes.length) void instance.fitView(FIT);
        }}
      >
        {/* The far view shows the whole lab already; the dots, a pixel apart at that zoom, would
            be re-rastered on every frame of a pan, and the minimap walks every node per frame. */}
        {farView ? null : <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />}
        {farView ? null : <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={0} className="minimap" />}
        <Controls showInteractive={false} />
        {scene ? <FarView scene={scene} /> : null}
      </ReactFlow>
      <CanvasToolbar />
      <DiffBanner />
      {empty ? (
        <div className="empty-state" data-testid="empty-state">
          <h2>Start your lab</h2>
          <p>Drag a <b>network</b> and a few <b>nodes</b> from the palette onto the canvas,</p>
          <p>then drag from a node's top handle to a network to attach it.</p>
          <p className="muted">Or open an example: File › Open (Ctrl+O).</p>
        </div>
      ) : null}
    </div>
  );
}
