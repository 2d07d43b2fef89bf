/**
 * Copy, paste and templates: copies of canvas items with fresh names, placed at an offset, and a
 * whole lab (a template) inserted centred on a point, joining the lab's network or not. Pure
 * functions of a Doc (doc.ts).
 */
import type { Lab, LabExposure, LabNetwork, LabNode, LabVolume } from '../../../common/lab/schema';
import { bounds, fromLab } from './auto-layout';
import { allNames, entityId, parseId, prune, round, SECTION, uniqueName, type Doc, type EntityKind, type Pos } from './doc';

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
