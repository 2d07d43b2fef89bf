/**
 * Derives React Flow nodes and edges from the editor document. Results are cached per item so
 * an unchanged entity keeps the same node object: React Flow then skips it, which is what keeps
 * dragging smooth with hundreds of nodes.
 */
import type { Edge, Node } from '@xyflow/react';
import type { Doc, Pos } from '../store/doc';
import { entityId, ITEM_SIZE, linkId, mountId, SECTION, type EntityKind } from '../store/doc';
import type { Issue } from '../store/editor';
import { nodeRole, type NodeRole } from './role';
import { nearby, route, type Pt, type Rect } from './route';

export type LabNodeData = {
  name: string;
  title: string | null;
  kind: 'container' | 'vm';
  role: NodeRole;
  image: string;
  ports: string;
  issue: string | null;
  issues: number;
};
export type NetworkData = { name: string; title: string | null; members: number; issue: string | null; issues: number };
export type VolumeData = { name: string; size: string; mounts: number; issue: string | null; issues: number };

export type LabFlowNode = Node<LabNodeData, 'labNode'> | Node<NetworkData, 'network'> | Node<VolumeData, 'volume'>;
/** `points`: the route around the other items (route.ts), ends included; absent, a plain step edge. */
export type LabFlowEdge = Edge<{ kind: 'link' | 'mount'; label?: string; points?: Pt[] }>;

/**
 * Above this many items edges are not routed: a route search per edge on every drag step would
 * cost more than a large lab's drawing, and zoomed out the far view draws its own lines anyway.
 */
export const ROUTE_MAX_ITEMS = 150;

type Size = { width: number; height: number };

interface CacheEntry {
  key: unknown[];
  node: LabFlowNode;
}

const same = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export class GraphDeriver {
  private nodes = new Map<string, CacheEntry>();
  private edges = new Map<string, { key: unknown[]; edge: LabFlowEdge }>();
  /** Routes by their inputs (the ends and the items near them): a drag re-routes only the edges near what moved. */
  private routes = new Map<string, { key: string; points: Pt[] | undefined }>();
  /** Sizes React Flow measured; a rebuilt node object must carry them or it is re-measured. */
  readonly measured = new Map<string, Size>();
  private lastNodes: LabFlowNode[] = [];
  private lastEdges: LabFlowEdge[] = [];

  private node(id: string, key: unknown[], make: () => LabFlowNode): LabFlowNode {
    const hit = this.nodes.get(id);
    const m = this.measured.get(id);
    const fullKey = [...key, m];
    if (hit && same(hit.key, fullKey)) return hit.node;
    const node = make();
    if (m) node.measured = m;
    this.nodes.set(id, { key: fullKey, node });
    return node;
  }

  deriveNodes(doc: Doc, selection: ReadonlySet<string>, issues: Issue[]): LabFlowNode[] {
    const byTarget = new Map<string, Issue[]>();
    for (const i of issues) if (i.target) (byTarget.get(i.target) ?? byTarget.set(i.target, []).get(i.target)!).push(i);
    const { lab, layout } = doc;
    const members = new Map<string, number>();
    const mounts = new Map<string, number>();
    for (const n of lab.nodes) {
      for (const x of n.networks ?? []) members.set(x, (members.get(x) ?? 0) + 1);
      for (const m of n.volumes ?? []) mounts.set(m.volume, (mounts.get(m.volume) ?? 0) + 1);
    }
    const origin: Pos = { x: 0, y: 0 };
    const out: LabFlowNode[] = [];
    const seen = new Set<string>();
    const firstIssue = (list: Issue[] | undefined) => (list?.[0] ? `${list[0].field ? `${list[0].field}: ` : ''}${list[0].message}` : null);
    type Common = { id: string; position: Pos; selected: boolean };
    type IssueData = { issue: string | null; issues: number };
    /** One canvas item, rebuilt only when its entity, place, selection, issues or `extra` change. */
    const add = (kind: EntityKind, entity: { name: string }, extra: unknown[], make: (common: Common, issue: IssueData) => LabFlowNode) => {
      const id = entityId(kind, entity.name);
      seen.add(id);
      const position = layout[SECTION[kind]][entity.name] ?? origin;
      const list = byTarget.get(id);
      const selected = selection.has(id);
      const issue = { issue: firstIssue(list), issues: list?.length ?? 0 };
      out.push(this.node(id, [entity, position, selected, issue.issues, issue.issue, ...extra], () => make({ id, position, selected }, issue)));
    };

    for (const net of lab.networks) {
      const count = members.get(net.name) ?? 0;
      add('network', net, [count], (common, issue) => ({ ...common, type: 'network', data: { name: net.name, title: net.title ?? null, members: count, ...issue } }));
    }
    for (const n of lab.nodes) {
      add('node', n, [], (common, issue) => ({
        ...common,
        type: 'labNode',
        data: {
          name: n.name,
          title: n.title ?? null,
          kind: n.kind,
          role: nodeRole(n),
          image: n.image,
          ports: (n.ports ?? []).map((p) => `${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`).join(' '),
          ...issue,
        },
      }));
    }
    for (const v of lab.volumes) {
      const count = mounts.get(v.name) ?? 0;
      add('volume', v, [count], (common, issue) => ({ ...common, type: 'volume', data: { name: v.name, size: v.size, mounts: count, ...issue } }));
    }
    for (const id of this.nodes.keys()) if (!seen.has(id)) this.nodes.delete(id);
    // Same list when every node is unchanged: React Flow then does no work at all.
    if (out.length === this.lastNodes.length && out.every((n, i) => n === this.lastNodes[i])) return this.lastNodes;
    return (this.lastNodes = out);
  }

  /** Every item's box on the canvas: its place and its measured size (or the size it is drawn at). */
  private boxes(doc: Doc): Map<string, Rect> {
    const out = new Map<string, Rect>();
    for (const kind of ['node', 'network', 'volume'] as const) {
      for (const [name, p] of Object.entries(doc.layout[SECTION[kind]])) {
        const id = entityId(kind, name);
        const m = this.measured.get(id);
        out.set(id, { x: p.x, y: p.y, w: m?.width ?? ITEM_SIZE[kind].w, h: m?.height ?? ITEM_SIZE[kind].h });
      }
    }
    return out;
  }

  deriveEdges(doc: Doc, selection: ReadonlySet<string>): LabFlowEdge[] {
    const out: LabFlowEdge[] = [];
    const items = doc.lab.nodes.length + doc.lab.networks.length + doc.lab.volumes.length;
    const boxes = items <= ROUTE_MAX_ITEMS ? this.boxes(doc) : null;
    const obstacles = boxes ? [...boxes.values()] : [];
    /** From the source's top dot to the target's bottom dot, around every box. */
    const routeOf = (source: string, target: string): Pt[] | undefined => {
      const a = boxes?.get(source);
      const b = boxes?.get(target);
      if (!a || !b) return undefined;
      const from = { x: a.x + a.w / 2, y: a.y };
      const to = { x: b.x + b.w / 2, y: b.y + b.h };
      const near = nearby(from, to, obstacles);
      const key = `${from.x},${from.y} ${to.x},${to.y} ${near.map((r) => `${r.x},${r.y},${r.w},${r.h}`).join(' ')}`;
      const id = `${source}>${target}`;
      routed.add(id);
      const hit = this.routes.get(id);
      if (hit?.key === key) return hit.points;
      const points = route(from, to, near) ?? undefined;
      this.routes.set(id, { key, points });
      return points;
    };
    const routed = new Set<string>();
    const routeKey = (points: Pt[] | undefined) => points?.map((p) => `${p.x},${p.y}`).join(' ') ?? '';
    const seen = new Set<string>();
    const push = (id: string, key: unknown[], make: () => LabFlowEdge) => {
      seen.add(id);
      const hit = this.edges.get(id);
      if (hit && same(hit.key, key)) return out.push(hit.edge);
      const edge = make();
      this.edges.set(id, { key, edge });
      out.push(edge);
    };
    const networks = new Set(doc.lab.networks.map((n) => n.name));
    const volumes = new Set(doc.lab.volumes.map((v) => v.name));
    for (const n of doc.lab.nodes) {
      for (const net of n.networks ?? []) {
        if (!networks.has(net)) continue;
        const id = linkId(n.name, net);
        const sel = selection.has(id);
        const points = routeOf(entityId('node', n.name), entityId('network', net));
        push(id, [sel, routeKey(points)], () => ({
          id,
          type: 'routed',
          source: entityId('node', n.name),
          sourceHandle: 'net',
          target: entityId('network', net),
          targetHandle: 'in',
          selected: sel,
          className: 'edge-link',
          data: { kind: 'link', ...(points ? { points } : {}) },
        }));
      }
      (n.volumes ?? []).forEach((m, i) => {
        if (!volumes.has(m.volume)) return;
        const id = mountId(n.name, i);
        const sel = selection.has(id);
        const points = routeOf(entityId('volume', m.volume), entityId('node', n.name));
        push(id, [sel, m.volume, m.mountPath, routeKey(points)], () => ({
          id,
          type: 'routed',
          source: entityId('volume', m.volume),
          sourceHandle: 'out',
          target: entityId('node', n.name),
          targetHandle: 'vol',
          selected: sel,
          label: m.mountPath,
          className: 'edge-mount',
          data: { kind: 'mount', label: m.mountPath, ...(points ? { points } : {}) },
        }));
      });
    }
    for (const id of this.edges.keys()) if (!seen.has(id)) this.edges.delete(id);
    for (const id of this.routes.keys()) if (!routed.has(id)) this.routes.delete(id);
    if (out.length === this.lastEdges.length && out.every((e, i) => e === this.lastEdges[i])) return this.lastEdges;
    return (this.lastEdges = out);
  }
}
