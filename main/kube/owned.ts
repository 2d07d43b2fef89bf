/**
 * Listing what we own in a namespace: every object of the given kinds that carries our
 * ownership labels. Kinds the cluster does not serve (KubeVirt absent) are skipped.
 */
import type { KubeObject } from '../../common/compile/types';
import type { Cluster, Kind } from './cluster';

export async function listOwned(cluster: Cluster, namespace: string, labelSelector: string, kinds: readonly Kind[]): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const kind of kinds) {
    if (!(await cluster.serves(kind))) continue;
    out.push(...(await cluster.list(kind, { namespace, labelSelector })).items);
  }
  return out;
}

/** `apiVersion/kind/name`: identifies an object within one namespace. */
export const ownedKey = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
