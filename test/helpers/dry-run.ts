// Server-side dry-run (dryRun=All) of compiled objects on the real control plane: admission and
// validation run, nothing is stored. Identical objects are sent once.
import type { KubeObject } from '../../common/compile';
import type { Cluster } from '../../main/kube/cluster';

export interface DryRunFailure {
  object: string;
  message: string;
  /** Which inputs produced the object (mutant ids, lab numbers). */
  sources: string[];
}

export async function dryRunAll(cluster: Cluster, batches: { source: string; objects: KubeObject[] }[], concurrency = 8): Promise<{ sent: number; failures: DryRunFailure[] }> {
  const unique = new Map<string, { obj: KubeObject; sources: string[] }>();
  for (const { source, objects } of batches) {
    for (const obj of objects) {
      const key = JSON.stringify(obj);
      const entry = unique.get(key);
      if (entry) entry.sources.push(source);
      else unique.set(key, { obj, sources: [source] });
    }
  }
  const queue = [...unique.values()];
  const failures: DryRunFailure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const { obj, sources } = queue[next++]!;
      try {
        await cluster.apply(obj, { dryRun: true });
      } catch (err) {
        failures.push({ object: `${obj.kind}/${obj.metadata.name}`, message: (err as Error).message.slice(0, 500), sources });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent: queue.length, failures };
}
