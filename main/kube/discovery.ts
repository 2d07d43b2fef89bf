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
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!(await cluster.serves(kindOfObject(o)))) missing.set(o.apiVersion, [...(missing.get(o.apiVersion) ?? []), o.kind]);
  }
  if (missing.size > 0) {
    const parts = [...missing].map(([v, kinds]) => `${kinds.join(', ')} (${v})${HINTS[v] ? `: ${HINTS[v]}` : ''}`);
    throw new KubeError('missing-api', `the cluster does not serve ${parts.join('; ')}`);
  }
}
