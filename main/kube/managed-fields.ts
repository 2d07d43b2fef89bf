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
