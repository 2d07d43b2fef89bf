/**
 * Drift between what a student namespace should hold (the release compiled for that student)
 * and what it holds. Pure: the one-shot `reconcile`, `reconcile --watch` and the app all feed it
 * the objects they listed or watched.
 *
 * - Changed: a field Labforge sets (every field of the compiled object is one Labforge owns by
 *   server-side apply) whose live value differs. The managers that hold the field now, from
 *   managedFields, say who changed it (`kubectl`, `kubectl-edit`…).
 * - Missing: a compiled object that is not there (a namespace without its quota or policies is this).
 * - Extra: an object of a kind Labforge manages that the release does not have and that the
 *   student may not create. Volumes and what the student may create are theirs, never drift.
 */
import type { KubeObject } from '../../common/compile/types';
import { parseQuantity } from '../../common/lab/quantity';
import { FIELD_MANAGER, ownsExactly, type ManagedFieldsEntry } from '../kube/managed-fields';
import { RESULTS_COMPONENT, RESULTS_CONFIGMAP } from './checks-results';

export interface FieldDrift {
  /** `spec.replicas`, `spec.ingress[0].from`, `metadata.labels["pod-security.kubernetes.io/enforce"]`. */
  path: string;
  want: unknown;
  have: unknown;
  /** Field managers other than Labforge that own the field now. */
  by: string[];
}

export interface ObjectDrift {
  apiVersion: string;
  kind: string;
  name: string;
  problem: 'missing' | 'changed' | 'extra';
  fields: FieldDrift[];
}

export interface StudentDrift {
  student: string;
  namespace: string;
  objects: ObjectDrift[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : isMap(v) ? Object.keys(v).length === 0 : false);

/** Equal as the API server stores it: `1` and `"1"` for int-or-string, `0.5` and `500m` for quantities. */
export function sameValue(want: unknown, have: unknown): boolean {
  if (want === have) return true;
  if (want === undefined || have === undefined || want === null || have === null) return false;
  if (typeof want === 'object' || typeof have === 'object') return false;
  if (String(want) === String(have)) return true;
  const a = parseQuantity(String(want));
  const b = parseQuantity(String(have));
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
}

const segment = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

type Step = string | number;
const pathText = (steps: Step[]) => steps.map((s) => (typeof s === 'number' ? `[${s}]` : segment(s))).join('').replace(/^\./, '');

/** The fields of `want` whose value differs in `have`, as paths (a list of another length is one field). */
function walk(want: unknown, have: unknown, steps: Step[], out: { steps: Step[]; want: unknown; have: unknown }[]): void {
  if (isMap(want)) {
    if (!isMap(have)) {
      if (!(isEmpty(want) && have === undefined)) out.push({ steps, want, have });
      return;
    }
    for (const [k, v] of Object.entries(want)) walk(v, have[k], [...steps, k], out);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) {
      if (!(want.length === 0 && have === undefined)) out.push({ steps, want, have });
      return;
    }
    if (want.length !== have.length) {
      out.push({ steps, want, have });
      return;
    }
    want.forEach((w, i) => walk(w, have[i], [...steps, i], out));
    return;
  }
  if (!sameValue(want, have)) out.push({ steps, want, have });
}

/** Managers (other than Labforge) whose field set holds the map path of `steps` (up to the first list). */
function managersOf(obj: KubeObject, steps: Step[]): string[] {
  const entries = (obj.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const mapPath: string[] = [];
  for (const s of steps) {
    if (typeof s === 'number') break;
    mapPath.push(s);
  }
  const holds = (fields: Record<string, unknown> | undefined) => {
    let node: unknown = fields;
    for (const key of mapPath) {
      if (!isMap(node)) return false;
      node = node[`f:${key}`];
      if (node === undefined) return false;
    }
    return true;
  };
  const out = new Set<string>();
  for (const e of entries) if (e.manager && e.manager !== FIELD_MANAGER && holds(e.fieldsV1)) out.add(e.manager);
  return [...out].sort();
}

/** Fields Labforge sets on `want` that differ in `have` (metadata: labels and annotations only). */
export function changedFields(want: KubeObject, have: KubeObject): FieldDrift[] {
  const found: { steps: Step[]; want: unknown; have: unknown }[] = [];
  for (const [k, v] of Object.entries(want)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata') {
      for (const part of ['labels', 'annotations'] as const) walk(want.metadata[part] ?? {}, have.metadata[part] ?? {}, ['metadata', part], found);
      continue;
    }
    walk(v, have[k], [k], found);
  }
  return found.map((f) => ({ path: pathText(f.steps), want: f.want, have: f.have, by: managersOf(have, f.steps) }));
}

/**
 * Whether applying `want` again would change nothing on `live`: every field Labforge sets has
 * its value (the same comparison as drift, above), and Labforge owns exactly those fields, so no
 * field a newer release dropped is still held and would be removed by the apply. Publish skips
 * the apply of such an object. A copy being deleted is never up to date.
 *
 * Fields still held by the create's Update entry (publish creates by POST) count as owned here:
 * the apply that adopts them (adoptCreated) is only needed when an apply is, since an apply is
 * what would drop them.
 *
 * A create's entry also holds the fields the server defaulted. Given `defaults` (the server's
 * stored form of `want` created fresh, main/kube/server-defaults), such a field still counts as
 * up to date when its live value is that default: an apply that gave it up would have it
 * defaulted to the same value again (ownsExactly).
 */
export function upToDate(want: KubeObject, live: KubeObject, defaults?: KubeObject): boolean {
  if (live.metadata.deletionTimestamp) return false;
  return changedFields(want, live).length === 0 && ownsExactly(want, live, FIELD_MANAGER, defaults);
}

export const objectKeyOf = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;

/** Kinds that hold student data whatever the RBAC says: volumes. */
const ALWAYS_STUDENT = new Set(['PersistentVolumeClaim']);

export interface NamespaceInputs {
  /** The compiled objects, the Namespace included. */
  expected: KubeObject[];
  /** Every live object of the managed kinds in the namespace, ours or not, and the Namespace. */
  live: KubeObject[];
  /** Whether the student may create objects of this kind (from their Role). */
  studentMayCreate: (apiVersion: string, kind: string) => boolean;
}

const SERVICE_COMPONENTS = new Set(['reconciler', 'ssh-gateway']);

/** Whether an object is the student's (or the cluster's own), so never drift and never touched. */
export function isStudentOrSystem(o: KubeObject, studentMayCreate: NamespaceInputs['studentMayCreate']): boolean {
  if (ALWAYS_STUDENT.has(o.kind) || studentMayCreate(o.apiVersion, o.kind)) return true;
  // Made by a controller from something else (owner references), or by the cluster in every namespace.
  if (Array.isArray(o.metadata.ownerReferences) && o.metadata.ownerReferences.length > 0) return true;
  if (o.kind === 'ServiceAccount' && o.metadata.name === 'default') return true;
  if (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') return true;
  // Labforge's check results, kept by `labforge check` (checks-store.ts), never by a release.
  if (o.kind === 'ConfigMap' && o.metadata.name === RESULTS_CONFIGMAP && o.metadata.labels?.['app.kubernetes.io/component'] === RESULTS_COMPONENT) return true;
  // Students could create ConfigMaps until that grant was withdrawn; what they made then carries
  // no Labforge label and stays theirs. One that poses as Labforge's (a copied check record) is extra.
  if (o.kind === 'ConfigMap' && o.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'labforge') return true;
  // Labforge's own services' access to the namespace: the in-cluster reconciler
  // (reconcile-manifests.ts) and the SSH gateway (main/gateway/manifests.ts).
  if (SERVICE_COMPONENTS.has(o.metadata.labels?.['app.kubernetes.io/component'] ?? '') && o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'labforge') return true;
  return false;
}

export function namespaceDrift({ expected, live, studentMayCreate }: NamespaceInputs): ObjectDrift[] {
  const liveByKey = new Map(live.filter((o) => !o.metadata.deletionTimestamp).map((o) => [objectKeyOf(o), o]));
  const wanted = new Set(expected.map(objectKeyOf));
  const out: ObjectDrift[] = [];
  for (const want of expected) {
    const have = liveByKey.get(objectKeyOf(want));
    const base = { apiVersion: want.apiVersion, kind: want.kind, name: want.metadata.name };
    if (!have) {
      out.push({ ...base, problem: 'missing', fields: [] });
      continue;
    }
    const fields = changedFields(want, have);
    if (fields.length) out.push({ ...base, problem: 'changed', fields });
  }
  for (const [key, o] of liveByKey) {
    if (wanted.has(key) || o.kind === 'Namespace' || isStudentOrSystem(o, studentMayCreate)) continue;
    out.push({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, problem: 'extra', fields: [] });
  }
  return out.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}


