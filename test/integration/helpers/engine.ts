// Helpers for engine tests: an admin KubeClient on the test cluster, labs from the examples,
// and releases made the way an instructor makes them (deploy to a dev namespace, snapshot).
import { join } from 'node:path';
import { compileLab, studentNamespace } from '../../../common/compile';
import { deploy } from '../../../main/engine/deploy';
import { key, listOwned } from '../../../main/engine/owned';
import { snapshot, type Release } from '../../../main/engine/releases';
import type { Lab } from '../../../common/lab';
export { exampleLab } from '../../helpers/examples';
import { clientFor, type KubeClient } from '../../../main/kube/client';
import { loadTestKubeConfig, randomId } from './kube';

export const ROOT = join(import.meta.dirname, '../../..');

export function adminClient(): KubeClient {
  return clientFor(loadTestKubeConfig());
}


/** A copy of a lab under a fresh name, so parallel or repeated runs never share releases. */
export function uniqueLab(lab: Lab, prefix = 'it'): Lab {
  const copy = structuredClone(lab);
  copy.metadata.name = `${prefix}-${randomId(3)}-${lab.metadata.name}`.slice(0, 40).replace(/-+$/, '');
  return copy;
}

/** deploy → snapshot, as the CLI does; returns the release. */
export async function makeRelease(client: KubeClient, lab: Lab, tag: string): Promise<Release> {
  const r = await deploy(client, lab, { timeoutMs: 120_000 });
  if (!r.ready) throw new Error(`dev did not become ready: ${JSON.stringify(r.statuses)}`);
  return snapshot(client, tag, { fileLab: lab });
}

/** What a student namespace holds that Labforge owns, as apiVersion/kind/name keys. */
export async function ownedKeys(client: KubeClient, namespace: string, lab: Lab): Promise<string[]> {
  return (await listOwned(client, namespace, lab.metadata.name)).map(key).sort();
}

export function expectedKeys(lab: Lab, className: string, student: string, tag: string): string[] {
  return compileLab(lab, { namespace: studentNamespace(className, student), class: className, student, release: tag })
    .filter((o) => o.kind !== 'Namespace')
    .map(key)
    .sort();
}
