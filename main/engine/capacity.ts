/**
 * Class preflight: does the class fit in what the cluster can still allocate? Free capacity is
 * the allocatable of schedulable, ready nodes minus the requests of the pods bound to them;
 * the need is one lab's steady-state requests per new student.
 */
import { labTotals } from '../../common/compile';
import { humanQuantities } from '../../common/lab/human-size';
import { parseQuantity } from '../../common/lab/quantity';
import type { Lab } from '../../common/lab/schema';
import type { Cluster } from '../kube/cluster';
import { NODE, POD, type IPod } from '../kube/kinds';

export interface CapacityRow {
  resource: 'cpu' | 'memory' | 'pods';
  needed: number;
  free: number;
  fits: boolean;
}

export interface CapacityReport {
  students: number;
  rows: CapacityRow[];
  fits: boolean;
}

/** Quantities arrive as strings from the API server; the models also allow plain numbers. */
const q = (v: string | number | undefined) => (typeof v === 'number' ? v : v ? (parseQuantity(v) ?? 0) : 0);

function podRequests(pod: IPod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += q(c.resources?.requests?.['cpu']);
    memory += q(c.resources?.requests?.['memory']);
  }
  // Init containers run one at a time before the others: the pod needs the larger of the two.
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, q(c.resources?.requests?.['cpu']));
    memory = Math.max(memory, q(c.resources?.requests?.['memory']));
  }
  return { cpu, memory };
}

export async function freeCapacity(cluster: Cluster): Promise<{ cpu: number; memory: number; pods: number }> {
  // A lab's pods tolerate no taint: a node that repels new pods (a control-plane node, a pool
  // kept for something else) is no room for a class.
  const nodes = (await cluster.list(NODE)).items.filter(
    (n) =>
      !n.spec?.unschedulable &&
      !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const free = { cpu: 0, memory: 0, pods: 0 };
  const counted = new Set(nodes.map((n) => n.metadata?.name));
  for (const n of nodes) {
    free.cpu += q(n.status?.allocatable?.['cpu']);
    free.memory += q(n.status?.allocatable?.['memory']);
    free.pods += q(n.status?.allocatable?.['pods']);
  }
  const pods = (await cluster.list(POD, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })).items;
  for (const p of pods) {
    // Only pods bound to a counted node hold room; an unschedulable pod holds none.
    if (!counted.has(p.spec?.nodeName)) continue;
    const r = podRequests(p);
    free.cpu -= r.cpu;
    free.memory -= r.memory;
    free.pods -= 1;
  }
  return free;
}

export async function classCapacity(cluster: Cluster, lab: Lab, newStudents: number): Promise<CapacityReport> {
  const t = labTotals(lab);
  const free = await freeCapacity(cluster);
  const rows: CapacityRow[] = [
    { resource: 'cpu', needed: t.requests.cpu * newStudents, free: free.cpu, fits: false },
    { resource: 'memory', needed: t.requests.memory * newStudents, free: free.memory, fits: false },
    { resource: 'pods', needed: t.pods * newStudents, free: free.pods, fits: false },
  ];
  for (const r of rows) r.fits = r.needed <= r.free;
  return { students: newStudents, rows, fits: rows.every((r) => r.fits) };
}

export function formatCapacity(report: CapacityReport): string {
  const lines = [`resource  needed (${report.students} new students)  free         fits`];
  for (const r of report.rows) {
    const [needed, free] = humanQuantities(r.resource, [r.needed, r.free]) as [string, string];
    lines.push(`${r.resource.padEnd(9)} ${needed.padEnd(27)} ${free.padEnd(12)} ${r.fits ? 'yes' : 'NO'}`);
  }
  return lines.join('\n');
}
