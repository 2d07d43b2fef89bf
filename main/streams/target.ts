/**
 * Which pod and container a terminal opens into: a lab node's pod (label `labforge.dev/node`),
 * or a pod by name; its containers for the picker; and whether it can take an exec now, with
 * the reason when not.
 */
import type { Cluster } from '../kube/cluster';
import { NODE, POD, type IPod } from '../kube/kinds';
import { LABEL } from '../../common/compile/labels';
import { TerminalError, toTerminalError } from './errors';

export interface TargetRef {
  namespace: string;
  /** A lab node: the pod labelled `labforge.dev/node=<node>`. */
  node?: string | undefined;
  /** Or a pod by name. */
  pod?: string | undefined;
}

export interface ContainerInfo {
  name: string;
  ready: boolean;
  /** 'running', 'waiting: <reason>', 'exited <code>' or 'unknown'. */
  state: string;
}

export interface PodContainers {
  pod: string;
  containers: ContainerInfo[];
  /** The container a terminal opens in when none is chosen. */
  defaultContainer: string;
}

/** kubectl's convention for the container `kubectl exec` picks by default. */
const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

function describe(ref: TargetRef): string {
  return ref.pod ? `pod ${ref.namespace}/${ref.pod}` : `node "${ref.node}" in namespace ${ref.namespace}`;
}

type V1Pod = IPod;
type V1ContainerStatus = NonNullable<NonNullable<IPod['status']>['containerStatuses']>[number];

const live = (p: V1Pod) => !p.metadata?.deletionTimestamp;
const running = (p: V1Pod) => p.status?.phase === 'Running';
const readyCount = (p: V1Pod) => (p.status?.containerStatuses ?? []).filter((c) => c.ready).length;
const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();

/** kwok's own mark on the nodes it simulates. */
const SIMULATED_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/**
 * Refuses a pod on a simulated node before any exec is tried: nothing runs there, and the only
 * thing such a node could run a command on is its host.
 */
async function refuseSimulated(cluster: Cluster, pod: V1Pod, ref: TargetRef): Promise<V1Pod> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return pod;
  let node;
  try {
    node = await cluster.read(NODE, nodeName);
  } catch {
    // Reading nodes is an admin's right; a student's own credentials cannot, and need not: the
    // kubelet of a simulated node refuses the exec itself.
    return pod;
  }
  if (node?.metadata?.annotations?.[SIMULATED_NODE_ANNOTATION] === 'fake') {
    throw new TerminalError('simulated', `${describe(ref)} runs on a simulated node (${nodeName}), where nothing runs: there is no shell to open. Publish the class to a cluster with real nodes.`);
  }
  return pod;
}

/** The pod a shell opens in: findPod, refused on a simulated node. */
export async function findExecPod(cluster: Cluster, ref: TargetRef): Promise<V1Pod> {
  return refuseSimulated(cluster, await findPod(cluster, ref), ref);
}

/** Finds the pod; a node's pods are ranked running, then most containers ready, then newest. */
export async function findPod(cluster: Cluster, ref: TargetRef): Promise<V1Pod> {
  if (ref.pod) {
    let pod: V1Pod | undefined;
    try {
      pod = await cluster.read(POD, ref.pod, ref.namespace);
    } catch (err) {
      throw toTerminalError(err, `reading ${describe(ref)}`);
    }
    if (!pod) throw new TerminalError('not_found', `${describe(ref)} does not exist`);
    return pod;
  }
  if (!ref.node) throw new TerminalError('invalid_request', 'name a lab node or a pod to open a terminal in');
  let pods: V1Pod[];
  try {
    pods = (await cluster.list(POD, { namespace: ref.namespace, labelSelector: `${LABEL.node}=${ref.node}` })).items;
  } catch (err) {
    throw toTerminalError(err, `listing the pods of ${describe(ref)}`);
  }
  const candidates = pods.filter(live);
  if (!candidates.length) {
    throw new TerminalError('not_found', `no pod for ${describe(ref)}: is the lab deployed there, and is "${ref.node}" a container node?`);
  }
  candidates.sort((a, b) => Number(running(b)) - Number(running(a)) || readyCount(b) - readyCount(a) || created(b) - created(a));
  return candidates[0]!;
}

function stateOf(s: V1ContainerStatus | undefined): string {
  if (!s?.state) return 'unknown';
  if (s.state.running) return 'running';
  if (s.state.waiting) return `waiting: ${s.state.waiting.reason ?? 'unknown reason'}`;
  if (s.state.terminated) return `exited ${s.state.terminated.exitCode}`;
  return 'unknown';
}

export function podContainers(pod: V1Pod): PodContainers {
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const containers = (pod.spec?.containers ?? []).map((c) => ({ name: c.name, ready: statuses.get(c.name)?.ready ?? false, state: stateOf(statuses.get(c.name)) }));
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  const defaultContainer = containers.find((c) => c.name === annotated)?.name ?? containers[0]?.name ?? '';
  return { pod: pod.metadata?.name ?? '', containers, defaultContainer };
}

/** Throws 'not_ready' or 'exited' (with the exit code) unless the container can take an exec. */
export function checkExecutable(pod: V1Pod, container: string): void {
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (!(pod.spec?.containers ?? []).some((c) => c.name === container)) {
    const names = (pod.spec?.containers ?? []).map((c) => c.name).join(', ');
    throw new TerminalError('invalid_request', `pod ${name} has no container "${container}" (it has: ${names || 'none'})`);
  }
  if (pod.metadata?.deletionTimestamp) throw new TerminalError('not_ready', `pod ${name} is terminating`);
  const phase = pod.status?.phase ?? 'Unknown';
  const status = pod.status?.containerStatuses?.find((s) => s.name === container);
  const terminated = status?.state?.terminated;
  if (terminated) {
    const why = terminated.reason ? ` (${terminated.reason})` : '';
    throw new TerminalError('exited', `container "${container}" of pod ${name} exited with code ${terminated.exitCode}${why}`);
  }
  if (phase === 'Succeeded' || phase === 'Failed') throw new TerminalError('exited', `pod ${name} has ${phase === 'Succeeded' ? 'completed' : 'failed'}; its containers are not running`);
  if (phase !== 'Running') {
    const why = status?.state?.waiting?.reason ?? pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status !== 'True')?.reason;
    throw new TerminalError('not_ready', `pod ${name} is not ready: it is ${phase}${why ? ` (${why})` : ''}`);
  }
  if (status?.state?.waiting) {
    throw new TerminalError('not_ready', `container "${container}" of pod ${name} is not ready: ${status.state.waiting.reason ?? 'waiting'}${status.state.waiting.message ? ` — ${status.state.waiting.message}` : ''}`);
  }
}
