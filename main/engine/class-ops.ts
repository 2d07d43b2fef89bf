/**
 * Operating a published class: status (one list + watch for the whole class), teardown,
 * reset of one student, and a namespace-scoped kubeconfig for a student.
 */
import { readFileSync } from 'node:fs';
import { Watch, type V1Namespace, type V1Pod, type V1ResourceQuota } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ANNOTATION, LABEL, MANAGED_BY, studentNamespace } from '../../common/compile';
import { STUDENT_SERVICE_ACCOUNT } from '../../common/compile/rbac';
import { formatBytes, formatCpu, parseQuantity } from '../../common/lab/quantity';
import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { classNamespaces, deleteNamespace, publish, waitNamespacesGone, type StudentResult } from './publish';
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

const classSelector = (className: string) => `${LABEL.managedBy}=${MANAGED_BY},${LABEL.class}=${className}`;

function podReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.ready) && !p.metadata?.deletionTimestamp;
}

/** Builds the table from the three class-wide collections. Pure, so `--watch` can re-run it. */
export function classRows(namespaces: V1Namespace[], pods: Iterable<V1Pod>, quotas: Iterable<V1ResourceQuota>): StudentRow[] {
  const byNs = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    byNs.set(ns, [...(byNs.get(ns) ?? []), p]);
  }
  const quotaOf = new Map<string, V1ResourceQuota>();
  for (const q of quotas) quotaOf.set(q.metadata?.namespace ?? '', q);
  return namespaces
    .map((ns) => {
      const name = ns.metadata!.name!;
      const nsPods = (byNs.get(name) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      const q = quotaOf.get(name)?.status;
      const cpu = (v: string | undefined) => (v ? formatCpu(parseQuantity(v) ?? 0) : '-');
      const mem = (v: string | undefined) => (v ? formatBytes(parseQuantity(v) ?? 0) : '-');
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

export interface ClassSnapshot {
  namespaces: V1Namespace[];
  pods: Map<string, V1Pod>;
  quotas: Map<string, V1ResourceQuota>;
  resourceVersions: { namespaces: string; pods: string; quotas: string };
}

/** One label-selected list of namespaces, pods and quotas for the whole class. */
export async function listClass(client: KubeClient, className: string): Promise<ClassSnapshot> {
  const labelSelector = classSelector(className);
  try {
    const [namespaces, pods, quotas] = await Promise.all([
      client.core.listNamespace({ labelSelector }),
      client.core.listPodForAllNamespaces({ labelSelector }),
      client.core.listResourceQuotaForAllNamespaces({ labelSelector }),
    ]);
    const uid = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;
    return {
      namespaces: namespaces.items,
      pods: new Map(pods.items.map((p) => [uid(p), p])),
      quotas: new Map(quotas.items.map((q) => [uid(q), q])),
      resourceVersions: { namespaces: namespaces.metadata?.resourceVersion ?? '', pods: pods.metadata?.resourceVersion ?? '', quotas: quotas.metadata?.resourceVersion ?? '' },
    };
  } catch (err) {
    throw client.error(err, `listing class ${className}`);
  }
}

export async function classStatus(client: KubeClient, className: string): Promise<StudentRow[]> {
  const s = await listClass(client, className);
  return classRows(s.namespaces, s.pods.values(), s.quotas.values());
}

/**
 * Keeps the class table live: one watch each on the class's namespaces, pods and quotas (not
 * one per student), from the lists' resourceVersions. Returns a stop function.
 */
export async function watchClass(client: KubeClient, className: string, onRows: (rows: StudentRow[]) => void): Promise<() => void> {
  const snap = await listClass(client, className);
  const emit = () => onRows(classRows(snap.namespaces, snap.pods.values(), snap.quotas.values()));
  emit();
  const watch = new Watch(client.kc);
  const labelSelector = classSelector(className);
  const key = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  let pending: NodeJS.Timeout | undefined;
  const schedule = () => {
    // Coalesce bursts (a publish changes hundreds of pods) into one redraw per 250 ms.
    pending ??= setTimeout(() => {
      pending = undefined;
      emit();
    }, 250);
  };
  const handler = <T extends { metadata?: { namespace?: string; name?: string } }>(map: Map<string, T>) => (type: string, obj: T) => {
    if (type === 'DELETED') map.delete(key(obj));
    else if (type === 'ADDED' || type === 'MODIFIED') map.set(key(obj), obj);
    schedule();
  };
  const namespaces = new Map(snap.namespaces.map((n) => [n.metadata!.name!, n]));
  const onNamespace = (type: string, ns: V1Namespace) => {
    if (type === 'DELETED') namespaces.delete(ns.metadata!.name!);
    else if (type === 'ADDED' || type === 'MODIFIED') namespaces.set(ns.metadata!.name!, ns);
    snap.namespaces = [...namespaces.values()];
    schedule();
  };
  const reqs = await Promise.all([
    watch.watch('/api/v1/namespaces', { labelSelector, resourceVersion: snap.resourceVersions.namespaces, allowWatchBookmarks: true }, onNamespace, () => undefined),
    watch.watch('/api/v1/pods', { labelSelector, resourceVersion: snap.resourceVersions.pods, allowWatchBookmarks: true }, handler(snap.pods), () => undefined),
    watch.watch('/api/v1/resourcequotas', { labelSelector, resourceVersion: snap.resourceVersions.quotas, allowWatchBookmarks: true }, handler(snap.quotas), () => undefined),
  ]);
  return () => {
    if (pending) clearTimeout(pending);
    for (const r of reqs) r.abort();
  };
}

export interface TeardownResult {
  deleted: string[];
  stuck: string[];
}

export async function teardown(client: KubeClient, className: string, student?: string, timeoutMs = 120_000): Promise<TeardownResult> {
  const namespaces = (await classNamespaces(client, className, student)).map((n) => n.metadata!.name!);
  if (student !== undefined && namespaces.length === 0) {
    throw new KubeError('not-found', `student ${student} has no namespace in class ${className}`);
  }
  for (const ns of namespaces) await deleteNamespace(client, ns);
  const stuck = await waitNamespacesGone(client, namespaces, timeoutMs);
  return { deleted: namespaces.filter((n) => !stuck.includes(n)), stuck };
}

/** Deletes one student's namespace (and so their data) and publishes their release again. */
export async function reset(client: KubeClient, className: string, student: string, timeoutMs = 120_000): Promise<StudentResult> {
  const [ns] = await classNamespaces(client, className, student);
  if (!ns) throw new KubeError('not-found', `student ${student} has no namespace in class ${className}; publish to them first`);
  const lab = ns.metadata?.labels?.[LABEL.lab];
  const tag = ns.metadata?.labels?.[LABEL.release];
  if (!lab || !tag) throw new KubeError('invalid', `namespace ${ns.metadata?.name} does not say which release it runs`);
  const release = await getRelease(client, lab, tag);
  await deleteNamespace(client, ns.metadata!.name!);
  const stuck = await waitNamespacesGone(client, [ns.metadata!.name!], timeoutMs);
  if (stuck.length) throw new KubeError('server', `namespace ${stuck[0]} is still terminating after ${timeoutMs / 1000}s; try again later`);
  const result = await publish(client, { className, students: [{ id: student }], release, force: true });
  return result.results[0]!;
}

export interface StudentCredentials {
  kubeconfig: string;
  namespace: string;
  expiresAt: string;
}

/** A kubeconfig that can do exactly what the student's Role allows, with an expiring token. */
export async function studentCredentials(client: KubeClient, className: string, student: string, durationSeconds = 86_400): Promise<StudentCredentials> {
  const namespace = studentNamespace(className, student);
  let token: string;
  let expiresAt: string;
  try {
    const tr = await client.core.createNamespacedServiceAccountToken({
      name: STUDENT_SERVICE_ACCOUNT,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: durationSeconds } },
    });
    token = tr.status!.token;
    expiresAt = new Date(tr.status!.expirationTimestamp).toISOString();
  } catch (err) {
    const e = client.error(err, `requesting a token for ${student}`);
    if (e.kind === 'not-found') throw new KubeError('not-found', `student ${student} has no namespace in class ${className}; publish to them first`);
    throw e;
  }
  const cluster = client.kc.getCurrentCluster()!;
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  const name = `${className}-${student}`;
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster.name, cluster: { server: cluster.server, ...(caData ? { 'certificate-authority-data': caData } : {}), ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}) } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: cluster.name, user: name, namespace } }],
    'current-context': name,
  });
  return { kubeconfig, namespace, expiresAt };
}
