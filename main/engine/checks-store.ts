/**
 * Reading and writing the students' check results in the cluster (the record is described in
 * checks-results.ts). Writes are read-modify-write with the read's resourceVersion as a
 * precondition, so two instructors running checks at once both count: the loser of a race
 * reads again and merges its runs into the winner's record.
 */
import { LABEL } from '../../common/compile';
import type { LabAchievement } from '../../common/lab';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP } from '../kube/kinds';
import { classSelector } from './publish';
import { decodeResults, encodeResults, mergeRuns, RESULTS_COMPONENT, RESULTS_CONFIGMAP, type CheckRun, type StudentResults } from './checks-results';

const WRITE_ATTEMPTS = 6;

export interface StudentNamespaceRef {
  namespace: string;
  class?: string;
  /** The student label's value (the key, not necessarily the id). */
  studentKey?: string;
}

/** Adds runs to a student's stored record; returns the record as written. */
export async function recordRuns(cluster: Cluster, ref: StudentNamespaceRef, runs: readonly CheckRun[], achievements: readonly LabAchievement[], now: () => Date = () => new Date()): Promise<StudentResults> {
  for (let attempt = 1; ; attempt++) {
    const cm = await cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, ref.namespace);
    const merged = mergeRuns(cm ? decodeResults(cm).results : null, runs, achievements, now().toISOString());
    const labels = { ...(ref.class ? { class: ref.class } : {}), ...(ref.studentKey ? { student: ref.studentKey } : {}) };
    try {
      // Server-side apply honours resourceVersion as a precondition: a record someone else
      // wrote since our read makes this a conflict instead of overwriting their runs. With no
      // record yet, create fails the same way if another writer got there first.
      if (cm?.metadata?.resourceVersion) await cluster.apply(encodeResults(ref.namespace, labels, merged, cm.metadata.resourceVersion));
      else await cluster.create(encodeResults(ref.namespace, labels, merged));
      return merged;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'conflict' && attempt < WRITE_ATTEMPTS) continue;
      throw err instanceof KubeError ? err.in(`recording check results in ${ref.namespace}`) : err;
    }
  }
}

/** One student's stored record (empty when none). */
export async function readResults(cluster: Cluster, namespace: string): Promise<StudentResults> {
  return decodeResults(await cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, namespace)).results;
}

/** Every stored record of a class, by namespace: one list call. */
export async function readClassResults(cluster: Cluster, className: string, studentKey?: string): Promise<Map<string, StudentResults>> {
  const labelSelector = `${classSelector(className)},${LABEL.component}=${RESULTS_COMPONENT}${studentKey ? `,${LABEL.student}=${studentKey}` : ''}`;
  const { items } = await cluster.list(CONFIG_MAP, { labelSelector });
  return new Map(items.map((cm) => [cm.metadata?.namespace ?? '', decodeResults(cm).results]));
}
