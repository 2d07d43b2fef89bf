/**
 * Where a lab node's screen is: a VM node's KubeVirt VNC console, or the VNC port of a node's
 * pod (desktop nodes serve VNC on 5900; any container may declare a port named `vnc`). Decided
 * from what the cluster holds, so the dashboard needs to know only the node's name.
 */
import { LABEL } from '../../common/compile/labels';
import { VNC_PORT } from '../../common/compile/workloads';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { POD, VIRTUAL_MACHINE, type IPod } from '../kube/kinds';
import { TerminalError, type TerminalErrorCode } from './errors';
import type { VncRoute } from './vnc-upstream';

const CODES: Partial<Record<KubeError['kind'], TerminalErrorCode>> = {
  forbidden: 'forbidden',
  unauthorized: 'unauthorized',
  unreachable: 'unreachable',
  'not-found': 'not_found',
  config: 'invalid_request',
};

function fromKubeError(err: unknown): TerminalError {
  if (err instanceof TerminalError) return err;
  if (err instanceof KubeError) return new TerminalError(CODES[err.kind] ?? 'internal', err.message);
  return new TerminalError('internal', err instanceof Error ? err.message : String(err));
}

/** The pod's VNC port: a port named `vnc`, else 5900 if declared, else 5900 on a desktop node's pod. */
export function vncPort(pod: IPod): number | null {
  const ports = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const named = ports.find((p) => p.name === 'vnc');
  if (named) return named.containerPort;
  if (ports.some((p) => p.containerPort === VNC_PORT)) return VNC_PORT;
  if (pod.metadata?.labels?.[LABEL.desktop] === 'true') return VNC_PORT;
  return null;
}

const rank = (p: IPod) => (p.status?.phase === 'Running' ? 2 : 0) + (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 1 : 0);

export async function findVncRoute(cluster: Cluster, namespace: string, node: string): Promise<VncRoute> {
  const selector = `${LABEL.node}=${node}`;
  const where = `node "${node}" in namespace ${namespace}`;
  try {
    // A VM node: its VirtualMachineInstance has the VM's name. (KubeVirt's launcher pod carries
    // the node label too, so VMs are looked for first.)
    if (await cluster.serves(VIRTUAL_MACHINE)) {
      // Someone who may not list VMs here can still have a desktop pod to look at.
      const vms = await cluster.list(VIRTUAL_MACHINE, { namespace, labelSelector: selector }).then(
        (list) => list.items.filter((v) => !v.metadata.deletionTimestamp),
        (err: unknown) => {
          if (err instanceof KubeError && err.kind === 'forbidden') return [];
          throw err;
        },
      );
      const vm = vms[0];
      if (vm) {
        const printable = vm.status?.printableStatus;
        if (printable && /^(Stopped|Stopping|Halted|Terminating|Paused)$/.test(printable)) {
          throw new TerminalError('not_ready', `VM ${namespace}/${vm.metadata.name} is ${printable.toLowerCase()}; start it to see its screen`);
        }
        return { kind: 'vm', namespace, name: vm.metadata.name };
      }
    }
    const pods = (await cluster.list(POD, { namespace, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp);
    if (pods.length === 0) throw new TerminalError('not_found', `no VM or pod for ${where}: is the lab deployed or published there?`);
    pods.sort((a, b) => rank(b) - rank(a));
    const pod = pods[0]!;
    const name = pod.metadata?.name ?? '';
    const port = vncPort(pod);
    if (port === null) throw new TerminalError('invalid_request', `${where} has no screen: only VMs, desktop nodes and containers with a port named "vnc" serve VNC`);
    if (pod.status?.phase !== 'Running') {
      const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
      throw new TerminalError('not_ready', `pod ${namespace}/${name} is not running yet: it is ${pod.status?.phase ?? 'Unknown'}${waiting ? ` (${waiting})` : ''}`);
    }
    return { kind: 'pod', namespace, name, port };
  } catch (err) {
    throw fromKubeError(err);
  }
}
