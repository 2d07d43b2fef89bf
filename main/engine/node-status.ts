/** The live state of each lab node in one namespace, as deploy and the canvas show it. */
import { LABEL, labelSelector } from '../../common/compile/labels';
import type { Lab } from '../../common/lab/schema';
import type { Cluster } from '../kube/cluster';
import { DEPLOYMENT, POD, STATEFUL_SET, VIRTUAL_MACHINE, type IDeployment, type IPod, type IStatefulSet } from '../kube/kinds';

export interface NodeStatus {
  node: string;
  kind: 'container' | 'vm';
  ready: boolean;
  /** e.g. "1/1", or the VM's printable status. */
  state: string;
  restarts: number;
  message?: string;
}

function podProblem(pod: IPod | undefined): string | undefined {
  if (!pod) return 'no pod yet';
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason) return `${w.reason}${w.message ? `: ${w.message}` : ''}`;
  }
  const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable) return `${unschedulable.reason}: ${unschedulable.message ?? ''}`.trim();
  return pod.status?.phase === 'Running' ? undefined : pod.status?.phase;
}

/**
 * Whether the workload's controller has acted on its latest spec. Right after an apply the old
 * pod is still there and still ready; counting it would call a change ready before it ran.
 */
export function rolledOut(w: IDeployment | IStatefulSet | undefined): boolean {
  if (!w) return false;
  if ((w.status?.observedGeneration ?? 0) < (w.metadata?.generation ?? 1)) return false;
  const replicas = w.spec?.replicas ?? 1;
  if (w.kind === 'StatefulSet') {
    const s = w.status;
    return (s?.updatedReplicas ?? 0) >= replicas && (!s?.updateRevision || s.updateRevision === s.currentRevision);
  }
  // Old pods count in status.replicas until they are gone.
  return (w.status?.updatedReplicas ?? 0) >= replicas && (w.status?.replicas ?? 0) <= replicas;
}

export async function nodeStatuses(cluster: Cluster, namespace: string, lab: Lab): Promise<NodeStatus[]> {
  const podSelector = labelSelector({ [LABEL.lab]: lab.metadata.name });
  const [{ items: pods }, { items: deployments }, { items: statefulSets }] = await Promise.all([
    cluster.list(POD, { namespace, labelSelector: podSelector }),
    cluster.list(DEPLOYMENT, { namespace, labelSelector: podSelector }),
    cluster.list(STATEFUL_SET, { namespace, labelSelector: podSelector }),
  ]);
  const workloads = new Map<string, IDeployment | IStatefulSet>([...deployments, ...statefulSets].map((w) => [w.metadata?.name ?? '', w]));
  const podOf = (node: string) => pods.find((p) => p.metadata?.labels?.[LABEL.node] === node && !p.metadata?.deletionTimestamp);
  const out: NodeStatus[] = [];
  for (const node of lab.nodes) {
    const pod = podOf(node.name);
    const restarts = pod?.status?.containerStatuses?.reduce((n, c) => n + c.restartCount, 0) ?? 0;
    if (node.kind === 'vm') {
      const vm = await cluster.read(VIRTUAL_MACHINE, node.name, namespace);
      const ready = vm?.status?.ready === true;
      out.push({
        node: node.name,
        kind: 'vm',
        ready,
        state: vm ? (vm.status?.printableStatus ?? 'no status from KubeVirt') : 'missing',
        restarts,
        ...(ready ? {} : { message: vm?.status ? undefined : 'KubeVirt has not reported on this VM (is virt-controller running?)' }),
      });
      continue;
    }
    const desired = 1;
    const current = rolledOut(workloads.get(node.name));
    const readyCount = current && pod?.status?.containerStatuses?.every((c) => c.ready) && pod.status.phase === 'Running' ? 1 : 0;
    const problem = readyCount === desired ? undefined : (podProblem(pod) ?? (current ? undefined : 'rolling out the latest change'));
    out.push({ node: node.name, kind: 'container', ready: readyCount === desired, state: `${readyCount}/${desired}`, restarts, ...(problem ? { message: problem } : {}) });
  }
  return out;
}

/** Polls until every node is ready or the timeout passes; returns the last statuses. */
export async function waitReady(cluster: Cluster, namespace: string, lab: Lab, timeoutMs: number, onTick?: (s: NodeStatus[]) => void): Promise<{ ready: boolean; statuses: NodeStatus[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await nodeStatuses(cluster, namespace, lab);
    onTick?.(statuses);
    const ready = statuses.every((s) => s.ready);
    if (ready || Date.now() >= deadline) return { ready, statuses };
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}
