/**
 * What changed between two labs, as paths into the lab and per element. Nodes, networks and
 * volumes are matched by name, so reordering is not a change and a renamed node shows as
 * remove + add. Layout (canvas positions) never counts. Shared by `labforge diff`, the
 * Releases panel and the canvas ("changed since the last deploy").
 */
import type { Lab } from './schema';

export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
}

export type ElementChange = { name: string; change: 'added' | 'removed' | 'changed' };

const byName = <T extends { name: string }>(xs: readonly T[]) => Object.fromEntries(xs.map((x) => [x.name, x]));

function keyed(lab: Lab) {
  const { layout: _layout, ...rest } = lab;
  return {
    ...rest,
    nodes: byName(lab.nodes),
    networks: byName(lab.networks),
    volumes: byName(lab.volumes),
    exposures: Object.fromEntries(lab.exposures.map((e) => [`${e.node}:${e.port}`, e])),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Canonical JSON: key order does not make two equal values differ. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function diffLabs(a: Lab, b: Lab): Change[] {
  const changes: Change[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (sameValue(x, y)) return;
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) walk(x[k], y[k], path ? `${path}.${k}` : k);
      return;
    }
    changes.push({ path, ...(x !== undefined ? { from: x } : {}), ...(y !== undefined ? { to: y } : {}) });
  };
  walk(keyed(a), keyed(b), '');
  return changes;
}

export function formatChange(c: Change): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.from === undefined) return `+ ${c.path}: ${show(c.to)}`;
  if (c.to === undefined) return `- ${c.path}: ${show(c.from)}`;
  return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
}

/** Per element of one collection: added, removed or changed (unchanged ones are left out). */
export function elementChanges<T extends { name: string }>(from: readonly T[], to: readonly T[]): ElementChange[] {
  const a = byName(from);
  const b = byName(to);
  const out: ElementChange[] = [];
  for (const name of Object.keys(b)) {
    if (!(name in a)) out.push({ name, change: 'added' });
    else if (!sameValue(a[name], b[name])) out.push({ name, change: 'changed' });
  }
  for (const name of Object.keys(a)) if (!(name in b)) out.push({ name, change: 'removed' });
  return out;
}

/**
 * Nodes whose deployment would change if `current` were deployed over `deployed`: the node
 * itself differs, or something it uses (a network it joins, a volume it mounts, an exposure of
 * it) does.
 */
export function changedNodes(deployed: Lab, current: Lab): Set<string> {
  const out = new Set<string>();
  for (const c of elementChanges(deployed.nodes, current.nodes)) if (c.change !== 'removed') out.add(c.name);
  const nets = new Set(elementChanges(deployed.networks, current.networks).map((c) => c.name));
  const vols = new Set(elementChanges(deployed.volumes, current.volumes).map((c) => c.name));
  const exposed = (lab: Lab, node: string) => canonical(lab.exposures.filter((e) => e.node === node));
  for (const n of current.nodes) {
    if ((n.networks ?? []).some((x) => nets.has(x)) || (n.volumes ?? []).some((v) => vols.has(v.volume)) || exposed(deployed, n.name) !== exposed(current, n.name)) out.add(n.name);
  }
  return out;
}
