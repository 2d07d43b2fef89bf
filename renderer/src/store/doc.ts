/**
 * The editor's document: the lab (semantic part) plus the canvas layout, and the pure
 * operations the store applies to it. Every operation returns a new Doc (structural sharing),
 * so undo/redo is a stack of Docs and unchanged entities keep their identity.
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

const round = (p: Pos): Pos => ({ x: Math.round(p.x), y: Math.round(p.y) });

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

/**
 * What a template dropped into `doc` does with its network: a template with exactly one network
 * joins the lab's only network, asks which one when the lab has several (bringing one more network
 * each time would leave the instructor rewiring), and brings its own into a lab with none.
 */
export type NetworkChoice = { kind: 'own' } | { kind: 'join'; network: string } | { kind: 'ask'; networks: string[] };
export function templateNetworkChoice(doc: Doc, template: Lab): NetworkChoice {
  const nets = doc.lab.networks.map((n) => n.name);
  if (template.networks.length !== 1 || nets.length === 0) return { kind: 'own' };
  return nets.length === 1 ? { kind: 'join', network: nets[0]! } : { kind: 'ask', networks: nets };
}

/**
 * Inserts a whole lab (a template) with fresh names, its box centred on `center`: its nodes,
 * networks, volumes and exposures, laid out as its file says or automatically.
 *
 * `join`: a network of the doc that the template's one network becomes (its nodes attach to it
 * and no network of the template's own is added), so that two templates dropped into a lab
 * share its network instead of bringing one each.
 */
export function insertLab(doc: Doc, lab: Lab, center: Pos, join?: string): { doc: Doc; ids: string[] } {
  const own = lab.networks.length === 1 ? lab.networks[0]!.name : null;
  if (join && own && doc.lab.networks.some((n) => n.name === join)) {
    const layout = lab.layout ? { ...lab.layout, networks: {} } : undefined;
    lab = { ...lab, networks: [], nodes: lab.nodes.map((n) => (n.networks ? { ...n, networks: n.networks.map((x) => (x === own ? join : x)) } : n)), ...(layout ? { layout } : {}) };
  }
  const part = fromLab(lab);
  const positions: Record<string, Pos> = {};
  for (const kind of ['node', 'network', 'volume'] as const) {
    for (const [name, pos] of Object.entries(part.layout[SECTION[kind]])) positions[entityId(kind, name)] = pos;
  }
  const box = bounds(part);
  const offset = { x: center.x - (box.left + box.right) / 2, y: center.y - (box.top + box.bottom) / 2 };
  return pasteClip(doc, { nodes: part.lab.nodes, networks: part.lab.networks, volumes: part.lab.volumes, exposures: part.lab.exposures, positions }, offset);
}

/** The box around every item of a doc, with the items' sizes on the canvas. */
function bounds(doc: Doc): { left: number; top: number; right: number; bottom: number } {
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

export interface Clip {
  nodes: LabNode[];
  networks: LabNetwork[];
  volumes: LabVolume[];
  /** The copied nodes' exposures: a web server stays exposed when copied. */
  exposures: LabExposure[];
  positions: Record<string, Pos>;
}

export function copyItems(doc: Doc, ids: Iterable<string>): Clip | null {
  const want = new Set(ids);
  const pick = <T extends { name: string }>(kind: EntityKind, list: T[]) => list.filter((e) => want.has(entityId(kind, e.name)));
  const clip: Clip = {
    nodes: pick('node', doc.lab.nodes),
    networks: pick('network', doc.lab.networks),
    volumes: pick('volume', doc.lab.volumes),
    exposures: doc.lab.exposures.filter((e) => want.has(entityId('node', e.node))),
    positions: {},
  };
  if (!clip.nodes.length && !clip.networks.length && !clip.volumes.length) return null;
  for (const [kind, list] of [['node', clip.nodes], ['network', clip.networks], ['volume', clip.volumes]] as const) {
    for (const e of list) {
      const pos = doc.layout[SECTION[kind]][e.name];
      if (pos) clip.positions[entityId(kind, e.name)] = pos;
    }
  }
  return structuredClone(clip);
}

/**
 * Pastes copies with fresh names. Copied nodes keep attachments to copied networks (renamed)
 * and to networks that exist, and their exposures; other references are dropped so the paste
 * is always valid.
 */
export function pasteClip(doc: Doc, clip: Clip, offset: Pos): { doc: Doc; ids: string[] } {
  const taken = allNames(doc);
  const renamed = { node: new Map<string, string>(), network: new Map<string, string>(), volume: new Map<string, string>() };
  const ids: string[] = [];
  const fresh = (name: string) => {
    const base = name.replace(/-\d+$/, '') || name;
    const n = uniqueName(base, taken, /-\d+$/.test(name));
    taken.add(n);
    return n;
  };
  const at = (kind: EntityKind, name: string) => {
    const p = clip.positions[entityId(kind, name)] ?? { x: 0, y: 0 };
    return round({ x: p.x + offset.x, y: p.y + offset.y });
  };
  let next: Doc = { lab: { ...doc.lab }, layout: { nodes: { ...doc.layout.nodes }, networks: { ...doc.layout.networks }, volumes: { ...doc.layout.volumes } } };
  /** A fresh name for a copied item, and its place. */
  const place = (kind: EntityKind, old: string) => {
    const name = fresh(old);
    renamed[kind].set(old, name);
    next.layout[SECTION[kind]][name] = at(kind, old);
    ids.push(entityId(kind, name));
    return name;
  };
  const networks = clip.networks.map((n) => ({ ...n, name: place('network', n.name) }));
  const volumes = clip.volumes.map((v) => ({ ...v, name: place('volume', v.name) }));
  const existingNets = new Set(doc.lab.networks.map((n) => n.name));
  const existingVols = new Set(doc.lab.volumes.map((v) => v.name));
  const nodes = clip.nodes.map((n) => {
    const name = place('node', n.name);
    const nets = n.networks?.map((x) => renamed.network.get(x) ?? x).filter((x) => existingNets.has(x) || [...renamed.network.values()].includes(x));
    const vols = n.volumes
      ?.map((m) => ({ ...m, volume: renamed.volume.get(m.volume) ?? m.volume }))
      .filter((m) => existingVols.has(m.volume) || [...renamed.volume.values()].includes(m.volume));
    return prune({ ...n, name, networks: nets, volumes: vols });
  });
  const exposures = clip.exposures.flatMap((e) => {
    const node = renamed.node.get(e.node);
    return node ? [{ ...e, node }] : [];
  });
  next = {
    ...next,
    lab: {
      ...next.lab,
      nodes: [...doc.lab.nodes, ...nodes],
      networks: [...doc.lab.networks, ...networks],
      volumes: [...doc.lab.volumes, ...volumes],
      exposures: [...doc.lab.exposures, ...exposures],
    },
  };
  return { doc: next, ids };
}

export const NODE_W = 200;
export const NODE_H = 64;
export const NET_W = 220;
const GAP_X = 40;
/** The items' sizes on the canvas (nodes grow with their text; this is their usual size). */
export const ITEM_SIZE: Record<EntityKind, { w: number; h: number }> = { node: { w: NODE_W, h: NODE_H }, network: { w: NET_W, h: 40 }, volume: { w: 140, h: 48 } };

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
