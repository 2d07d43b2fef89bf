/**
 * Which APIs the cluster serves. Checked before any write, so a lab with VM nodes on a cluster
 * without KubeVirt is refused up front instead of half-applied.
 */
import type { KubeObject } from '../../common/compile/types';
import type { Cluster } from './cluster';
import { KubeError } from './errors';
import { kindOfObject } from './kinds';

const HINTS: Record<string, string> = {
  'kubevirt.io/v1': 'install KubeVirt on the cluster, or remove the vm nodes from the lab',
};

/** Throws a `missing-api` KubeError naming every kind the cluster does not serve. */
export async function requireApis(cluster: Cluster, objects: KubeObject[]): Promise<void> {
  const missing = new Map<string, string[]>();
  const kinds = new Map<string, KubeObject>();
  for (const o of objects) if (!kinds.has(`${o.apiVersion}/${o.kind}`)) kinds.set(`${o.apiVersion}/${o.kind}`, o);
  // All group/versions are asked at once (each once: the mapper shares a pending answer); the
  // report keeps the objects' order.
  const served = await Promise.all([...kinds.values()].map((o) => cluster.serves(kindOfObject(o))));
  [...kinds.values()].forEach((o, i) => {
    if (!served[i]) missing.set(o.apiVersion, [...(missing.get(o.apiVersion) ?? []), o.kind]);
  });
  if (missing.size > 0) {
    const parts = [...missing].map(([v, kinds]) => `${kinds.join(', ')} (${v})${HINTS[v] ? `: ${HINTS[v]}` : ''}`);
    throw new KubeError('missing-api', `the cluster does not serve ${parts.join('; ')}`);
  }
}
