/**
 * Deleting the instructor's dev namespace: the end of deploy. Everything in it goes (its nodes
 * and the data in its volumes); releases live in labforge-system and stay.
 *
 * Only a namespace Labforge made as that lab's dev namespace is deleted: its labels must say
 * managed-by labforge, role dev and the lab's name. A namespace named like it but made by
 * someone else, or a student's, is refused, whatever --namespace says.
 */
import { devNamespace, LABEL, MANAGED_BY } from '../../common/compile';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM, POD } from '../kube/kinds';
import { deleteNamespace, waitNamespacesGone } from './publish';

export interface DevContents {
  namespace: string;
  /** Pods running in it (the lab's nodes, as they are now). */
  pods: number;
  /** Its volume claims: the data lost with it. */
  volumes: string[];
}

export interface DevDeleteOptions {
  namespace?: string;
  /** Say what would be lost without deleting anything (for a confirmation). */
  dryRun?: boolean;
  timeoutMs?: number;
  onPhase?: (message: string) => void;
}

export interface DevDeleteResult extends DevContents {
  /** False for a dry run, and while the namespace is still terminating at the timeout. */
  gone: boolean;
}

/** The lab's dev namespace and what is in it; refuses a namespace that is not its dev namespace. */
export async function devContents(cluster: Cluster, labName: string, namespace = devNamespace(labName)): Promise<DevContents> {
  const ns = await cluster.read(NAMESPACE, namespace);
  if (!ns) throw new KubeError('not-found', `${labName} has no dev namespace (${namespace} does not exist): nothing is deployed, nothing to delete`, { hint: 'deploy-first' });
  const labels = ns.metadata?.labels ?? {};
  if (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.role] !== 'dev' || labels[LABEL.lab] !== labName) {
    const what = labels[LABEL.managedBy] !== MANAGED_BY ? 'was not made by Labforge' : labels[LABEL.role] !== 'dev' ? `is a ${labels[LABEL.role] ?? 'non-dev'} namespace` : `belongs to lab ${labels[LABEL.lab] ?? '(none)'}`;
    throw new KubeError('forbidden', `namespace ${namespace} ${what}, not the dev namespace of ${labName}: not deleting it`);
  }
  const [pods, claims] = await Promise.all([cluster.list(POD, { namespace }), cluster.list(PERSISTENT_VOLUME_CLAIM, { namespace })]);
  return { namespace, pods: pods.items.length, volumes: claims.items.map((c) => c.metadata?.name ?? '').filter(Boolean).sort() };
}

/** Deletes the lab's dev namespace and waits until it is gone (or says it is still terminating). */
export async function deleteDev(cluster: Cluster, labName: string, opts: DevDeleteOptions = {}): Promise<DevDeleteResult> {
  const contents = await devContents(cluster, labName, opts.namespace);
  if (opts.dryRun) return { ...contents, gone: false };
  opts.onPhase?.(`deleting ${contents.namespace}`);
  await deleteNamespace(cluster, contents.namespace);
  opts.onPhase?.(`waiting for ${contents.namespace} to finish deleting`);
  const stuck = await waitNamespacesGone(cluster, [contents.namespace], opts.timeoutMs ?? 120_000);
  return { ...contents, gone: stuck.length === 0 };
}
