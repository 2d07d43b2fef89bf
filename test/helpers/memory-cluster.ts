// Helpers for unit tests of the engine on the in-memory cluster: a cluster with ready nodes of a
// chosen size, a release made straight from a lab, and the writes that were not dry runs.
import type { KubeObject } from '../../common/compile/types';
import type { Lab } from '../../common/lab';
import { KUBEVIRT_KINDS, MemoryCluster, type MemoryClusterOptions, type Write } from './in-memory-cluster';
import type { Release } from '../../main/engine/release-record';

export interface NodeSize {
  count?: number;
  cpu?: string;
  memory?: string;
  pods?: string;
}

export function memoryCluster(opts: MemoryClusterOptions & { nodes?: NodeSize; kubevirt?: boolean } = {}): MemoryCluster {
  const { nodes = {}, kubevirt, ...rest } = opts;
  const c = new MemoryCluster({ ...rest, kinds: [...(rest.kinds ?? []), ...(kubevirt ? KUBEVIRT_KINDS : [])] });
  const allocatable = { cpu: nodes.cpu ?? '32', memory: nodes.memory ?? '128Gi', pods: nodes.pods ?? '110' };
  for (let i = 0; i < (nodes.count ?? 2); i++) {
    c.put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${i}` },
      status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  return c;
}

/** A release of `lab` as snapshot would store it, without the dev round trip. */
export function releaseOf(lab: Lab, tag: string): Release {
  return { lab, labName: lab.metadata.name, tag, createdAt: '2026-01-01T00:00:00.000Z', author: 'test', note: '', images: [], template: '' };
}

/** Writes that changed (or tried to change) the cluster: everything but dry runs. */
export const realWrites = (c: MemoryCluster): Write[] => c.writes.filter((w) => !w.dryRun);

/** `kind/name` of what a namespace holds, sorted. */
export const contents = (c: MemoryCluster, namespace: string, kinds: { apiVersion: string; kind: string }[]): string[] =>
  kinds
    .flatMap((k) => c.all(k.apiVersion, k.kind, namespace))
    .map((o: KubeObject) => `${o.kind}/${o.metadata.name}`)
    .sort();
