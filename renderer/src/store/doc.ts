/**
 * The editor's document: the lab (semantic part) plus the canvas layout, and the pure
 * operations the store applies to it. Every operation returns a new Doc (structural sharing),
 * so undo/redo is a stack of Docs and unchanged entities keep their identity.
 * Beside it: clipboard.ts (copy, paste, templates) and auto-layout.ts (placing items nobody
 * placed), which build on this file and never the other way round.
 */
import type { Lab, LabExposure, LabNetwork, LabNode, LabVolume } from '../../../common/lab/schema';
import { BLANK_NODES, BLANK_VOLUME_SIZE, type BlankKind } from './palette';
import { checksRenamedNode, checksWithoutNodes, withChecks } from './check-edits';

export interface Pos {
  x: number;
  y: number;
}
export interface Layout {
  nodes: Record<string, Pos>;
  networks: Record<string, Pos>;
  volumes: Record<string, Pos>;
}
export type LabBody = Omit<Lab, 'layout'>;
export interface Doc {
  lab: LabBody;
  layout: Layout;
}

export type EntityKind = 'node' | 'network' | 'volume';
export type Section = 'nodes' | 'networks' | 'volumes';
export const SECTION: Record<EntityKind, Section> = { node: 'nodes', network: 'networks', volume: 'volumes' };

export const entityId = (kind: EntityKind, name: string) => `${kind}:${name}`;
export const linkId = (node: string, network: string) => `link:${node}:${network}`;
export const mountId = (node: string, index: number) => `mount:${node}:${index}`;

export type ParsedId =
  | { type: 'node'; name: string }
  | { type: 'network'; name: string }
  | { type: 'volume'; name: string }
  | { type: 'link'; node: string; network: string }
  | { type: 'mount'; node: string; index: number };

export function parseId(id: string): ParsedId | null {
  const [type, a, b] = id.split(':');
  if (!a) return null;
  if (type === 'node' || type === 'network' || type === 'volume') return { type, name: a };
  if (type === 'link' && b) return { type, node: a, network: b };
  if (type === 'mount' && b !== undefined) return { type, node: a, index: Number(b) };
  return null;
}

export function emptyLab(name = 'new-lab'): LabBody {
  return { apiVersion: 'labforge.dev/v1alpha1', kind: 'Lab', metadata: { name }, nodes: [], networks: [], volumes: [], exposures: [] };
}

export const emptyDoc = (name?: string): Doc => ({ lab: emptyLab(name), layout: { nodes: {}, networks: {}, volumes: {} } });

/** Positions are stored as whole pixels. */
export const round = (p: Pos): Pos => ({ x: Math.round(p.x), y: Math.round(p.y) });

/** The lab file content: the semantic part plus the layout (only for existing entities). */
export function toLab(doc: Doc): Lab {
  const pick = (names: string[], positions: Record<string, Pos>) => {
    const out: Record<string, Pos> = {};
    for (const n of names) if (positions[n]) out[n] = round(positions[n]);
    return out;
  };
  return {
    ...doc.lab,
    layout: {
      nodes: pick(doc.lab.nodes.map((n) => n.name), doc.layout.nodes),
      networks: pick(doc.lab.networks.map((n) => n.name), doc.layout.networks),
      volumes: pick(doc.lab.volumes.map((n) => n.name), doc.layout.volumes),
    },
  };
}

export function allNames(doc: Doc): Set<string> {
  return new Set([...doc.lab.nodes, ...doc.lab.networks, ...doc.lab.volumes].map((e) => e.name));
}

/** `base` if free, else base-2, base-3...; `numbered` names always carry a number. */
export function uniqueName(base: string, taken: Set<string>, numbered = false): string {
  if (!numbered && !taken.has(base)) return base;
  for (let i = numbered ? 1 : 2; ; i++) {
    const name = `${base}-${i}`;
    if (!taken.has(name)) return name;
  }
}

/** Drops keys whose value is undefined, empty arrays and empty objects (the schema's "unset"). */
export function prune<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

/** Adds a blank item with a numbered name (node-1, net-1...) at `pos` (its top-left corner). */
export function addBlank(doc: Doc, kind: BlankKind, pos: Pos): { doc: Doc; id: string } {
  const taken = allNames(doc);
  if (kind === 'network') {
    const name = uniqueName('net', taken, true);
    return {
      doc: { lab: { ...doc.lab, networks: [...doc.lab.networks, { name }] }, layout: { ...doc.layout, networks: { ...doc.layout.networks, [name]: round(pos) } } },
      id: entityId('network', name),
    };
  }
  if (kind === 'volume') {
    const name = uniqueName('vol', taken, true);
    return {
      doc: { lab: { ...doc.lab, volumes: [...doc.lab.volumes, { name, size: BLANK_VOLUME_SIZE }] }, layout: { ...doc.layout, volumes: { ...doc.layout.volumes, [name]: round(pos) } } },
      id: entityId('volume', name),
    };
  }
  const blank = BLANK_NODES[kind];
  const name = uniqueName(blank.base, taken, true);
  const node: LabNode = { name, ...structuredClone(blank.node) };
  return {
    doc: { lab: { ...doc.lab, nodes: [...doc.lab.nodes, node] }, layout: { ...doc.layout, nodes: { ...doc.layout.nodes, [name]: round(pos) } } },
    id: entityId('node', name),
  };
}

/** Where an item of this kind goes so that its centre lands on `center`. */
export function topLeftFor(kind: EntityKind, center: Pos): Pos {
  const { w, h } = ITEM_SIZE[kind];
  return { x: center.x - w / 2, y: center.y - h / 2 };
}

/** Replaces one node by what `fn` makes of it. */
export const mapNode = (doc: Doc, name: string, fn: (n: LabNode) => LabNode): Doc => ({
  ...doc,
  lab: { ...doc.lab, nodes: doc.lab.nodes.map((n) => (n.name === name ? fn(n) : n)) },
});

/** Connects two canvas items: node↔network attaches, volume↔node mounts. Null if not allowed. */
export function connect(doc: Doc, a: string, b: string): { doc: Doc; edge: string } | null {
  const pa = parseId(a);
  const pb = parseId(b);
  if (!pa || !pb || !('name' in pa) || !('name' in pb)) return null;
  const pair = (x: EntityKind, y: EntityKind) =>
    pa.type === x && pb.type === y ? [pa.name, pb.name] : pa.type === y && pb.type === x ? [pb.name, pa.name] : null;

  const link = pair('node', 'network');
  if (link) {
    const [node, network] = link as [string, string];
    const n = doc.lab.nodes.find((x) => x.name === node);
    if (!n || !doc.lab.networks.some((x) => x.name === network) || n.networks?.includes(network)) return null;
    return { doc: mapNode(doc, node, (x) => ({ ...x, networks: [...(x.networks ?? []), network] })), edge: linkId(node, network) };
  }
  const mount = pair('node', 'volume');
  if (mount) {
    const [node, volume] = mount as [string, string];
    const n = doc.lab.nodes.find((x) => x.name === node);
    if (!n || !doc.lab.volumes.some((x) => x.name === volume)) return null;
    const used = new Set((n.volumes ?? []).map((m) => m.mountPath));
    let mountPath = `/${volume}`;
    for (let i = 2; used.has(mountPath); i++) mountPath = `/${volume}-${i}`;
    const index = n.volumes?.length ?? 0;
    return { doc: mapNode(doc, node, (x) => ({ ...x, volumes: [...(x.volumes ?? []), { volume, mountPath }] })), edge: mountId(node, index) };
  }
  return null;
}

/** Removes entities and edges; references to removed entities go with them. */
export function removeItems(doc: Doc, ids: Iterable<string>): Doc {
  const nodes = new Set<string>();
  const networks = new Set<string>();
  const volumes = new Set<string>();
  const links = new Map<string, Set<string>>();
  const mounts = new Map<string, Set<number>>();
  for (const id of ids) {
    const p = parseId(id);
    if (!p) continue;
    if (p.type === 'node') nodes.add(p.name);
    else if (p.type === 'network') networks.add(p.name);
    else if (p.type === 'volume') volumes.add(p.name);
    else if (p.type === 'link') (links.get(p.node) ?? links.set(p.node, new Set()).get(p.node)!).add(p.network);
    else (mounts.get(p.node) ?? mounts.set(p.node, new Set()).get(p.node)!).add(p.index);
  }
  if (!nodes.size && !networks.size && !volumes.size && !links.size && !mounts.size) return doc;
  const without = <T extends object>(rec: Record<string, T>, names: Set<string>) => {
    if (!names.size) return rec;
    const out = { ...rec };
    for (const n of names) delete out[n];
    return out;
  };
  const nextNodes = doc.lab.nodes
    .filter((n) => !nodes.has(n.name))
    .map((n) => {
      const dropLinks = links.get(n.name);
      const dropMounts = mounts.get(n.name);
      const nets = n.networks?.filter((x) => !networks.has(x) && !dropLinks?.has(x));
      const vols = n.volumes?.filter((m, i) => !volumes.has(m.volume) && !dropMounts?.has(i));
      if (nets?.length === n.networks?.length && vols?.length === n.volumes?.length) return n;
      return prune({ ...n, networks: nets, volumes: vols });
    });
  const removed: Doc = {
    lab: {
      ...doc.lab,
      nodes: nextNodes,
      networks: doc.lab.networks.filter((n) => !networks.has(n.name)),
      volumes: doc.lab.volumes.filter((v) => !volumes.has(v.name)),
      exposures: doc.lab.exposures.filter((e) => !nodes.has(e.node)),
    },
    layout: { nodes: without(doc.layout.nodes, nodes), networks: without(doc.layout.networks, networks), volumes: without(doc.layout.volumes, volumes) },
  };
  return withChecks(removed, checksWithoutNodes(doc.lab, nodes));
}

export function updateNode(doc: Doc, name: string, patch: Partial<LabNode>): Doc {
  return mapNode(doc, name, (n) => prune({ ...n, ...patch }));
}
export function updateNetwork(doc: Doc, name: string, patch: Partial<LabNetwork>): Doc {
  return { ...doc, lab: { ...doc.lab, networks: doc.lab.networks.map((n) => (n.name === name ? prune({ ...n, ...patch }) : n)) } };
}
export function updateVolume(doc: Doc, name: string, patch: Partial<LabVolume>): Doc {
  return { ...doc, lab: { ...doc.lab, volumes: doc.lab.volumes.map((v) => (v.name === name ? prune({ ...v, ...patch }) : v)) } };
}
export function updateMetadata(doc: Doc, patch: Partial<LabBody['metadata']>): Doc {
  return { ...doc, lab: { ...doc.lab, metadata: prune({ ...doc.lab.metadata, ...patch }) } };
}
export function setExposures(doc: Doc, exposures: LabBody['exposures']): Doc {
  return { ...doc, lab: { ...doc.lab, exposures } };
}

const renameKey = <T,>(rec: Record<string, T>, from: string, to: string) => {
  if (!(from in rec)) return rec;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec)) out[k === from ? to : k] = v;
  return out;
};

/** Renames an entity and every reference to it (attachments, mounts, exposures, layout). */
export function rename(doc: Doc, kind: EntityKind, from: string, to: string): Doc {
  if (from === to) return doc;
  const lab = doc.lab;
  if (kind === 'node') {
    const renamed = {
      lab: { ...lab, nodes: lab.nodes.map((n) => (n.name === from ? { ...n, name: to } : n)), exposures: lab.exposures.map((e) => (e.node === from ? { ...e, node: to } : e)) },
      layout: { ...doc.layout, nodes: renameKey(doc.layout.nodes, from, to) },
    };
    return withChecks(renamed, { checks: checksRenamedNode(lab.checks, from, to), achievements: lab.achievements });
  }
  if (kind === 'network') {
    return {
      lab: {
        ...lab,
        networks: lab.networks.map((n) => (n.name === from ? { ...n, name: to } : n)),
        nodes: lab.nodes.map((n) => (n.networks?.includes(from) ? { ...n, networks: n.networks.map((x) => (x === from ? to : x)) } : n)),
      },
      layout: { ...doc.layout, networks: renameKey(doc.layout.networks, from, to) },
    };
  }
  return {
    lab: {
      ...lab,
      volumes: lab.volumes.map((v) => (v.name === from ? { ...v, name: to } : v)),
      nodes: lab.nodes.map((n) => (n.volumes?.some((m) => m.volume === from) ? { ...n, volumes: n.volumes.map((m) => (m.volume === from ? { ...m, volume: to } : m)) } : n)),
    },
    layout: { ...doc.layout, volumes: renameKey(doc.layout.volumes, from, to) },
  };
}

export function setPositions(doc: Doc, moves: ReadonlyMap<string, Pos>): Doc {
  if (!moves.size) return doc;
  const layout: Layout = { nodes: doc.layout.nodes, networks: doc.layout.networks, volumes: doc.layout.volumes };
  const touched = new Set<Section>();
  for (const [id, pos] of moves) {
    const p = parseId(id);
    if (!p || !('name' in p)) continue;
    const section = SECTION[p.type];
    if (!touched.has(section)) {
      layout[section] = { ...layout[section] };
      touched.add(section);
    }
    layout[section][p.name] = round(pos);
  }
  return { ...doc, layout };
}

export const NODE_W = 200;
export const NODE_H = 64;
export const NET_W = 220;
/** The items' sizes on the canvas (nodes grow with their text; this is their usual size). */
export const ITEM_SIZE: Record<EntityKind, { w: number; h: number }> = { node: { w: NODE_W, h: NODE_H }, network: { w: NET_W, h: 40 }, volume: { w: 140, h: 48 } };
