/** The live state of each lab node in one namespace, as deploy and the canvas show it. */
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../../common/compile/labels';
import type { Lab } from '../../common/lab/schema';
import type { KubeClient } from '../kube/client';

export interface NodeStatus {
  node: string;
  kind: 'container' | 'vm';
  ready: boolean;
  /** e.g. "1/1", or the VM's printable status. */
  state: string;
  restarts: number;
  message?: string;
}

function podProblem(pod: V1Pod | undefined): string | undefined {
  if (!pod) return 'no pod yet';
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason) return `${w.reason}${w.message ? `: ${w.message}` : ''}`;
  }
  const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable) return `${unschedulable.reason}: ${unschedulable.message ?? ''}`.trim();
  return pod.status?.phase === 'Running' ? undefined : pod.status?.phase;
}

export async function nodeStatuses(client: KubeClient, namespace: string, lab: Lab): Promise<NodeStatus[]> {
  const pods = (await client.core.listNamespacedPod({ namespace, labelSelector: `${LABEL.lab}=${lab.metadata.name}` })).items;
  const podOf = (node: string) => pods.find((p) => p.metadata?.labels?.[LABEL.node] === node && !p.metadata?.deletionTimestamp);
  const out: NodeStatus[] = [];
  for (const node of lab.nodes) {
    const pod = podOf(node.name);
    const restarts = pod?.status?.containerStatuses?.reduce((n, c) => n + c.restartCount, 0) ?? 0;
    if (node.kind === 'vm') {
      let vm: { status?: { ready?: boolean; printableStatus?: string } } | undefined;
      try {
        vm = (await client.objects.read({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: node.name, namespace } })) as typeof vm;
      } catch (err) {
        if (client.error(err).kind !== 'not-found') throw client.error(err);
      }
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
    const readyCount = pod?.status?.containerStatuses?.every((c) => c.ready) && pod.status.phase === 'Running' ? 1 : 0;
    const problem = readyCount === desired ? undefined : podProblem(pod);
    out.push({ node: node.name, kind: 'container', ready: readyCount === desired, state: `${readyCount}/${desired}`, restarts, ...(problem ? { message: problem } : {}) });
  }
  return out;
}

/** Polls until every node is ready or the timeout passes; returns the last statuses. */
export async function waitReady(client: KubeClient, namespace: string, lab: Lab, timeoutMs: number, onTick?: (s: NodeStatus[]) => void): Promise<{ ready: boolean; statuses: NodeStatus[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await nodeStatuses(client, namespace, lab);
    onTick?.(statuses);
    const ready = statuses.every((s) => s.ready);
    if (ready || Date.now() >= deadline) return { ready, statuses };
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}
