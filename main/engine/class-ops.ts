/**
 * Operating a published class: status (one list + watch for the whole class), teardown,
 * reset of one student, and a namespace-scoped kubeconfig for a student.
 */
import { stringify } from 'yaml';
import { ANNOTATION, LABEL, studentNamespace } from '../../common/compile';
import { STUDENT_SERVICE_ACCOUNT } from '../../common/compile/rbac';
import { formatBytes, formatCpu, parseQuantity } from '../../common/lab/quantity';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, POD, RESOURCE_QUOTA, type INamespace, type IPod, type IResourceQuota } from '../kube/kinds';
import { NamespaceSetWatch } from '../kube/namespace-watch';
import { classNamespaces, classSelector, deleteNamespace, publish, waitNamespacesGone, type StudentResult } from './publish';
import { getRelease } from './releases';

export interface StudentRow {
  student: string;
  namespace: string;
  release: string;
  ready: number;
  total: number;
  cpu: { used: string; hard: string };
  memory: { used: string; hard: string };
  phase: 'Active' | 'Terminating';
}

function podReady(p: IPod): boolean {
  return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready) && !p.metadata?.deletionTimestamp;
}

/** Builds the table from the three class-wide collections. Pure, so a live view can re-run it. */
export function classRows(namespaces: Iterable<INamespace>, pods: Iterable<IPod>, quotas: Iterable<IResourceQuota>): StudentRow[] {
  const byNs = new Map<string, IPod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    byNs.set(ns, [...(byNs.get(ns) ?? []), p]);
  }
  const quotaOf = new Map<string, IResourceQuota>();
  for (const q of quotas) quotaOf.set(q.metadata?.namespace ?? '', q);
  return [...namespaces]
    .map((ns) => {
      const name = ns.metadata?.name ?? '';
      const nsPods = (byNs.get(name) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      const q = quotaOf.get(name)?.status;
      const amount = (v: string | number) => (typeof v === 'number' ? v : (parseQuantity(v) ?? 0));
      const cpu = (v: string | number | undefined) => (v === undefined ? '-' : formatCpu(amount(v)));
      const mem = (v: string | number | undefined) => (v === undefined ? '-' : formatBytes(amount(v)));
      return {
        student: ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student] ?? name,
        namespace: name,
        release: ns.metadata?.labels?.[LABEL.release] ?? '',
        ready: nsPods.filter(podReady).length,
        total: nsPods.length,
        cpu: { used: cpu(q?.used?.['requests.cpu']), hard: cpu(q?.hard?.['requests.cpu']) },
        memory: { used: mem(q?.used?.['requests.memory']), hard: mem(q?.hard?.['requests.memory']) },
        phase: ns.status?.phase === 'Terminating' ? ('Terminating' as const) : ('Active' as const),
      };
    })
    .sort((a, b) => a.student.localeCompare(b.student));
}

export function formatRows(rows: StudentRow[]): string {
  const header = ['STUDENT', 'NAMESPACE', 'RELEASE', 'READY', 'CPU (used/hard)', 'MEMORY (used/hard)'];
  const data = rows.map((r) => [r.student, r.namespace, r.release, `${r.ready}/${r.total}${r.phase === 'Terminating' ? ' (terminating)' : ''}`, `${r.cpu.used}/${r.cpu.hard}`, `${r.memory.used}/${r.memory.hard}`]);
  return table([header, ...data]);
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** One label-selected list each of namespaces, pods and quotas for the whole class. */
export async function classStatus(cluster: Cluster, className: string): Promise<StudentRow[]> {
  const labelSelector = classSelector(className);
  try {
    const [namespaces, pods, quotas] = await Promise.all([
      cluster.list(NAMESPACE, { labelSelector }),
      cluster.list(POD, { labelSelector }),
      cluster.list(RESOURCE_QUOTA, { labelSelector }),
    ]);
    return classRows(namespaces.items, pods.items, quotas.items);
  } catch (err) {
    throw err instanceof KubeError ? err.in(`listing class ${className}`) : err;
  }
}

/** The live view of a class: its student namespaces and the pods and quotas in them. */
export function classWatch(cluster: Cluster, className: string, opts: { coalesceMs?: number } = {}): NamespaceSetWatch {
  return new NamespaceSetWatch(cluster, { labelSelector: classSelector(className) }, opts);
}

/**
 * Keeps the class table live through one list+watch of the class (not one per student); calls
 * `onRows` with the first table at once, then after each burst of changes. Returns a stop function.
 */
export async function watchClass(cluster: Cluster, className: string, onRows: (rows: StudentRow[]) => void): Promise<() => void> {
  const watch = classWatch(cluster, className);
  try {
    await watch.start();
  } catch (err) {
    throw err instanceof KubeError ? err.in(`watching class ${className}`) : err;
  }
  watch.subscribe((view) => onRows(classRows(view.namespaces, view.pods, view.quotas)));
  return () => watch.stop();
}

export interface TeardownResult {
  deleted: string[];
  stuck: string[];
}

export async function teardown(cluster: Cluster, className: string, student?: string, timeoutMs = 120_000): Promise<TeardownResult> {
  const namespaces = (await classNamespaces(cluster, className, student)).map((n) => n.metadata?.name ?? '');
  if (student !== undefined && namespaces.length === 0) {
    throw new KubeError('not-found', `student ${student} has no namespace in class ${className}`);
  }
  for (const ns of namespaces) await deleteNamespace(cluster, ns);
  const stuck = await waitNamespacesGone(cluster, namespaces, timeoutMs);
  return { deleted: namespaces.filter((n) => !stuck.includes(n)), stuck };
}

/** Deletes one student's namespace (and so their data) and publishes their release again. */
export async function reset(cluster: Cluster, className: string, student: string, timeoutMs = 120_000): Promise<StudentResult> {
  const [ns] = await classNamespaces(cluster, className, student);
  const nsName = ns?.metadata?.name;
  if (!ns || !nsName) throw new KubeError('not-found', `student ${student} has no namespace in class ${className}; publish to them first`, { hint: 'publish-first' });
  const lab = ns.metadata?.labels?.[LABEL.lab];
  const tag = ns.metadata?.labels?.[LABEL.release];
  if (!lab || !tag) throw new KubeError('invalid', `namespace ${ns.metadata?.name} does not say which release it runs`);
  const release = await getRelease(cluster, lab, tag);
  await deleteNamespace(cluster, nsName);
  const stuck = await waitNamespacesGone(cluster, [nsName], timeoutMs);
  if (stuck.length) throw new KubeError('server', `namespace ${stuck[0]} is still terminating after ${timeoutMs / 1000}s; try again later`);
  const result = await publish(cluster, { className, students: [{ id: student }], release, force: true });
  return result.results[0]!;
}

export interface StudentCredentials {
  kubeconfig: string;
  namespace: string;
  expiresAt: string;
}

/** A kubeconfig that can do exactly what the student's Role allows, with an expiring token. */
export async function studentCredentials(cluster: Cluster, className: string, student: string, durationSeconds = 86_400): Promise<StudentCredentials> {
  const namespace = studentNamespace(className, student);
  let token;
  try {
    token = await cluster.createToken({ namespace, name: STUDENT_SERVICE_ACCOUNT }, durationSeconds);
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'not-found') {
      throw new KubeError('not-found', `student ${student} has no namespace in class ${className}; publish to them first`, { hint: 'publish-first' });
    }
    throw err instanceof KubeError ? err.in(`requesting a token for ${student}`) : err;
  }
  const id = cluster.identity;
  const name = `${className}-${student}`;
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: id.clusterName, cluster: { server: id.server, ...(id.caData ? { 'certificate-authority-data': id.caData } : {}), ...(id.skipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name, user: { token: token.token } }],
    contexts: [{ name, context: { cluster: id.clusterName, user: name, namespace } }],
    'current-context': name,
  });
  return { kubeconfig, namespace, expiresAt: token.expiresAt };
}
