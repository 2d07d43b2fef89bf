// Integration tests run against the real local control plane. This brings it up once per test run
// (clusterUp is idempotent: a healthy cluster is reused within a second or two, a broken one is
// repaired) and hands the admin kubeconfig path to the tests. It deliberately does not tear the
// cluster down afterwards so a developer's rerun is fast; CI runs `labforge cluster down` itself.
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { clusterUp } from '../../main/cluster';
import { clusterImages } from '../../main/cluster/cluster-images';

/** The images the suite's real-node tests run (built once into the cache, pushed on every run). */
export const REAL_NODE_IMAGES = ['nginx:1.27', 'postgres:16', 'alpine:3.20', 'busybox:1.36'];

declare module 'vitest' {
  export interface ProvidedContext {
    labforgeKubeconfig: string;
    labforgeClusterDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  // A checkout sharing the cluster another checkout runs (LABFORGE_CLUSTER_DIR names it) uses it
  // as it is: bringing it "up" from here would restart its agent and node components to this
  // checkout's version while the other's tests run on them.
  const shared = process.env['LABFORGE_SHARED_CLUSTER'] === '1' ? process.env['LABFORGE_CLUSTER_DIR'] : undefined;
  if (shared) {
    const kubeconfig = join(shared, 'kubeconfig');
    process.stderr.write(`[cluster] using the shared cluster in ${shared} as it is\n`);
    process.env.KUBECONFIG_LABFORGE_TEST = kubeconfig;
    project.provide('labforgeKubeconfig', kubeconfig);
    project.provide('labforgeClusterDir', shared);
    return;
  }
  const started = Date.now();
  // The suite's classes run on kwok's simulated nodes (fast, and room for hundreds of students);
  // tests of what happens inside a lab put their namespaces on the real node (helpers/kube.ts).
  const r = await clusterUp({ placement: 'simulated', log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  process.stderr.write(`[cluster] ${r.alreadyRunning ? 'reusing' : 'started'} ${r.server} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
  if (!r.realNode) throw new Error('the integration suite needs the real node (root and the Debian packages .ci/run installs); `labforge cluster up` said why it has none');
  await clusterImages({ stateDir: r.stateDir, refs: REAL_NODE_IMAGES, log: (line) => process.stderr.write(`[images] ${line}\n`) });
  process.env.KUBECONFIG_LABFORGE_TEST = r.kubeconfig;
  project.provide('labforgeKubeconfig', r.kubeconfig);
  project.provide('labforgeClusterDir', r.stateDir);
}
