/**
 * The kinds Labforge creates inside a lab namespace, and listing what it owns by label.
 * Pruning only ever looks at objects carrying our managed-by label and the lab's label.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import type { KubeClient } from '../kube/client';

export const NAMESPACED_KINDS: [apiVersion: string, kind: string][] = [
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['v1', 'ServiceAccount'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['kubevirt.io/v1', 'VirtualMachine'],
  ['networking.k8s.io/v1', 'Ingress'],
];

export const key = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;

export function ownedSelector(lab: string): string {
  return `${LABEL.managedBy}=${MANAGED_BY},${LABEL.lab}=${lab}`;
}

/** Every object of our kinds in `namespace` that carries the lab's ownership labels. */
export async function listOwned(client: KubeClient, namespace: string, lab: string): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const [apiVersion, kind] of NAMESPACED_KINDS) {
    if (!(await client.objects.serves(apiVersion, kind))) continue;
    const list = await client.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, ownedSelector(lab));
    for (const item of list.items) out.push({ ...item, apiVersion, kind });
  }
  return out;
}

export interface PruneResult {
  deleted: string[];
  /** Volumes no longer in the lab; kept, because deleting them loses data. */
  keptVolumes: string[];
}

/** Deletes owned objects that are not in `desired`. PVCs are kept unless `pruneVolumes`. */
export async function pruneOwned(client: KubeClient, namespace: string, lab: string, desired: KubeObject[], pruneVolumes = false): Promise<PruneResult> {
  const want = new Set(desired.map(key));
  const result: PruneResult = { deleted: [], keptVolumes: [] };
  for (const obj of await listOwned(client, namespace, lab)) {
    if (want.has(key(obj))) continue;
    if (obj.kind === 'PersistentVolumeClaim' && !pruneVolumes) {
      result.keptVolumes.push(obj.metadata!.name!);
      continue;
    }
    // The lab's own record is not part of the compiled objects.
    if (obj.kind === 'ConfigMap' && obj.metadata?.name === LAB_RECORD) continue;
    try {
      await client.objects.delete({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace } }, undefined, undefined, undefined, undefined, 'Background');
      result.deleted.push(`${obj.kind}/${obj.metadata!.name}`);
    } catch (err) {
      const e = client.error(err);
      if (e.kind !== 'not-found') throw e;
    }
  }
  return result;
}

/** The ConfigMap in a dev namespace that records which lab runs there (for `snapshot <name>`). */
export const LAB_RECORD = 'labforge-lab';
