/**
 * The live state of each lab node in one namespace, as deploy, snapshot, `status`, the canvas
 * and the class dashboard show it. One pure function turns pods, workloads and VMs into
 * states; callers either list those objects once or keep them live with a namespace-set watch.
 */
import { NODE_KIND } from '../../common/lab/node-kinds';
import { LABEL, labelSelector } from '../../common/compile/labels';
import type { Lab } from '../../common/lab/schema';
import type { Cluster } from '../kube/cluster';
import { DEPLOYMENT, POD, STATEFUL_SET, VIRTUAL_MACHINE, type IDeployment, type IPod, type IStatefulSet, type VirtualMachine } from '../kube/kinds';
import { classifyPod, classifyVm, type NodeState } from './node-state';

export interface NodeStatus {
  node: string;
  kind: 'container' | 'vm';
  /** pending, starting, ready or failed. */
  state: NodeState;
  ready: boolean;
  /** e.g. "1/1", or the VM's printable status: the figure `labforge deploy` prints. */
  detail: string;
  /** A short Kubernetes word: ImagePullBackOff, CrashLoopBackOff, Unschedulable, QuotaExceeded… */
  reason?: string;
  message?: string;
  /** The image the node could neither pull nor find (ImagePullBackOff and kin). */
  image?: string;
  restarts: number;
}

/**
 * Whether the workload's controller has acted on its latest spec. Right after an apply the old
 * pod is still there and still ready; counting it would call a change ready before it ran.
 */
function rolledOut(w: IDeployment | IStatefulSet | undefined): boolean {
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

export interface NamespaceObjects {
  pods: Iterable<IPod>;
  /** Deployments and StatefulSets; without them readiness cannot wait for a rollout. */
  workloads?: Iterable<IDeployment | IStatefulSet>;
  virtualMachines?: Iterable<VirtualMachine>;
}

const nodeOf = (o: { metadata?: { labels?: Record<string, string> } }) => o.metadata?.labels?.[LABEL.node];

/**
 * States of `nodes` from the objects of one namespace. Objects are matched to nodes by the
 * node label, so callers may pass a whole class's objects filtered to one namespace.
 */
export function liveNodeStatuses(nodes: readonly { name: string; kind: 'container' | 'vm' }[], objects: NamespaceObjects): NodeStatus[] {
  const podOf = new Map<string, IPod>();
  for (const p of objects.pods) {
    const n = nodeOf(p);
    // A terminating pod is on its way out: the one that replaces it is what counts.
    if (n && !p.metadata?.deletionTimestamp) podOf.set(n, p);
  }
  const workloadOf = new Map<string, IDeployment | IStatefulSet>();
  for (const w of objects.workloads ?? []) {
    const n = nodeOf(w) ?? w.metadata?.name;
    if (n) workloadOf.set(n, w);
  }
  const vmOf = new Map<string, VirtualMachine>();
  for (const v of objects.virtualMachines ?? []) vmOf.set(nodeOf(v) ?? v.metadata.name, v);
  const checkRollout = objects.workloads !== undefined;

  return nodes.map((node) => {
    const pod = podOf.get(node.name);
    const restarts = pod?.status?.containerStatuses?.reduce((n, c) => n + (c.restartCount ?? 0), 0) ?? 0;
    if (NODE_KIND[node.kind].workload === 'vm') {
      const vm = vmOf.get(node.name);
      const c = classifyVm(vm);
      return { node: node.name, kind: 'vm', state: c.state, ready: c.state === 'ready', detail: vm?.status?.printableStatus ?? (vm ? 'no status from KubeVirt' : 'missing'), restarts, ...rest(c) };
    }
    const workload = workloadOf.get(node.name);
    let c = classifyPod(pod, workload);
    // The pod that is ready may be the old one: a change is ready once its rollout is done.
    if (c.state === 'ready' && checkRollout && !rolledOut(workload)) c = { state: 'starting', reason: 'RollingOut', message: 'rolling out the latest change' };
    const ready = c.state === 'ready';
    return { node: node.name, kind: 'container', state: c.state, ready, detail: `${ready ? 1 : 0}/1`, restarts, ...rest(c) };
  });
}

const rest = (c: { reason?: string; message?: string; image?: string }) => ({
  ...(c.reason ? { reason: c.reason } : {}),
  ...(c.message ? { message: c.message } : {}),
  ...(c.image ? { image: c.image } : {}),
});

/** Lists the namespace's pods, workloads and VMs once and classifies the lab's nodes. */
export async function nodeStatuses(cluster: Cluster, namespace: string, lab: Lab): Promise<NodeStatus[]> {
  const selector = labelSelector({ [LABEL.lab]: lab.metadata.name });
  const hasVms = lab.nodes.some((n) => NODE_KIND[n.kind].workload === 'vm');
  const [{ items: pods }, { items: deployments }, { items: statefulSets }, vms] = await Promise.all([
    cluster.list(POD, { namespace, labelSelector: selector }),
    cluster.list(DEPLOYMENT, { namespace, labelSelector: selector }),
    cluster.list(STATEFUL_SET, { namespace, labelSelector: selector }),
    hasVms && (await cluster.serves(VIRTUAL_MACHINE)) ? cluster.list(VIRTUAL_MACHINE, { namespace, labelSelector: selector }) : Promise.resolve({ items: [] }),
  ]);
  return liveNodeStatuses(lab.nodes, { pods, workloads: [...deployments, ...statefulSets], virtualMachines: vms.items });
}

/**
 * Polls until every node is settled — ready, or failed for a reason that needs the instructor
 * (a bad image, a crash loop, no room) — the timeout passes, or `signal` aborts. Waiting out the
 * timeout on an image that will never pull helps nobody. Returns the last statuses.
 */
export async function waitReady(
  cluster: Cluster,
  namespace: string,
  lab: Lab,
  timeoutMs: number,
  onTick?: (s: NodeStatus[]) => void,
  signal?: AbortSignal,
): Promise<{ ready: boolean; statuses: NodeStatus[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const statuses = await nodeStatuses(cluster, namespace, lab);
    onTick?.(statuses);
    const ready = statuses.every((s) => s.ready);
    const settled = statuses.every((s) => s.ready || s.state === 'failed');
    if (settled || Date.now() >= deadline) return { ready, statuses };
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))));
  }
}
