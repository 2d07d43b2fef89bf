/**
 * `labforge deploy`: the lab into the instructor's dev namespace. Preflight everything, apply
 * with server-side apply, prune what the lab no longer has, then wait for the nodes.
 */
import { compileLab, devNamespace, identityLabels, type KubeObject } from '../../common/compile';
import { formatIssue, serializeLab, validateLab, type Lab } from '../../common/lab';
import { applyAll, preflight, sourceNamer } from '../kube/apply';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { LAB_RECORD, pruneOwned, type PruneResult } from './owned';
import { waitReady, type NodeStatus } from './node-status';

export interface DeployOptions {
  namespace?: string;
  wait?: boolean;
  timeoutMs?: number;
  pruneVolumes?: boolean;
  onStatus?: (statuses: NodeStatus[]) => void;
}

export interface DeployResult {
  namespace: string;
  applied: number;
  pruned: PruneResult;
  ready: boolean;
  statuses: NodeStatus[];
}

/** The record of which lab runs in a dev namespace; `snapshot <name>` reads it back. */
export function labRecord(lab: Lab, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: LAB_RECORD, namespace, labels: identityLabels(lab, { namespace }) },
    data: { 'lab.yaml': serializeLab(lab) },
  };
}

export async function deploy(cluster: Cluster, lab: Lab, opts: DeployOptions = {}): Promise<DeployResult> {
  // Callers other than the CLI (the UI, scripts) hand over labs built in memory: same rules.
  const checked = validateLab(lab);
  if (!checked.ok) throw new KubeError('invalid', `the lab is invalid, nothing was written:\n${checked.issues.map((i) => `  ${formatIssue(i, lab.metadata.name)}`).join('\n')}`);
  const namespace = opts.namespace ?? devNamespace(lab.metadata.name);
  const objects = [...compileLab(lab, { namespace }), labRecord(lab, namespace)];
  await preflight(cluster, objects, sourceNamer(lab));
  await applyAll(cluster, objects);
  const pruned = await pruneOwned(cluster, namespace, lab.metadata.name, objects, opts.pruneVolumes);
  if (opts.wait === false) return { namespace, applied: objects.length, pruned, ready: false, statuses: [] };
  const { ready, statuses } = await waitReady(cluster, namespace, lab, opts.timeoutMs ?? 300_000, opts.onStatus);
  return { namespace, applied: objects.length, pruned, ready, statuses };
}
