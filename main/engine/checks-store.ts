/**
 * Reading and writing the students' check results in the cluster (the record is described in
 * checks-results.ts). Writes are read-modify-write with the read's resourceVersion as a
 * precondition, so two instructors running checks at once both count: the loser of a race
 * reads again and merges its runs into the winner's record.
 *
 * Students may not write ConfigMaps (common/compile/rbac.ts), but namespaces published before
 * that rule, a student holding an old token, or anyone else with write access could have made
 * the record before the first run, full of passes. Every record therefore carries an HMAC of its
 * content and namespace under a key in labforge-system that students cannot read; a record
 * without a valid one counts as empty, and the next run overwrites it. The HMAC does not cover
 * the object's name, so a signed record copied under another name with the same labels is still
 * signed: results are only ever read from the object named RESULTS_CONFIGMAP, one per namespace,
 * never from whatever a label selector finds.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LABEL } from '../../common/compile';
import type { LabAchievement } from '../../common/lab';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP, SECRET } from '../kube/kinds';
import { SYSTEM_NAMESPACE } from './release-record';
import { ensureSystemNamespace } from './reconcile-settings';
import { classSelector } from './publish';
import { decodeResults, encodeResults, mergeRuns, RESULTS_COMPONENT, RESULTS_CONFIGMAP, type CheckRun, type StudentResults } from './checks-results';

const WRITE_ATTEMPTS = 6;
const KEY_SECRET = 'labforge-checks-key';
const MAC_KEY = 'results.mac';

async function readKey(cluster: Cluster): Promise<Buffer | undefined> {
  const secret = await cluster.read(SECRET, KEY_SECRET, SYSTEM_NAMESPACE);
  const b64 = secret?.data?.['key'];
  return b64 ? Buffer.from(b64, 'base64') : undefined;
}

/** The signing key, created on first use; a concurrent creator's key wins (create, never overwrite). */
async function ensureKey(cluster: Cluster): Promise<Buffer> {
  const existing = await readKey(cluster);
  if (existing) return existing;
  await ensureSystemNamespace(cluster);
  const key = randomBytes(32);
  try {
    await cluster.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: KEY_SECRET, namespace: SYSTEM_NAMESPACE, labels: { [LABEL.component]: RESULTS_COMPONENT } }, type: 'Opaque', data: { key: key.toString('base64') } });
    return key;
  } catch (err) {
    const winner = err instanceof KubeError && err.kind === 'conflict' ? await readKey(cluster) : undefined;
    if (winner) return winner;
    throw err instanceof KubeError ? err.in('creating the key that signs check results') : err;
  }
}

const macOf = (key: Buffer, namespace: string, json: string) => createHmac('sha256', key).update(`labforge-checks\u0000${namespace}\u0000${json}`).digest('hex');

/** The record's results if Labforge wrote them, else null (missing, or not signed with the key). */
function trusted(cm: { metadata?: { namespace?: string }; data?: Record<string, string> } | undefined, key: Buffer | undefined): StudentResults | null {
  const json = cm?.data?.['results.json'];
  const mac = cm?.data?.[MAC_KEY];
  if (!cm || !key || json === undefined || mac === undefined) return null;
  const want = Buffer.from(macOf(key, cm.metadata?.namespace ?? '', json));
  const got = Buffer.from(mac);
  return want.length === got.length && timingSafeEqual(want, got) ? decodeResults(cm).results : null;
}

function signed(obj: ReturnType<typeof encodeResults>, key: Buffer): ReturnType<typeof encodeResults> {
  const data = obj['data'] as Record<string, string>;
  return { ...obj, data: { ...data, [MAC_KEY]: macOf(key, obj.metadata.namespace!, data['results.json']!) } };
}

export interface StudentNamespaceRef {
  namespace: string;
  class?: string;
  /** The student label's value (the key, not necessarily the id). */
  studentKey?: string;
}

/** Adds runs to a student's stored record; returns the record as written. */
export async function recordRuns(cluster: Cluster, ref: StudentNamespaceRef, runs: readonly CheckRun[], achievements: readonly LabAchievement[], now: () => Date = () => new Date()): Promise<StudentResults> {
  const key = await ensureKey(cluster);
  for (let attempt = 1; ; attempt++) {
    const cm = await cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, ref.namespace);
    const merged = mergeRuns(trusted(cm, key), runs, achievements, now().toISOString());
    const labels = { ...(ref.class ? { class: ref.class } : {}), ...(ref.studentKey ? { student: ref.studentKey } : {}) };
    try {
      // Server-side apply honours resourceVersion as a precondition: a record someone else
      // wrote since our read makes this a conflict instead of overwriting their runs. With no
      // record yet, create fails the same way if another writer got there first.
      if (cm?.metadata?.resourceVersion) await cluster.apply(signed(encodeResults(ref.namespace, labels, merged, cm.metadata.resourceVersion), key));
      else await cluster.create(signed(encodeResults(ref.namespace, labels, merged), key));
      return merged;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'conflict' && attempt < WRITE_ATTEMPTS) continue;
      throw err instanceof KubeError ? err.in(`recording check results in ${ref.namespace}`) : err;
    }
  }
}

/** One student's stored record (empty when none). */
export async function readResults(cluster: Cluster, namespace: string): Promise<StudentResults> {
  const [key, cm] = await Promise.all([readKey(cluster), cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, namespace)]);
  return trusted(cm, key) ?? decodeResults(undefined).results;
}

/**
 * Every stored record of a class, by namespace: one list call, of the objects named
 * RESULTS_CONFIGMAP only (a name is unique in a namespace, so no copy can stand in for it).
 */
export async function readClassResults(cluster: Cluster, className: string, studentKey?: string): Promise<Map<string, StudentResults>> {
  const labelSelector = `${classSelector(className)},${LABEL.component}=${RESULTS_COMPONENT}${studentKey ? `,${LABEL.student}=${studentKey}` : ''}`;
  const [key, { items }] = await Promise.all([readKey(cluster), cluster.list(CONFIG_MAP, { labelSelector, fieldSelector: `metadata.name=${RESULTS_CONFIGMAP}` })]);
  return new Map(items.flatMap((cm) => {
    const results = cm.metadata?.name === RESULTS_CONFIGMAP ? trusted(cm, key) : null;
    return results ? [[cm.metadata?.namespace ?? '', results] as const] : [];
  }));
}
