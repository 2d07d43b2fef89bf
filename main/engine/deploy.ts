/**
 * `labforge deploy`: the lab into the instructor's dev namespace. Preflight everything, apply
 * with server-side apply, prune what the lab no longer has, then wait for the nodes.
 */
import { ANNOTATION, compileLab, devNamespace, identityLabels, LABEL, type KubeObject } from '../../common/compile';
import { formatIssue, formatPath, parseLab, serializeLab, validateLab, type Lab } from '../../common/lab';
import { applyAll, preflight, sourceNamer } from '../kube/apply';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import type { IConfigMap } from '../kube/kinds';
import { LAB_RECORD_COMPONENT } from '../kube/namespace-watch';
import { LAB_RECORD, pruneOwned, type PruneResult } from './owned';
import { waitReady, type NodeStatus } from './node-status';

export type DeployPhase = 'validate' | 'preflight' | 'apply' | 'prune' | 'wait';

export interface DeployOptions {
  namespace?: string;
  wait?: boolean;
  timeoutMs?: number;
  pruneVolumes?: boolean;
  onStatus?: (statuses: NodeStatus[]) => void;
  /** Each step as it starts, in words (the app's progress; the CLI stays quiet). */
  onPhase?: (phase: DeployPhase, message: string) => void;
  /** Objects applied so far, of all. */
  onApplied?: (done: number, total: number) => void;
  /**
   * Stops at the next safe point: between phases and between objects. What was applied stays
   * (server-side apply is idempotent), so deploying again converges.
   */
  signal?: AbortSignal;
}

export interface DeployResult {
  namespace: string;
  applied: number;
  pruned: PruneResult;
  ready: boolean;
  statuses: NodeStatus[];
}

/** The record of which lab runs in a dev namespace; `snapshot <name>` reads it back. */
function labRecord(lab: Lab, namespace: string, now = new Date()): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: LAB_RECORD,
      namespace,
      // The component label lets a live view watch records alone, not every ConfigMap of the lab.
      labels: { ...identityLabels(lab, { namespace }), [LABEL.component]: LAB_RECORD_COMPONENT },
      annotations: { [ANNOTATION.deployedAt]: now.toISOString() },
    },
    data: { 'lab.yaml': serializeLab(lab) },
  };
}

/** The lab a record holds, and when it was deployed; null when the record is not a readable lab. */
export function decodeLabRecord(cm: IConfigMap): { lab: Lab; at: string | null } | null {
  const r = parseLab(cm.data?.['lab.yaml'] ?? '');
  return r.ok ? { lab: r.lab, at: cm.metadata?.annotations?.[ANNOTATION.deployedAt] ?? null } : null;
}

export async function deploy(cluster: Cluster, lab: Lab, opts: DeployOptions = {}): Promise<DeployResult> {
  // Callers other than the CLI (the UI, scripts) hand over labs built in memory: same rules.
  const phase = (p: DeployPhase, message: string) => {
    opts.signal?.throwIfAborted();
    opts.onPhase?.(p, message);
  };
  phase('validate', `validating ${lab.metadata.name}`);
  const checked = validateLab(lab);
  if (!checked.ok) throw new KubeError('invalid', `the lab is invalid, nothing was written:\n${checked.issues.map((i) => `  ${formatIssue(i, lab.metadata.name)}`).join('\n')}`);
  // A node that will not start as written (an image that needs root) is said now, not after the wait.
  for (const w of checked.warnings ?? []) phase('validate', `warning: ${formatPath(w.path)}: ${w.message}`);
  const namespace = opts.namespace ?? devNamespace(lab.metadata.name);
  const objects = [...compileLab(lab, { namespace }), labRecord(lab, namespace)];
  phase('preflight', `checking ${objects.length} objects against ${cluster.identity.server} (schemas, APIs, server-side dry run)`);
  await preflight(cluster, objects, sourceNamer(lab));
  phase('apply', `applying ${objects.length} objects to ${namespace}`);
  let done = 0;
  await applyAll(cluster, objects, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    onApplied: () => opts.onApplied?.(++done, objects.length),
  });
  phase('prune', 'removing what the lab no longer has (volumes are kept)');
  const pruned = await pruneOwned(cluster, namespace, lab.metadata.name, objects, { pruneVolumes: !!opts.pruneVolumes });
  if (opts.wait === false) return { namespace, applied: objects.length, pruned, ready: false, statuses: [] };
  const timeoutMs = opts.timeoutMs ?? 300_000;
  phase('wait', `waiting up to ${Math.round(timeoutMs / 1000)} s for ${lab.nodes.length} node${lab.nodes.length === 1 ? '' : 's'} to be ready`);
  const { ready, statuses } = await waitReady(cluster, namespace, lab, timeoutMs, opts.onStatus, opts.signal);
  return { namespace, applied: objects.length, pruned, ready, statuses };
}
