// Helpers for engine tests: an admin Cluster on the test cluster, labs from the examples,
// and releases made the way an instructor makes them (deploy to a dev namespace, snapshot).
import { join } from 'node:path';
import { compileLab, studentNamespace } from '../../../common/compile';
import { deploy } from '../../../main/engine/deploy';
import { key, listOwned } from '../../../main/engine/owned';
import { snapshot, type Release } from '../../../main/engine/releases';
import type { Lab } from '../../../common/lab';
import type { Cluster } from '../../../main/kube/cluster';
export { exampleLab } from '../../helpers/examples';
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterFor, type HttpCluster } from '../../../main/kube/http-cluster';
import { loadTestKubeConfig, randomId } from './kube';

export const ROOT = join(import.meta.dirname, '../../..');

/** The engine's view of the test cluster, as the admin. */
export function adminCluster(): HttpCluster<KubeConfig> {
  return clusterFor(loadTestKubeConfig());
}


/** A copy of a lab under a fresh name, so parallel or repeated runs never share releases. */
export function uniqueLab(lab: Lab, prefix = 'it'): Lab {
  const copy = structuredClone(lab);
  copy.metadata.name = `${prefix}-${randomId(3)}-${lab.metadata.name}`.slice(0, 40).replace(/-+$/, '');
  return copy;
}

/**
 * The lab with small CPU and memory requests on every container node: tests that run a class on
 * the real node (a 2-core machine here) are about streams and logins, not about what a lab
 * reserves, and several of them run one after another while the last one's pods terminate.
 */
export function lightweight(lab: Lab): Lab {
  for (const node of lab.nodes) {
    if (node.kind !== 'container') continue;
    node.resources = { ...node.resources, requests: { cpu: '10m', memory: '16Mi' } };
  }
  return lab;
}

/** deploy → snapshot, as the CLI does; returns the release. */
export async function makeRelease(cluster: Cluster, lab: Lab, tag: string): Promise<Release> {
  const r = await deploy(cluster, lab, { timeoutMs: 120_000 });
  if (!r.ready) throw new Error(`dev did not become ready: ${JSON.stringify(r.statuses)}`);
  return snapshot(cluster, tag, { fileLab: lab });
}

/** What a student namespace holds that Labforge owns, as apiVersion/kind/name keys. */
export async function ownedKeys(cluster: Cluster, namespace: string, lab: Lab): Promise<string[]> {
  return (await listOwned(cluster, namespace, lab.metadata.name)).map(key).sort();
}

export function expectedKeys(lab: Lab, className: string, student: string, tag: string): string[] {
  return compileLab(lab, { namespace: studentNamespace(className, student), class: className, student, release: tag })
    .filter((o) => o.kind !== 'Namespace')
    .map(key)
    .sort();
}
