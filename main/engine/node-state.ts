/**
 * One lab node's state in words an instructor reads: pending (nothing running yet), starting
 * (scheduled, containers coming up), ready, or failed — with the Kubernetes reason that explains
 * it (ImagePullBackOff, CrashLoopBackOff, Unschedulable, QuotaExceeded, ...). Pure, so the CLI,
 * the canvas and the class dashboard classify alike and tests need no cluster.
 */

/** `stopped`: nothing runs by intent (the lab is suspended), not waiting for anything. */
export type NodeState = 'pending' | 'starting' | 'ready' | 'failed' | 'stopped';

export interface Classified {
  state: NodeState;
  reason?: string;
  message?: string;
  /** The image the node could neither pull nor find, when that is what holds the node. */
  image?: string;
}

interface ContainerStatusLike {
  ready: boolean;
  image?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number; message?: string } };
}

/** The parts of a Pod this needs (structural, so client-node types and plain JSON both fit). */
export interface PodLike {
  metadata?: { deletionTimestamp?: unknown };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
}

/** The parts of a Deployment, StatefulSet or ReplicaSet: its failure condition, if any. */
export interface WorkloadLike {
  spec?: { replicas?: number };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface VmLike {
  spec?: { runStrategy?: string; running?: boolean };
  status?: { ready?: boolean; printableStatus?: string };
}

/** Waiting reasons that will not fix themselves: the instructor has to act. */
const FAILING_WAIT = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreCreateHookError', 'PostStartHookError']);

/** Waiting reasons that mean the image itself could not be had. */
const IMAGE_WAIT = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull']);

const short = (m: string | undefined) => (m && m.length > 300 ? `${m.slice(0, 299)}…` : m);

function withMessage(state: NodeState, reason: string | undefined, message: string | undefined): Classified {
  const out: Classified = { state };
  if (reason) out.reason = reason;
  const m = short(message);
  if (m) out.message = m;
  return out;
}

/** Why a workload could not create its pod, from its ReplicaFailure condition (quota, limits, admission). */
function workloadFailure(workload: WorkloadLike | undefined): Classified | undefined {
  const c = workload?.status?.conditions?.find((x) => x.type === 'ReplicaFailure' && x.status === 'True');
  if (!c) return undefined;
  const reason = /exceeded quota|forbidden: exceeded/i.test(c.message ?? '') ? 'QuotaExceeded' : (c.reason ?? 'FailedCreate');
  return withMessage('failed', reason, c.message);
}

export function classifyPod(pod: PodLike | undefined, workload?: WorkloadLike): Classified {
  if (!pod) {
    // Scaled to zero on purpose (a suspended lab): nothing is wrong and nothing is coming.
    if (workload?.spec?.replicas === 0) return { state: 'stopped', reason: 'Suspended', message: 'the lab is suspended; resume it to start this node' };
    return workloadFailure(workload) ?? { state: 'pending', message: 'no pod yet' };
  }
  const s = pod.status ?? {};
  const statuses = [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])];
  for (const c of statuses) {
    const w = c.state?.waiting;
    if (w?.reason && FAILING_WAIT.has(w.reason)) {
      const out = withMessage('failed', w.reason, w.message);
      if (IMAGE_WAIT.has(w.reason) && c.image) out.image = c.image;
      return out;
    }
  }
  if (s.phase === 'Failed') return withMessage('failed', s.reason ?? 'Failed', s.message);
  const scheduled = s.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    // The scheduler found no node: say so as a failure, it needs capacity or a smaller lab.
    if (scheduled.reason === 'Unschedulable') return withMessage('failed', 'Unschedulable', scheduled.message);
    return withMessage('pending', scheduled.reason, scheduled.message);
  }
  if (s.phase === 'Running' && (s.containerStatuses ?? []).length > 0 && (s.containerStatuses ?? []).every((c) => c.ready)) return { state: 'ready' };
  for (const c of s.containerStatuses ?? []) {
    const t = c.state?.terminated;
    if (t && t.exitCode !== undefined && t.exitCode !== 0) return withMessage('failed', t.reason ?? 'Error', t.message ?? `exited with code ${t.exitCode}`);
  }
  if (!scheduled && (s.phase === undefined || s.phase === 'Pending') && statuses.length === 0) return { state: 'pending', message: 'waiting for the scheduler' };
  const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  return withMessage('starting', waiting?.reason ?? (s.phase === 'Running' ? 'NotReady' : s.phase), waiting?.message);
}

const VM_FAILED = /^(Error|CrashLoopBackOff|ImagePullBackOff|ErrImagePull|DataVolumeError|ErrorUnschedulable|ErrorPvcNotFound|ErrorDataVolumeNotFound)/;
const VM_STARTING = new Set(['Starting', 'Provisioning', 'WaitingForVolumeBinding', 'Migrating']);

export function classifyVm(vm: VmLike | undefined): Classified {
  if (!vm) return { state: 'pending', message: 'the VirtualMachine does not exist yet' };
  if (vm.status?.ready === true) return { state: 'ready' };
  const halted = vm.spec?.runStrategy === 'Halted' || vm.spec?.running === false;
  if (halted && (vm.status?.printableStatus === undefined || vm.status.printableStatus === 'Stopped')) return { state: 'stopped', reason: 'Suspended', message: 'the lab is suspended; resume it to start this VM' };
  const p = vm.status?.printableStatus;
  if (!p) return { state: 'pending', message: 'KubeVirt has not reported on this VM (is virt-controller running?)' };
  if (VM_FAILED.test(p)) return { state: 'failed', reason: p };
  if (VM_STARTING.has(p) || p === 'Running') return { state: 'starting', reason: p };
  return { state: 'pending', reason: p };
}
