/**
 * Operating a published class: status (one list + watch for the whole class), teardown,
 * reset of one student, and a namespace-scoped kubeconfig for a student.
 */
import { stringify } from 'yaml';
import { ANNOTATION, LABEL, type Suspension } from '../../common/compile';
import { STUDENT_SERVICE_ACCOUNT } from '../../common/compile/rbac';
import { formatBytes, formatCpu, parseQuantity } from '../../common/lab/quantity';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { DEPLOYMENT, NAMESPACE, POD, RESOURCE_QUOTA, STATEFUL_SET, VIRTUAL_MACHINE, type IDeployment, type INamespace, type IPod, type IResourceQuota, type IStatefulSet, type VirtualMachine } from '../kube/kinds';
import { NamespaceSetWatch } from '../kube/namespace-watch';
import { classNamespaces, classSelector, deleteNamespace, publish, waitNamespacesGone, type StudentResult } from './publish';
import { getRelease } from './releases';
import { liveNodeStatuses } from './node-status';
import type { NodeState } from './node-state';
import { tokenSeconds } from './expiry-time';
import { deleteClassSettings, readClassSettings } from './reconcile-settings';
import { studentNamespaceIn } from './student-namespace';
import { standingWarning, suspensionOf } from './suspension';

export interface StudentRow {
  student: string;
  namespace: string;
  release: string;
  ready: number;
  total: number;
  cpu: { used: string; hard: string };
  memory: { used: string; hard: string };
  phase: 'Active' | 'Terminating';
  /** Each lab node's state, by node name (from the workloads and VMs in the namespace). */
  nodes: Record<string, { state: NodeState; reason?: string; image?: string }>;
  /** Quota use as numbers (cores, bytes, pods), for bars. */
  usage: { cpu: QuotaUse; memory: QuotaUse; pods: QuotaUse };
  /** The lab is suspended (./suspend.ts): since when and by whom. */
  suspended?: Suspension;
  /** When the lab was last used, ISO 8601 (absent: never since it was created). */
  lastActivity?: string;
  /** The idle warning standing on the lab: when it will be suspended unless used. */
  idleSuspendAt?: string;
}

export interface QuotaUse {
  used: number;
  hard: number;
}


/** Objects besides pods that tell each node's state: workloads (rollout, quota refusals) and VMs. */
export interface ClassObjects {
  workloads?: Iterable<IDeployment | IStatefulSet>;
  virtualMachines?: Iterable<VirtualMachine>;
}

const byNamespace = <T extends { metadata?: { namespace?: string } }>(items: Iterable<T>) => {
  const out = new Map<string, T[]>();
  for (const o of items) {
    const ns = o.metadata?.namespace ?? '';
    const list = out.get(ns);
    if (list) list.push(o);
    else out.set(ns, [o]);
  }
  return out;
};

/** The lab nodes present in one namespace: from its workloads and VMs, else from its pods. */
function nodesOf(pods: IPod[], workloads: (IDeployment | IStatefulSet)[], vms: VirtualMachine[]): { name: string; kind: 'container' | 'vm' }[] {
  const nodes = new Map<string, 'container' | 'vm'>();
  for (const w of workloads) {
    const n = w.metadata?.labels?.[LABEL.node];
    if (n) nodes.set(n, 'container');
  }
  for (const v of vms) nodes.set(v.metadata.labels?.[LABEL.node] ?? v.metadata.name, 'vm');
  if (nodes.size === 0) {
    for (const p of pods) {
      const n = p.metadata?.labels?.[LABEL.node];
      if (n) nodes.set(n, 'container');
    }
  }
  return [...nodes].map(([name, kind]) => ({ name, kind })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Builds the class table from class-wide collections: one row per student namespace, with each
 * node's state. Pure, so `status`, `status --watch` and the app's dashboard all run this.
 */
export function classRows(namespaces: Iterable<INamespace>, pods: Iterable<IPod>, quotas: Iterable<IResourceQuota>, objects: ClassObjects = {}): StudentRow[] {
  const podsOf = byNamespace(pods);
  const workloadsOf = byNamespace(objects.workloads ?? []);
  const vmsOf = byNamespace(objects.virtualMachines ?? []);
  const quotaOf = new Map<string, IResourceQuota>();
  for (const q of quotas) quotaOf.set(q.metadata?.namespace ?? '', q);
  const amount = (v: string | number | undefined) => (v === undefined ? 0 : typeof v === 'number' ? v : (parseQuantity(v) ?? 0));
  const cpu = (v: string | number | undefined) => (v === undefined ? '-' : formatCpu(amount(v)));
  const mem = (v: string | number | undefined) => (v === undefined ? '-' : formatBytes(amount(v)));
  return [...namespaces]
    .map((ns) => {
      const name = ns.metadata?.name ?? '';
      const nsPods = (podsOf.get(name) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      const workloads = workloadsOf.get(name) ?? [];
      const vms = vmsOf.get(name) ?? [];
      const statuses = liveNodeStatuses(nodesOf(nsPods, workloads, vms), { pods: nsPods, ...(objects.workloads ? { workloads } : {}), virtualMachines: vms });
      const q = quotaOf.get(name)?.status;
      const use = (key: string) => ({ used: amount(q?.used?.[key]), hard: amount(q?.hard?.[key]) });
      return {
        student: ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student] ?? name,
        namespace: name,
        release: ns.metadata?.labels?.[LABEL.release] ?? '',
        ready: statuses.filter((st) => st.ready).length,
        total: statuses.length,
        cpu: { used: cpu(q?.used?.['requests.cpu']), hard: cpu(q?.hard?.['requests.cpu']) },
        memory: { used: mem(q?.used?.['requests.memory']), hard: mem(q?.hard?.['requests.memory']) },
        phase: ns.status?.phase === 'Terminating' ? ('Terminating' as const) : ('Active' as const),
        nodes: Object.fromEntries(statuses.map((st) => [st.node, { state: st.state, ...(st.reason ? { reason: st.reason } : {}), ...(st.image ? { image: st.image } : {}) }])),
        usage: { cpu: use('requests.cpu'), memory: use('requests.memory'), pods: use('pods') },
        ...classTimeOf(ns),
      };
    })
    .sort((a, b) => a.student.localeCompare(b.student));
}



/** What a row says of class time: suspension, last use and a standing idle warning. */
function classTimeOf(ns: INamespace): Pick<StudentRow, 'suspended' | 'lastActivity' | 'idleSuspendAt'> {
  const suspended = suspensionOf(ns);
  const used = ns.metadata?.annotations?.[ANNOTATION.lastActivity];
  const warning = suspended ? undefined : standingWarning(ns);
  return {
    ...(suspended ? { suspended } : {}),
    ...(used && !Number.isNaN(Date.parse(used)) ? { lastActivity: used } : {}),
    ...(warning ? { idleSuspendAt: warning.suspendAt } : {}),
  };
}

/** One label-selected list per kind for the whole class (never one call per student). */
export async function classStatus(cluster: Cluster, className: string): Promise<StudentRow[]> {
  const labelSelector = classSelector(className);
  try {
    const vmsServed = await cluster.serves(VIRTUAL_MACHINE);
    const [namespaces, pods, quotas, deployments, statefulSets, vms] = await Promise.all([
      cluster.list(NAMESPACE, { labelSelector }),
      cluster.list(POD, { labelSelector }),
      cluster.list(RESOURCE_QUOTA, { labelSelector }),
      cluster.list(DEPLOYMENT, { labelSelector }),
      cluster.list(STATEFUL_SET, { labelSelector }),
      vmsServed ? cluster.list(VIRTUAL_MACHINE, { labelSelector }) : Promise.resolve({ items: [] }),
    ]);
    return classRows(namespaces.items, pods.items, quotas.items, { workloads: [...deployments.items, ...statefulSets.items], virtualMachines: vms.items });
  } catch (err) {
    throw err instanceof KubeError ? err.in(`listing class ${className}`) : err;
  }
}

/** The live view of a class: its student namespaces and the pods and quotas in them. */
export function classWatch(cluster: Cluster, className: string, opts: { coalesceMs?: number } = {}): NamespaceSetWatch {
  return new NamespaceSetWatch(cluster, { labelSelector: classSelector(className), withWorkloads: true }, opts);
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
  watch.subscribe((view) => onRows(classRows(view.namespaces, view.pods, view.quotas, view)));
  return () => watch.stop();
}

/** Progress and cancellation for the longer class operations. */
export interface ClassOpOptions {
  onPhase?: (message: string) => void;
  /** Checked between steps; a namespace already being deleted keeps going (the cluster finishes it). */
  signal?: AbortSignal;
}

const step = (opts: ClassOpOptions, message: string) => {
  opts.signal?.throwIfAborted();
  opts.onPhase?.(message);
};

export interface TeardownResult {
  deleted: string[];
  stuck: string[];
}

export async function teardown(cluster: Cluster, className: string, student?: string, timeoutMs = 120_000, opts: ClassOpOptions = {}): Promise<TeardownResult> {
  const namespaces = (await classNamespaces(cluster, className, student)).map((n) => n.metadata?.name ?? '');
  if (student !== undefined && namespaces.length === 0) {
    throw new KubeError('not-found', `student ${student} has no namespace in class ${className}`);
  }
  step(opts, `deleting ${namespaces.length} namespaces`);
  for (const ns of namespaces) await deleteNamespace(cluster, ns);
  step(opts, `waiting for ${namespaces.length} namespaces to finish deleting`);
  const stuck = await waitNamespacesGone(cluster, namespaces, timeoutMs);
  // The whole class is gone: so are its settings and link key (an expiry records its end after this).
  if (student === undefined && stuck.length === 0) await deleteClassSettings(cluster, className);
  return { deleted: namespaces.filter((n) => !stuck.includes(n)), stuck };
}

/** Deletes one student's namespace (and so their data) and publishes their release again. */
export async function reset(cluster: Cluster, className: string, student: string, timeoutMs = 120_000, opts: ClassOpOptions = {}): Promise<StudentResult> {
  // Their own namespace, by annotation: another id could share the label value.
  const ns = (await classNamespaces(cluster, className, student)).find((n) => n.metadata?.annotations?.[ANNOTATION.studentId] === student);
  const nsName = ns?.metadata?.name;
  if (!ns || !nsName) throw new KubeError('not-found', `student ${student} has no namespace in class ${className}; publish to them first`, { hint: 'publish-first' });
  const lab = ns.metadata?.labels?.[LABEL.lab];
  const tag = ns.metadata?.labels?.[LABEL.release];
  if (!lab || !tag) throw new KubeError('invalid', `namespace ${ns.metadata?.name} does not say which release it runs`);
  const release = await getRelease(cluster, lab, tag);
  const kept = foreignAnnotations(ns.metadata?.annotations);
  step(opts, `deleting ${nsName} (the student's data goes with it)`);
  await deleteNamespace(cluster, nsName);
  step(opts, `waiting for ${nsName} to finish deleting`);
  const stuck = await waitNamespacesGone(cluster, [nsName], timeoutMs);
  if (stuck.length) throw new KubeError('server', `namespace ${stuck[0]} is still terminating after ${timeoutMs / 1000}s; try again later`);
  // What a cluster admin put on the namespace (a node selector for a node pool, default
  // tolerations, a policy's annotation) is not the student's data: the new namespace has it
  // before its first pod, and publish applies Labforge's own fields over it.
  if (Object.keys(kept).length) await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName, annotations: kept } });
  // Past this point the student has no namespace: publishing is not cancelled halfway.
  opts.onPhase?.(`publishing ${lab}@${tag} to ${student} again`);
  const result = await publish(cluster, { className, students: [{ id: student }], release, force: true });
  return result.results[0]!;
}

/** Annotations on a student namespace that Labforge did not write (nor kubectl's bookkeeping). */
export function foreignAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !k.startsWith('labforge.dev/') && k !== 'kubectl.kubernetes.io/last-applied-configuration'));
}

export interface StudentCredentials {
  kubeconfig: string;
  namespace: string;
  expiresAt: string;
}

/** A kubeconfig that can do exactly what the student's RoleBinding grants (common/compile/rbac.ts), with an expiring token. */
export async function studentCredentials(cluster: Cluster, className: string, student: string, durationSeconds = 86_400): Promise<StudentCredentials> {
  const namespace = await studentNamespaceIn(cluster, className, student);
  // Credentials never outlive the class: cut at its end date, none once it ended.
  const settings = await readClassSettings(cluster, className);
  if (settings?.expired) throw new KubeError('invalid', `class ${className} ended at ${settings.expired.at}; its students have no credentials any more`);
  let seconds: number;
  try {
    seconds = tokenSeconds(durationSeconds, settings?.expiresAt);
  } catch (err) {
    throw new KubeError('invalid', `${(err as Error).message}; set a later end date for class ${className}`, { hint: 'later-end-date' });
  }
  let token;
  try {
    token = await cluster.createToken({ namespace, name: STUDENT_SERVICE_ACCOUNT }, seconds);
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
