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
    // A node's files by path: one file changing is one change, not the whole list again.
    nodes: Object.fromEntries(lab.nodes.map((n) => [n.name, n.files ? { ...n, files: Object.fromEntries(n.files.map((f) => [f.path, f])) } : n])),
    networks: byName(lab.networks),
    volumes: byName(lab.volumes),
    exposures: Object.fromEntries(lab.exposures.map((e) => [`${e.node}:${e.port}`, e])),
    // Checks and achievements by id and name, so a changed script reads as that check's script.
    ...(lab.checks ? { checks: Object.fromEntries(lab.checks.map((c) => [c.id, c])) } : {}),
    ...(lab.achievements ? { achievements: byName(lab.achievements) } : {}),
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

/**
 * One change as a line a teacher reads: "~ nodes.web.image: nginx:1.27 → nginx:1.28". A value
 * that is an object reads as its fields ("title: Create done.txt, node: box"), never as JSON;
 * a text of several lines (a script, a file) as the lines removed and added, one per line.
 */
export function formatChange(c: Change): string {
  if (isMultiline(c.from) || isMultiline(c.to)) return `~ ${c.path}:\n${lineDiff(textOf(c.from), textOf(c.to))}`;
  if (c.from === undefined) return `+ ${c.path}: ${describe(c.to)}`;
  if (c.to === undefined) return `- ${c.path}: ${describe(c.from)}`;
  return `~ ${c.path}: ${describe(c.from)} → ${describe(c.to)}`;
}

const isMultiline = (v: unknown): v is string => typeof v === 'string' && v.trimEnd().includes('\n');
const textOf = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : describe(v));

/** A value in words: strings as they are, lists comma-separated, objects as "field: value" pairs, long texts by their line count. */
function describe(v: unknown): string {
  if (typeof v === 'string') return isMultiline(v) ? `(${v.trimEnd().split('\n').length} lines)` : v;
  if (Array.isArray(v)) return v.map(describe).join(', ');
  if (isObject(v))
    return Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}: ${isObject(x) ? `{${describe(x)}}` : describe(x)}`)
      .join(', ');
  return String(v);
}

/** The lines of `b` that differ from `a`: the unchanged lines before and after are left out. */
function lineDiff(a: string, b: string): string {
  const x = a.trimEnd().split('\n');
  const y = b.trimEnd().split('\n');
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let end = 0;
  while (end < x.length - start && end < y.length - start && x[x.length - 1 - end] === y[y.length - 1 - end]) end++;
  const removed = a.trim() ? x.slice(start, x.length - end).map((l) => `    - ${l}`) : [];
  const added = b.trim() ? y.slice(start, y.length - end).map((l) => `    + ${l}`) : [];
  return [...removed, ...added].join('\n');
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
