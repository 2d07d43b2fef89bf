/**
 * The kinds Labforge creates inside a lab namespace, and pruning what a lab no longer has.
 * Pruning only ever looks at objects carrying our managed-by label and the lab's label.
 */
import { LABEL, managedSelector } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import { kindOf, type Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { kindOfObject } from '../kube/kinds';
import { listOwned as listOwnedKinds, ownedKey } from '../kube/owned';
import { withRetry, type RetryOptions } from '../kube/retry';

export const NAMESPACED_KINDS = [
  kindOf('v1', 'ResourceQuota'),
  kindOf('v1', 'LimitRange'),
  kindOf('networking.k8s.io/v1', 'NetworkPolicy'),
  kindOf('v1', 'ServiceAccount'),
  kindOf('rbac.authorization.k8s.io/v1', 'Role'),
  kindOf('rbac.authorization.k8s.io/v1', 'RoleBinding'),
  kindOf('v1', 'PersistentVolumeClaim'),
  kindOf('v1', 'ConfigMap'),
  kindOf('v1', 'Service'),
  kindOf('apps/v1', 'Deployment'),
  kindOf('apps/v1', 'StatefulSet'),
  kindOf('kubevirt.io/v1', 'VirtualMachine'),
  kindOf('networking.k8s.io/v1', 'Ingress'),
];

export const key = ownedKey;

/** Objects of a lab, wherever they run (dev or a student's namespace). */
const ownedSelector = (lab: string) => managedSelector({ [LABEL.lab]: lab });

/** Every object of our kinds in `namespace` that carries the lab's ownership labels. */
export function listOwned(cluster: Cluster, namespace: string, lab: string): Promise<KubeObject[]> {
  return listOwnedKinds(cluster, namespace, ownedSelector(lab), NAMESPACED_KINDS);
}

/**
 * The lab's objects in each of `namespaces`, by namespace: one list per kind across the cluster
 * (the selector of listOwned, so each namespace gets exactly what listOwned would give it), not
 * one list per kind per namespace. Namespaces with nothing get an empty list.
 */
export async function listOwnedIn(cluster: Cluster, namespaces: Iterable<string>, lab: string): Promise<Map<string, KubeObject[]>> {
  const out = new Map<string, KubeObject[]>([...namespaces].map((n) => [n, []]));
  const labelSelector = ownedSelector(lab);
  // The kinds are listed together, and sorted in afterwards in listOwned's order.
  const lists = await Promise.all(NAMESPACED_KINDS.map(async (kind) => ((await cluster.serves(kind)) ? (await cluster.list(kind, { labelSelector })).items : [])));
  for (const items of lists) for (const o of items) out.get(o.metadata.namespace ?? '')?.push(o);
  return out;
}

export interface PruneResult {
  deleted: string[];
  /** Volumes no longer in the lab; kept, because deleting them loses data. */
  keptVolumes: string[];
}

export interface PruneOptions {
  /** Delete volumes (PVCs) too; kept by default, because deleting them loses data. */
  pruneVolumes?: boolean;
  /** What the namespace held, when the caller listed it already (before its apply). */
  listed?: KubeObject[];
  /** Retries each list and delete (both harmless to repeat). */
  retry?: RetryOptions;
}

/** Deletes owned objects that are not in `desired`. PVCs are kept unless `pruneVolumes`. */
export async function pruneOwned(cluster: Cluster, namespace: string, lab: string, desired: KubeObject[], opts: PruneOptions = {}): Promise<PruneResult> {
  const want = new Set(desired.map(key));
  const result: PruneResult = { deleted: [], keptVolumes: [] };
  const listed = opts.listed ?? (await withRetry(() => listOwned(cluster, namespace, lab), opts.retry));
  for (const obj of listed) {
    if (want.has(key(obj))) continue;
    if (obj.kind === 'PersistentVolumeClaim' && !opts.pruneVolumes) {
      result.keptVolumes.push(obj.metadata.name);
      continue;
    }
    // The lab's own record is not part of the compiled objects.
    if (obj.kind === 'ConfigMap' && obj.metadata.name === LAB_RECORD) continue;
    try {
      if (await withRetry(() => cluster.delete(kindOfObject(obj), obj.metadata.name, namespace), opts.retry)) result.deleted.push(`${obj.kind}/${obj.metadata.name}`);
    } catch (err) {
      throw err instanceof KubeError ? err.in(`pruning ${obj.kind}/${obj.metadata.name}`) : err;
    }
  }
  return result;
}

/** The ConfigMap in a dev namespace that records which lab runs there (for `snapshot <name>`). */
export const LAB_RECORD = 'labforge-lab';
