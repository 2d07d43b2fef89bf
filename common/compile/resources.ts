/**
 * Resource defaults, per-node totals, and the quota and limit-range sizing rules.
 *
 * Headroom rule: a namespace's ResourceQuota is the sum of what every node asks for (VMs with
 * KubeVirt's per-VM overhead included) plus the largest single node once more. Workloads are
 * replaced without surge (Deployments use Recreate, StatefulSets replace one pod at a time), so
 * steady state needs exactly the sum; the extra "largest node" lets one node be mid-restart —
 * its old pod still terminating and counted while the replacement is admitted — which is what
 * happens when a student restarts a node. The same rule gives `pods` = nodes + 1.
 */
import { formatBytes, formatCpu, parseQuantity } from '../lab/quantity';
import { NODE_KIND, type NodeKindSpec } from '../lab/node-kinds';
import type { Lab, LabNode } from '../lab/schema';

const CONTAINER_DEFAULTS = NODE_KIND.container.defaults as Required<NodeKindSpec['defaults']>;
const VM_DEFAULTS = NODE_KIND.vm.defaults;

/**
 * KubeVirt runs each VM in a virt-launcher pod whose compute container asks for the guest's
 * memory plus an overhead (virt-launcher, QEMU, page tables, ~8Mi per vCPU); for the small VMs
 * labs use it lands around 200–300Mi. We count 320Mi and 100m per VM so the quota admits the pod.
 */
const VM_OVERHEAD = { cpu: 0.1, memory: 320 * 2 ** 20 } as const;

export interface Amounts {
  cpu: number;
  memory: number;
}

export interface NodeResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** The resources a container node runs with: what the lab says, defaults for the rest. */
export function containerResources(node: LabNode): NodeResources {
  const req = node.resources?.requests ?? {};
  const lim = node.resources?.limits ?? {};
  const requests = { cpu: req.cpu ?? CONTAINER_DEFAULTS.requests.cpu, memory: req.memory ?? CONTAINER_DEFAULTS.requests.memory };
  // A request above the default limit raises the limit with it, so defaults never invert.
  const limits = {
    cpu: lim.cpu ?? max(requests.cpu, CONTAINER_DEFAULTS.limits.cpu),
    memory: lim.memory ?? max(requests.memory, CONTAINER_DEFAULTS.limits.memory),
  };
  return { requests, limits };
}

/** A VM's guest resources; limits default to the requests (a guest's RAM is fixed anyway). */
export function vmResources(node: LabNode): NodeResources {
  const req = node.resources?.requests ?? {};
  const lim = node.resources?.limits ?? {};
  const requests = { cpu: req.cpu ?? VM_DEFAULTS.requests.cpu, memory: req.memory ?? VM_DEFAULTS.requests.memory };
  return { requests, limits: { cpu: lim.cpu ?? requests.cpu, memory: lim.memory ?? requests.memory } };
}

function max(a: string, b: string): string {
  return parseQuantity(a)! >= parseQuantity(b)! ? a : b;
}

const amounts = (r: { cpu: string; memory: string }): Amounts => ({ cpu: parseQuantity(r.cpu)!, memory: parseQuantity(r.memory)! });

/** What one node costs the namespace, as the quota admission controller will count it. */
function nodeCost(node: LabNode): { requests: Amounts; limits: Amounts } {
  if (node.kind === 'vm') {
    const r = vmResources(node);
    const add = (a: Amounts): Amounts => ({ cpu: a.cpu + VM_OVERHEAD.cpu, memory: a.memory + VM_OVERHEAD.memory });
    return { requests: add(amounts(r.requests)), limits: add(amounts(r.limits)) };
  }
  const r = containerResources(node);
  return { requests: amounts(r.requests), limits: amounts(r.limits) };
}

export interface LabTotals {
  requests: Amounts;
  limits: Amounts;
  pods: number;
  storage: number;
  pvcs: number;
}

/** Steady-state totals for one copy of the lab (no headroom). Publish preflight uses these. */
export function labTotals(lab: Lab): LabTotals {
  const t: LabTotals = { requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 }, pods: 0, storage: 0, pvcs: 0 };
  for (const node of lab.nodes) {
    const c = nodeCost(node);
    t.requests.cpu += c.requests.cpu;
    t.requests.memory += c.requests.memory;
    t.limits.cpu += c.limits.cpu;
    t.limits.memory += c.limits.memory;
    t.pods += 1;
  }
  for (const v of lab.volumes) {
    t.storage += parseQuantity(v.size)!;
    t.pvcs += 1;
  }
  return t;
}

/** The quota's hard limits, following the headroom rule at the top of this file. */
export function quotaHard(lab: Lab): Record<string, string> {
  const t = labTotals(lab);
  const costs = lab.nodes.map(nodeCost);
  const largest = (pick: (c: ReturnType<typeof nodeCost>) => number) => costs.reduce((m, c) => Math.max(m, pick(c)), 0);
  const hard: Record<string, string> = {
    'requests.cpu': formatCpu(t.requests.cpu + largest((c) => c.requests.cpu)),
    'requests.memory': formatBytes(t.requests.memory + largest((c) => c.requests.memory)),
    'limits.cpu': formatCpu(t.limits.cpu + largest((c) => c.limits.cpu)),
    'limits.memory': formatBytes(t.limits.memory + largest((c) => c.limits.memory)),
    pods: String(t.pods + 1),
    services: String(lab.nodes.length),
    persistentvolumeclaims: String(t.pvcs),
    'requests.storage': formatBytes(t.storage),
  };
  return hard;
}

/**
 * Defaults for containers that state no resources (anything not created from the lab) and a
 * per-container ceiling equal to the largest thing the lab runs, so nothing can ask for more
 * than the lab's own biggest node.
 */
export function limitRangeLimits(lab: Lab): Record<string, unknown>[] {
  const costs = lab.nodes.map(nodeCost);
  const maxCpu = Math.max(parseQuantity(CONTAINER_DEFAULTS.limits.cpu)!, ...costs.map((c) => c.limits.cpu));
  const maxMem = Math.max(parseQuantity(CONTAINER_DEFAULTS.limits.memory)!, ...costs.map((c) => c.limits.memory));
  const limits: Record<string, unknown>[] = [
    {
      type: 'Container',
      default: { ...CONTAINER_DEFAULTS.limits },
      defaultRequest: { ...CONTAINER_DEFAULTS.requests },
      max: { cpu: formatCpu(maxCpu), memory: formatBytes(maxMem) },
    },
  ];
  if (lab.volumes.length > 0) {
    const maxStorage = Math.max(...lab.volumes.map((v) => parseQuantity(v.size)!));
    limits.push({ type: 'PersistentVolumeClaim', max: { storage: formatBytes(maxStorage) } });
  }
  return limits;
}
