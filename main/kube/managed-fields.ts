/**
 * Moving what a create wrote into the server-side apply entry of the same field manager.
 *
 * Publish creates the objects of a brand-new namespace by POST (cheaper for the API server than
 * an apply, which reads before it writes). The server records those fields under
 * `{manager: labforge, operation: Update}`, and server-side apply only removes fields its own
 * `Apply` entry owned: an upgrade that drops an env var, a port or a label would leave it in
 * place while the Update entry still claims it. Before such an object is applied again, its
 * Update entry is folded into the Apply entry (or becomes it), so the apply owns everything
 * labforge ever wrote and drops what the new release no longer has. This is the same repair
 * kubectl makes when it moves an object from client-side to server-side apply.
 */
import type { KubeObject } from '../../common/compile/types';

/** The field manager of every write Labforge makes. */
export const FIELD_MANAGER = 'labforge';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

const isEntry = (manager: string, operation: string) => (e: ManagedFieldsEntry) => e.manager === manager && e.operation === operation && !e.subresource;

/** Whether `obj` carries fields written by `manager` outside server-side apply (by a create). */
export function hasCreatedFields(obj: KubeObject, manager: string): boolean {
  return entries(obj).some(isEntry(manager, 'Update'));
}

/**
 * The JSON patch that folds `manager`'s Update entry into its Apply entry, or undefined when
 * there is nothing to fold. Every entry the patch touches is tested first (its manager and
 * operation at that index), so a concurrent change to the list makes the patch fail rather
 * than overwrite someone else's entry; the caller reads again and retries.
 */
export function adoptionPatch(obj: KubeObject, manager: string): JsonPatchOp[] | undefined {
  const list = entries(obj);
  const u = list.findIndex(isEntry(manager, 'Update'));
  if (u < 0) return undefined;
  const a = list.findIndex(isEntry(manager, 'Apply'));
  const at = (i: number) => `/metadata/managedFields/${i}`;
  const tests = (i: number, operation: string): JsonPatchOp[] => [
    { op: 'test', path: `${at(i)}/manager`, value: manager },
    { op: 'test', path: `${at(i)}/operation`, value: operation },
  ];
  if (a < 0) return [...tests(u, 'Update'), { op: 'replace', path: `${at(u)}/operation`, value: 'Apply' }];
  const union = mergeFieldsV1(list[a]!.fieldsV1 ?? {}, list[u]!.fieldsV1 ?? {});
  // Replace the Apply entry first, then remove the Update one: removing first would shift the
  // index of an Apply entry that follows it.
  return [...tests(a, 'Apply'), ...tests(u, 'Update'), { op: 'replace', path: `${at(a)}/fieldsV1`, value: union }, { op: 'remove', path: at(u) }];
}

/**
 * The union of two `fieldsV1` sets. The format is a tree whose keys name fields (`f:name`),
 * list items (`k:{...}`, `v:...`, `i:N`) or the item itself (`.`), and whose leaves are empty
 * objects, so the union is a deep merge of the two trees.
 */
export function mergeFieldsV1(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] = isTree(mine) && isTree(v) ? mergeFieldsV1(mine, v) : isTree(mine) ? mine : v;
  }
  return out;
}

const isTree = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function entries(obj: KubeObject): ManagedFieldsEntry[] {
  const list = obj.metadata['managedFields'];
  return Array.isArray(list) ? (list as ManagedFieldsEntry[]) : [];
}

/**
 * Whether the fields `manager` owns on `live` (its Apply and Update entries together) are
 * exactly the fields `want` sets: an apply of `want` would then neither take a field over nor
 * give one up (which is how a release's dropped field is removed). Undefined answers false: an
 * entry of another apiVersion, a key of the fieldsV1 format this does not know, a null in `want`.
 *
 * With `defaults` (what the API server stores when it creates `want` fresh: a server-side dry
 * run of a copy under another name, see ./server-defaults), an owned field `want` does not set
 * is also accepted when it holds, at every owned leaf, the value `defaults` has there.
 * Such fields come from a create (its Update entry records what the server defaulted:
 * imagePullPolicy, volumeMode, the namespace's name label…). An apply that gave them up would
 * have the server default them again to that same value, so it would change nothing anyone can
 * see. A field a release dropped is not in the defaults, or holds another value, so it still
 * makes the object stale. A value the server allocates (a Service's clusterIP) differs between
 * the dry run and the live copy, and also makes it stale.
 *
 * fieldsV1 names fields (`f:x`), list items by key (`k:{"name":"web"}`), by value (`v:"a"`) or
 * by index (`i:0`), and the item itself (`.`). A leaf (`{}`) owns the whole value under it, which
 * is how atomic lists and maps (`f:selector: {}`, `f:sysctls: {}`) appear.
 */
export function ownsExactly(want: KubeObject, live: KubeObject, manager: string, defaults?: KubeObject): boolean {
  const mine = entries(live).filter((e) => e.manager === manager && !e.subresource && (e.operation === 'Apply' || e.operation === 'Update'));
  if (mine.length === 0 || mine.some((e) => e.apiVersion !== want.apiVersion || !isTree(e.fieldsV1))) return false;
  const owned = mine.reduce<Record<string, unknown>>((a, e) => mergeFieldsV1(a, e.fieldsV1!), {});
  // What an apply sets: everything but the type and the identity (name and namespace are not
  // recorded as owned fields).
  const { apiVersion: _v, kind: _k, status: _s, metadata, ...rest } = want;
  const { name: _n, namespace: _ns, ...meta } = metadata;
  const sets: Record<string, unknown> = { ...rest, metadata: meta };
  const dflt = defaults && defaults.apiVersion === want.apiVersion && defaults.kind === want.kind ? defaults : undefined;
  const ctx: Defaulted | undefined = dflt ? { liveName: live.metadata.name, defaultName: dflt.metadata.name } : undefined;
  return ownedWithin(owned, sets, live, dflt, ctx) && coveredBy(sets, owned);
}

type Tree = Record<string, unknown>;

/**
 * The names the comparison with the defaults maps: the dry-run copy has a name of its own, and a
 * default taken from the name (a Namespace's `kubernetes.io/metadata.name` label) is the live
 * object's name on the live copy.
 */
interface Defaulted {
  liveName: string;
  defaultName: string;
}

/** The list item of `list` that fieldsV1's item key `key` names, if any. */
function itemOf(list: unknown[], key: string): { found: boolean; item?: unknown } {
  let id: unknown;
  try {
    id = JSON.parse(key.slice(2));
  } catch {
    return { found: false };
  }
  if (key.startsWith('k:')) {
    if (!isTree(id)) return { found: false };
    const item = list.find((x) => isTree(x) && Object.entries(id as Tree).every(([k, v]) => sameJson(x[k], v)));
    return { found: item !== undefined, item };
  }
  if (key.startsWith('v:')) {
    const item = list.find((x) => sameJson(x, id));
    return { found: item !== undefined, item };
  }
  if (key.startsWith('i:') && typeof id === 'number') return { found: id >= 0 && id < list.length, item: list[id] };
  return { found: false };
}

/** The value under fieldsV1 key `k` of `value` (a field of a map, an item of a list), if there is one. */
function childOf(value: unknown, k: string): unknown {
  if (k.startsWith('f:')) return isTree(value) ? value[k.slice(2)] : undefined;
  if (Array.isArray(value)) return itemOf(value, k).item;
  return undefined;
}

/**
 * Every field of the owned set is set by `value` (nothing owned that `value` dropped), or, given
 * the server's defaults (walked alongside in `dflt`, with the live copy in `live`), holds its
 * default value on the live copy.
 */
function ownedWithin(owned: Tree, value: unknown, live?: unknown, dflt?: unknown, ctx?: Defaulted): boolean {
  for (const [k, sub] of Object.entries(owned)) {
    if (k === '.') continue;
    if (!isTree(sub)) return false;
    let next: unknown;
    if (k.startsWith('f:')) {
      if (!isTree(value)) return false;
      next = value[k.slice(2)];
      if (next === undefined) {
        if (ctx && defaultedAt(sub, childOf(live, k), childOf(dflt, k), ctx)) continue;
        return false;
      }
    } else if (Array.isArray(value)) {
      const r = itemOf(value, k);
      if (!r.found) {
        if (ctx && defaultedAt(sub, childOf(live, k), childOf(dflt, k), ctx)) continue;
        return false;
      }
      next = r.item;
    } else {
      return false;
    }
    if (next === null || !ownedWithin(sub, next, childOf(live, k), childOf(dflt, k), ctx)) return false;
  }
  return true;
}

/**
 * Whether every leaf of the owned subtree `owned` holds on the live copy the value the server's
 * dry run gave it. Both must have it: a field the dry run leaves out is no default.
 */
function defaultedAt(owned: Tree, live: unknown, dflt: unknown, ctx: Defaulted): boolean {
  if (live === undefined || dflt === undefined) return false;
  const keys = Object.keys(owned).filter((k) => k !== '.');
  if (keys.length === 0) return sameStored(live, dflt, ctx);
  return keys.every((k) => {
    const sub = owned[k];
    return isTree(sub) && defaultedAt(sub, childOf(live, k), childOf(dflt, k), ctx);
  });
}

/** Equal as stored (both values come from the server), a default that is the object's own name aside. */
function sameStored(live: unknown, dflt: unknown, ctx: Defaulted): boolean {
  if (typeof dflt === 'string' && dflt === ctx.defaultName) return live === ctx.liveName;
  if (isTree(live) && isTree(dflt)) {
    const kl = Object.keys(live);
    return kl.length === Object.keys(dflt).length && kl.every((k) => k in dflt && sameStored(live[k], dflt[k], ctx));
  }
  if (Array.isArray(live) && Array.isArray(dflt)) return live.length === dflt.length && live.every((x, i) => sameStored(x, dflt[i], ctx));
  return live === dflt;
}

/** Every field `value` sets is in the owned set (a leaf of the set owns the whole value under it). */
function coveredBy(value: unknown, owned: Tree): boolean {
  if (value === null) return false;
  if (Object.keys(owned).every((k) => k === '.')) return true;
  if (isTree(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const sub = owned[`f:${k}`];
      // An empty map or list sets nothing an apply would own.
      if (sub === undefined && ((isTree(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0))) continue;
      if (!isTree(sub) || !coveredBy(v, sub)) return false;
    }
    return true;
  }
  if (Array.isArray(value)) {
    const keys = Object.keys(owned).filter((k) => k !== '.');
    for (const item of value) {
      const k = keys.find((key) => {
        const r = itemOf(value, key);
        return r.found && r.item === item;
      });
      if (k === undefined || !coveredBy(item, owned[k] as Tree)) return false;
    }
    return true;
  }
  // A scalar under a set with children: not a shape an apply records.
  return false;
}

/** JSON equality, numbers and their text alike (fieldsV1 keys are JSON, compiled values may be strings). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isTree(a) && isTree(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (a === null || b === null || typeof a === 'object' || typeof b === 'object') return false;
  return String(a) === String(b);
}
