/**
 * `labforge publish`: one release to one namespace per student.
 *
 * - Deterministic namespace names and server-side apply make it resumable: re-running the
 *   same command after an interruption converges, with no duplicates.
 * - A newer release updates namespaces in place; volumes (PVCs) are never deleted or
 *   recreated, and objects the new release dropped are pruned — except PVCs, which are kept.
 * - Requests in flight are bounded by one semaphore across all students; 429 (as long as the
 *   server's Retry-After asks, within a budget), 5xx and conflicts are retried with backoff,
 *   and once the writes have begun a server that restarts is waited out (OUTAGE_MS).
 * - Before any write: the objects of one student are checked (schemas, APIs, dry-run), and
 *   the class must fit the cluster's free capacity.
 */
import { formatClash, nameClashes, rosterRef } from '../class/name-clashes';
import type { Student } from '../class/roster';
import { ANNOTATION, compileLab, LABEL, studentKey, studentNamespace, type KubeObject } from '../../common/compile';
import { managedSelector } from '../../common/compile/labels';
import { quoteInput } from '../../common/lab/escape';
import { studentClusterRole } from '../../common/compile/rbac';
import { adoptAllCreated } from '../kube/adopt-created';
import { applyAll, applyObject, preflight, sourceNamer } from '../kube/apply';
import { defaultsKey, serverDefaults } from '../kube/server-defaults';
import { FIELD_MANAGER, hasCreatedFields } from '../kube/managed-fields';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, type INamespace } from '../kube/kinds';
import { mapLimit, OutageBudget, Semaphore, withRetry } from '../kube/retry';
import { classCapacity, formatCapacity, type CapacityReport } from './capacity';
import type { ClassSchedule } from './class-schedule';
import { key, listOwned, listOwnedIn, pruneOwned } from './owned';
import { upToDate } from './reconcile-diff';
import { readClassSettings, settingsForPublish } from './reconcile-settings';
import { namespaceResolver } from './student-namespace';
import { suspensionOf } from './suspension';
import type { Release } from './releases';

/**
 * From `npm run bench:publish` (docs/benchmarks.md): on the local control plane the raw create
 * of a class is fastest at 64 requests in flight (1.7x faster than at 16 on a quiet machine),
 * and publish at 16 was as fast as the raw create at 16; the API server and etcd do more per
 * second with more requests to batch. A cluster that wants fewer answers 429, which publish
 * waits out (main/kube/retry.ts).
 */
export const DEFAULT_CONCURRENCY = 64;

/** How long the server may refuse connections, in all, once the writes have started. */
const OUTAGE_MS = 30_000;

export interface PublishOptions {
  className: string;
  students: Student[];
  release: Release;
  concurrency?: number;
  /** Students being written at once (each waits on the shared request bound); default: see DEFAULT_STUDENTS_IN_FLIGHT. */
  studentsInFlight?: number;
  prune?: boolean;
  force?: boolean;
  domain?: string;
  /** Web links: readable hosts, or the class's random subdomains; default: as the class had them. */
  links?: 'readable' | 'random';
  /** The class's end date (ISO 8601); default: as the class had it. */
  expiresAt?: string;
  /** At the end date, keep the volumes or delete them; default: as the class had it (keep). */
  volumes?: 'keep' | 'delete';
  /** When the class meets; null removes its schedule; default: as the class had it. */
  schedule?: ClassSchedule | null;
  onProgress?: (event: { done: number; total: number; result: StudentResult }) => void;
  /** Called once the preflights passed, before the first write (for progress display). */
  onStart?: (info: { total: number; capacity: CapacityReport }) => void;
  /** Each step as it starts, in words. */
  onPhase?: (phase: 'preflight' | 'capacity' | 'apply' | 'prune', message: string) => void;
  /**
   * Stops starting students once aborted (those in flight finish their current object). Every
   * namespace written so far is complete or resumable: publishing again converges.
   */
  signal?: AbortSignal;
}

export interface StudentResult {
  student: string;
  namespace: string;
  status: 'created' | 'updated' | 'failed';
  objects: number;
  retries: number;
  error?: string;
}

export interface PublishResult {
  results: StudentResult[];
  /** Students with a namespace in this class who are not in the roster any more. */
  left: { student: string; namespace: string; removed: boolean }[];
  capacity: CapacityReport;
}

export class CapacityError extends KubeError {
  constructor(readonly report: CapacityReport) {
    super('invalid', `the class does not fit the cluster's free capacity (nothing was written; forcing the publish goes ahead anyway):\n${formatCapacity(report)}`, { hint: 'force' });
  }
}

export function studentTarget(className: string, student: Student, release: Release, domain?: string, linkKey?: string, namespace = studentNamespace(className, student.id)) {
  return {
    namespace,
    class: className,
    student: student.id,
    release: release.tag,
    ...(domain ? { domain } : {}),
    ...(linkKey ? { linkKey } : {}),
  };
}

/** Objects of a class, or of one student in it. */
export const classSelector = (className: string, student?: string) =>
  managedSelector({ [LABEL.class]: className, [LABEL.student]: student !== undefined ? studentKey(student) : undefined });

export async function classNamespaces(cluster: Cluster, className: string, student?: string): Promise<INamespace[]> {
  try {
    return (await cluster.list(NAMESPACE, { labelSelector: classSelector(className, student) })).items;
  } catch (err) {
    throw err instanceof KubeError ? err.in('listing the class') : err;
  }
}

/**
 * The students a class has now, by id (namespaces being deleted left out): what an upgrade
 * publishes to, so that upgrading a class of 8 never adds anyone.
 */
export async function currentStudents(cluster: Cluster, className: string): Promise<Student[]> {
  const ids = (await classNamespaces(cluster, className))
    .filter((ns) => ns.status?.phase !== 'Terminating' && !ns.metadata?.deletionTimestamp)
    .map((ns) => ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student])
    .filter((id): id is string => !!id);
  if (ids.length === 0) throw new KubeError('not-found', `class ${className} has no students yet; give a number of students or a roster`);
  return [...new Set(ids)].sort().map((id) => ({ id }));
}

/** The namespaces of every other class, by name → class (one list). */
async function otherClassesNamespaces(cluster: Cluster, className: string): Promise<Map<string, string>> {
  const { items } = await cluster.list(NAMESPACE, { labelSelector: `${managedSelector()},${LABEL.class},${LABEL.class}!=${className}` });
  return new Map(items.map((n) => [n.metadata?.name ?? '', n.metadata?.labels?.[LABEL.class] ?? '']));
}

export async function publish(cluster: Cluster, opts: PublishOptions): Promise<PublishResult> {
  const { release, className } = opts;
  const lab = release.lab;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (opts.students.length === 0) throw new KubeError('invalid', 'the roster has no students');

  // Two students of the roster on one name would share a namespace, or each other's objects.
  const clashes = nameClashes(className, opts.students);
  if (clashes.length) throw new KubeError('invalid', `nothing was written: ${clashes.map(formatClash).join('; ')}`);

  // Independent reads go together: nothing before the first write waits on more than it needs.
  const [existing, stored, others] = await Promise.all([classNamespaces(cluster, className), readClassSettings(cluster, className), otherClassesNamespaces(cluster, className)]);
  const existingByName = new Map(existing.map((n) => [n.metadata!.name!, n]));
  // A student keeps the namespace they have, whatever name today's scheme would give it.
  const resolve = namespaceResolver(className, existing);
  const namespaceOf = (s: Student) => resolve(s.id);
  let targets = opts.students.map((s) => ({ student: s, target: studentTarget(className, s, release, opts.domain ?? stored?.domain, undefined, namespaceOf(s)) }));
  const wanted = new Set(targets.map((t) => t.target.namespace));
  const taken = targets.flatMap(({ student, target }) => {
    const holder = existingByName.get(target.namespace)?.metadata?.annotations?.[ANNOTATION.studentId];
    const otherClass = others.get(target.namespace);
    const who = rosterRef(student);
    if (holder !== undefined && holder !== student.id) return [`${who} would take namespace ${target.namespace}, which is student ${quoteInput(holder, 140)}'s`];
    if (otherClass !== undefined) return [`${who} would take namespace ${target.namespace}, which belongs to class ${otherClass}`];
    return [];
  });
  if (taken.length) throw new KubeError('invalid', `nothing was written: ${taken.join('; ')}; change the id`);

  const phase = (p: 'preflight' | 'capacity' | 'apply' | 'prune', message: string) => {
    opts.signal?.throwIfAborted();
    opts.onPhase?.(p, message);
  };
  // A suspended lab stays suspended through an upgrade or a re-run (./suspend.ts).
  const compileForStudent = (target: ReturnType<typeof studentTarget>): KubeObject[] => {
    const suspended = suspensionOf(existingByName.get(target.namespace) ?? {});
    return compileLab(lab, suspended ? { ...target, suspended } : target);
  };
  // Preflight: one student's objects stand for all (they differ only in names and labels).
  const sample = compileLab(lab, targets[0]!.target);
  // Shared by every student of every class, so written once here rather than per namespace.
  const shared = studentClusterRole();
  const fresh = targets.filter((t) => !existingByName.has(t.target.namespace)).length;
  // The capacity check only reads (nodes and pods), so it runs beside the preflight; both have
  // finished, and either can still refuse, before the first write.
  const capacityCheck = classCapacity(cluster, lab, fresh);
  capacityCheck.catch(() => undefined); // awaited below, unless the preflight throws first
  // What the class's existing namespaces hold, read once for the whole class (one list per
  // kind) while the preflight runs: a re-publish of 40 students made 13 lists per student.
  // Only reads, so it may start before the checks; when it fails, each student lists its own
  // namespace as before (and retries that on its own).
  const owned = existing.length ? withRetry(() => listOwnedIn(cluster, existingByName.keys(), lab.metadata.name), { ...(opts.signal ? { signal: opts.signal } : {}) }) : Promise.resolve(new Map<string, KubeObject[]>());
  owned.catch(() => undefined); // awaited below, unless a check throws first
  // What the server defaults on each object when it creates it, from one existing student's
  // objects (dry runs only, so beside the checks too): the objects a first publish created still
  // hold those defaults in their create-time field entry, and this tells them apart from a
  // field a newer release dropped (reconcile-diff's upToDate). When it fails, every object is
  // held to the strict rule and is adopted and applied as before.
  // Only asked when something still holds a create-time entry: once every object has been
  // applied, a re-publish needs no defaults and sends no dry run.
  const resumed = targets.find((t) => existingByName.has(t.target.namespace));
  const created = (listed: Map<string, KubeObject[]>) =>
    existing.some((n) => hasCreatedFields({ ...n, apiVersion: 'v1', kind: 'Namespace' } as KubeObject, FIELD_MANAGER)) || [...listed.values()].some((objs) => objs.some((o) => hasCreatedFields(o, FIELD_MANAGER)));
  const defaults = resumed
    ? owned
        .catch(() => undefined)
        .then((listed) => (!listed || created(listed) ? serverDefaults(cluster, compileForStudent(resumed.target), { semaphore: new Semaphore(concurrency), ...(opts.signal ? { retry: { signal: opts.signal } } : {}) }) : new Map<string, KubeObject>()))
    : Promise.resolve(new Map<string, KubeObject>());
  defaults.catch(() => undefined); // awaited below, unless a check throws first
  phase('preflight', `checking ${sample.length} objects per student (schemas, APIs, server-side dry run)`);
  await preflight(cluster, [shared, ...sample], sourceNamer(lab), { semaphore: new Semaphore(concurrency) });

  phase('capacity', `checking that ${fresh} new students fit the cluster's free capacity`);
  const capacity = await capacityCheck;
  if (!capacity.fits && !opts.force) throw new CapacityError(capacity);
  // The class's settings (domain, links, end date) are stored once the checks passed; a class
  // with random links compiles its hosts from its key (the sample above differs in hosts only).
  const { settings, linkKey } = await settingsForPublish(cluster, className, { domain: opts.domain, links: opts.links, expiresAt: opts.expiresAt, volumes: opts.volumes, schedule: opts.schedule });
  targets = opts.students.map((s) => ({ student: s, target: studentTarget(className, s, release, settings.domain, linkKey, namespaceOf(s)) }));

  phase('apply', `writing ${targets.length} student namespaces`);
  opts.onStart?.({ total: targets.length, capacity });
  const semaphore = new Semaphore(concurrency);
  // Once the preflight has reached the server, a restart of it (refused connections for a few
  // seconds) is waited out rather than failing every student in flight; the budget is shared,
  // so a server gone for good costs OUTAGE_MS once, not once per student.
  const outage = new OutageBudget(OUTAGE_MS);
  // Before any binding refers to it; applying it again when it exists changes nothing.
  await applyObject(cluster, shared, { semaphore, retry: { outage } });
  const listed = await owned.catch(() => undefined);
  const serverStored = await defaults.catch(() => new Map<string, KubeObject>());
  let done = 0;
  // As many students as requests: a student waiting between its phases (namespace, then what
  // governs it, then its workloads) leaves its slots to the others, so the shared semaphore
  // stays the only bound and stays full.
  const results = await mapLimit(targets, opts.studentsInFlight ?? concurrency, async ({ student, target }) => {
    let retries = 0;
    const objects = compileForStudent(target);
    const result: StudentResult = {
      student: student.id,
      namespace: target.namespace,
      status: existingByName.has(target.namespace) ? 'updated' : 'created',
      objects: objects.length,
      retries: 0,
    };
    const retry = { onRetry: () => retries++, outage, ...(opts.signal ? { signal: opts.signal } : {}) };
    const namespace = existingByName.get(target.namespace);
    try {
      opts.signal?.throwIfAborted();
      if (!namespace) {
        // A new namespace: nothing in it yet, so every object is created (see ApplyOptions.create).
        await applyAll(cluster, objects, { semaphore, retry, create: true });
      } else {
        // An upgrade or a resumed publish, from what the namespace held (listed above for the
        // whole class, or here when that failed; listing again is harmless, so it is retried
        // as a whole). An object whose live copy already holds exactly what it sets, besides
        // fields holding the server's defaults, is not applied (nothing would change:
        // reconcile-diff's upToDate); every other one is, after
        // adopting what an earlier publish created rather than applied, so the apply removes
        // fields the release dropped. What the release no longer has is pruned after.
        const before = listed?.get(target.namespace) ?? (await withRetry(() => listOwned(cluster, target.namespace, lab.metadata.name), retry));
        const live = new Map([{ ...namespace, apiVersion: 'v1', kind: 'Namespace' } as KubeObject, ...before].map((o) => [key(o), o]));
        const stale = objects.filter((o) => {
          const have = live.get(key(o));
          return !have || !upToDate(o, have, serverStored.get(defaultsKey(o)));
        });
        const adopt = stale.flatMap((o) => live.get(key(o)) ?? []);
        await adoptAllCreated(cluster, adopt, { semaphore, retry });
        // The quotas go along even when skipped: a refusal by one is recounted (see applyAll).
        await applyAll(cluster, stale, { semaphore, retry, quotas: objects.filter((o) => o.kind === 'ResourceQuota') });
        await pruneOwned(cluster, target.namespace, lab.metadata.name, objects, { listed: before, retry });
      }
    } catch (err) {
      result.status = 'failed';
      result.error = err instanceof Error ? err.message : String(err);
    }
    result.retries = retries;
    opts.onProgress?.({ done: ++done, total: targets.length, result });
    return result;
  });

  opts.signal?.throwIfAborted();
  const left: PublishResult['left'] = [];
  if (opts.prune) phase('prune', 'removing namespaces of students no longer in the roster');
  for (const ns of existing) {
    const name = ns.metadata!.name!;
    if (wanted.has(name)) continue;
    const student = ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student] ?? name;
    let removed = false;
    if (opts.prune) {
      await deleteNamespace(cluster, name);
      removed = true;
    }
    left.push({ student, namespace: name, removed });
  }
  return { results, left, capacity };
}

export async function deleteNamespace(cluster: Cluster, name: string): Promise<void> {
  try {
    await cluster.delete(NAMESPACE, name);
  } catch (err) {
    throw err instanceof KubeError ? err.in(`deleting namespace ${name}`) : err;
  }
}

/** Waits until the namespaces are gone (their finalizers ran), up to `timeoutMs`. */
export async function waitNamespacesGone(cluster: Cluster, names: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let remaining = [...names];
  while (remaining.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (const name of remaining) if (await cluster.read(NAMESPACE, name)) still.push(name);
    remaining = still;
    if (remaining.length > 0) await new Promise((r) => setTimeout(r, 500));
  }
  return remaining;
}

export interface ClassSummary {
  name: string;
  labs: string[];
  releases: string[];
  students: number;
}

/** Every class in the cluster, from the labels of its student namespaces (one list). */
export async function listClasses(cluster: Cluster): Promise<ClassSummary[]> {
  const { items } = await cluster.list(NAMESPACE, { labelSelector: `${managedSelector()},${LABEL.class}` });
  const byClass = new Map<string, { labs: Set<string>; releases: Set<string>; students: number }>();
  for (const ns of items) {
    const labels = ns.metadata?.labels ?? {};
    const name = labels[LABEL.class];
    if (!name) continue;
    const c = byClass.get(name) ?? { labs: new Set<string>(), releases: new Set<string>(), students: 0 };
    const lab = labels[LABEL.lab];
    const release = labels[LABEL.release];
    if (lab) c.labs.add(lab);
    if (release) c.releases.add(release);
    c.students++;
    byClass.set(name, c);
  }
  return [...byClass].map(([name, c]) => ({ name, labs: [...c.labs].sort(), releases: [...c.releases].sort(), students: c.students })).sort((a, b) => a.name.localeCompare(b.name));
}
