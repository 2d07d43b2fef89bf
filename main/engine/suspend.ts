/**
 * Suspend and resume students' labs: `labforge suspend|resume`, the class view, the idle timer
 * and schedules (class-time.ts), and an SSH login to a suspended lab (the gateway).
 *
 * A suspended lab is its release compiled with the suspension (common/compile: workloads at
 * zero replicas, VMs halted, the suspension recorded on the namespace). Suspending and resuming
 * apply only the Namespace and the workloads of that compile, with the same field manager as
 * publish, so the namespace, volumes, keys, policies and links stay exactly as published, and
 * a later publish or reconcile of the class keeps the lab as it is (they compile the suspension
 * the namespace records). Applying is idempotent: an interrupted suspend or resume run again
 * converges.
 */
import type { SuspendedBy, Suspension } from '../../common/compile';
import type { Lab } from '../../common/lab/schema';
import { ANNOTATION } from '../../common/compile/labels';
import { applyAll } from '../kube/apply';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, type INamespace } from '../kube/kinds';
import type { JsonPatchOp } from '../kube/managed-fields';
import { mapLimit, Semaphore } from '../kube/retry';
import { waitReady, type NodeStatus } from './node-status';
import { classNamespaces } from './publish';
import { classContext, expectedObjects, type ClassContext } from './class-context';
import type { ReleaseReader } from './releases';
import { suspensionOf } from './suspension';

/** The field manager of what sessions and the class-time controller write on a namespace (not compiled, never pruned by publish). */
export const CLASS_TIME_MANAGER = 'labforge-class-time';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'VirtualMachine']);

export interface SuspendOptions {
  /** Student ids; all the class's students when absent. */
  students?: string[];
  /** Who suspends (default: the instructor). */
  by?: SuspendedBy;
  /** The clock (tests and the controller pass theirs). */
  now?: () => Date;
  /** Resume: wait until every node of each resumed lab is ready (or failed), up to this long. */
  waitMs?: number;
  signal?: AbortSignal;
  /** Where the releases are read, when not in this cluster (a zone of a class over zones). */
  releases?: ReleaseReader;
  onProgress?: (event: { done: number; total: number; result: SuspendResult }) => void;
  /** Each lab's node states while a resume waits. */
  onWaiting?: (student: string, statuses: NodeStatus[]) => void;
}

export interface SuspendResult {
  student: string;
  namespace: string;
  /** What this call did; `unchanged` when the lab already was as asked. */
  status: 'suspended' | 'resumed' | 'unchanged' | 'failed';
  /** The suspension now on the lab (after suspend, or left in place by a resume that failed). */
  suspension?: Suspension;
  /** After a resume that waited: whether every node came up. */
  ready?: boolean;
  error?: string;
}

/** The class's namespaces for `students` (all when absent); an id the class does not have is an error naming it. */
async function namespacesOf(cluster: Cluster, className: string, students: string[] | undefined): Promise<{ student: string; ns: INamespace }[]> {
  const all = (await classNamespaces(cluster, className)).filter((n) => !n.metadata?.deletionTimestamp);
  const byStudent = new Map(all.map((n) => [n.metadata?.annotations?.[ANNOTATION.studentId] ?? n.metadata?.name ?? '', n]));
  if (!students) return [...byStudent].sort(([a], [b]) => a.localeCompare(b)).map(([student, ns]) => ({ student, ns }));
  const missing = students.filter((s) => !byStudent.has(s));
  if (missing.length) throw new KubeError('not-found', `class ${className} has no student ${missing.map((s) => JSON.stringify(s)).join(', ')}; \`labforge status --class ${className}\` lists its students`);
  return [...new Set(students)].map((student) => ({ student, ns: byStudent.get(student)! }));
}

/** Applies the Namespace and the workloads of the release compiled with `suspended` (null: running). */
async function applySuspension(cluster: Cluster, className: string, ns: INamespace, ctx: ClassContext, suspended: Suspension | null, semaphore: Semaphore, signal?: AbortSignal): Promise<Lab> {
  const want = await expectedObjects(cluster, className, ns, ctx, suspended);
  const objects = want.objects.filter((o) => o.kind === 'Namespace' || WORKLOAD_KINDS.has(o.kind));
  await applyAll(cluster, objects, { semaphore, ...(signal ? { signal } : {}) });
  // An idle warning is spent once the lab is suspended or resumed: it must not stand over the next run.
  if (ns.metadata?.annotations?.[ANNOTATION.idleWarning] !== undefined) {
    await writeIdleWarning(cluster, ns.metadata.name ?? '', undefined).catch((err: unknown) => {
      // Someone removed it in between: nothing left to do.
      if (!(err instanceof KubeError && err.kind === 'invalid')) throw err;
    });
  }
  return want.release.lab;
}

async function change(cluster: Cluster, className: string, mode: 'suspend' | 'resume', opts: SuspendOptions): Promise<SuspendResult[]> {
  const now = opts.now ?? (() => new Date());
  try {
    const [targets, ctx] = await Promise.all([namespacesOf(cluster, className, opts.students), classContext(cluster, className, opts.releases)]);
    // An ended class keeps only its volumes: applying its workloads would bring it back unasked.
    if (ctx.settings?.expired) throw new KubeError('invalid', `class ${className} ended at ${ctx.settings.expired.at}; publish with a later end date to bring it back`, { hint: 'later-end-date' });
    const semaphore = new Semaphore(16);
    let done = 0;
    return await mapLimit(targets, 16, async ({ student, ns }) => {
      const namespace = ns.metadata?.name ?? '';
      const had = suspensionOf(ns);
      const result: SuspendResult = { student, namespace, status: 'unchanged', ...(had ? { suspension: had } : {}) };
      try {
        opts.signal?.throwIfAborted();
        if (mode === 'suspend') {
          // Suspended already: kept as it was, except that the instructor's own suspension
          // replaces the idle timer's or the schedule's (which would resume it by themselves).
          const by = opts.by ?? 'instructor';
          const next: Suspension = had && (had.by === by || by !== 'instructor') ? had : { at: had?.at ?? now().toISOString(), by };
          await applySuspension(cluster, className, ns, ctx, next, semaphore, opts.signal);
          if (!had || had.by !== next.by) result.status = 'suspended';
          result.suspension = next;
        } else {
          const lab = await applySuspension(cluster, className, ns, ctx, null, semaphore, opts.signal);
          if (had) result.status = 'resumed';
          delete result.suspension;
          // The idle clock starts again now: a lab that comes back is not idle from before.
          await recordActivity(cluster, namespace, now());
          if (opts.waitMs !== undefined) {
            const r = await waitReady(cluster, namespace, lab, opts.waitMs, (s) => opts.onWaiting?.(student, s), opts.signal);
            result.ready = r.ready;
          }
        }
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        result.status = 'failed';
        result.error = err instanceof Error ? err.message : String(err);
      }
      opts.onProgress?.({ done: ++done, total: targets.length, result });
      return result;
    });
  } catch (err) {
    throw err instanceof KubeError ? err.in(`${mode === 'suspend' ? 'suspending' : 'resuming'} class ${className}`) : err;
  }
}

/** Suspends the labs of `students` (or the whole class): nothing runs, everything is kept. */
export const suspendStudents = (cluster: Cluster, className: string, opts: SuspendOptions = {}) => change(cluster, className, 'suspend', opts);

/** Brings the labs of `students` (or the whole class) back to their release, as they were. */
export const resumeStudents = (cluster: Cluster, className: string, opts: SuspendOptions = {}) => change(cluster, className, 'resume', opts);

const annotationPath = (key: string) => `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/**
 * Records that a student's lab is being used (a session opened, keys typed). Not compiled and
 * written with a field manager of its own, so publish and reconcile neither remove nor report it.
 */
export async function recordActivity(cluster: Cluster, namespace: string, at: Date = new Date()): Promise<void> {
  const value = at.toISOString();
  const ops: JsonPatchOp[] = [{ op: 'add', path: annotationPath(ANNOTATION.lastActivity), value }];
  try {
    await cluster.patch(NAMESPACE, namespace, undefined, ops, undefined, CLASS_TIME_MANAGER);
  } catch (err) {
    // A namespace without annotations at all (not one publish made) gets the map.
    if (!(err instanceof KubeError) || err.kind !== 'invalid') throw err;
    await cluster.patch(NAMESPACE, namespace, undefined, [{ op: 'add', path: '/metadata/annotations', value: { [ANNOTATION.lastActivity]: value } }], undefined, CLASS_TIME_MANAGER);
  }
}

/** Writes (or with `undefined`, removes) the idle warning on a namespace. */
export async function writeIdleWarning(cluster: Cluster, namespace: string, value: string | undefined): Promise<void> {
  const path = annotationPath(ANNOTATION.idleWarning);
  const ops: JsonPatchOp[] = value === undefined ? [{ op: 'remove', path }] : [{ op: 'add', path, value }];
  await cluster.patch(NAMESPACE, namespace, undefined, ops, undefined, CLASS_TIME_MANAGER);
}

/**
 * Records activity at most once per `intervalMs` per namespace, without making the caller wait
 * (a keystroke must not wait for the API server): what terminal, screen and SSH servers use.
 */
export class ActivityRecorder {
  private readonly last = new Map<string, number>();
  constructor(
    /** Writes the stamp: recordActivity on the cluster the sessions go to. */
    private readonly record: (namespace: string, at: Date) => Promise<void>,
    private readonly intervalMs = 60_000,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  touch(namespace: string, now = Date.now()): void {
    const before = this.last.get(namespace);
    if (before !== undefined && now - before < this.intervalMs) return;
    this.last.set(namespace, now);
    this.record(namespace, new Date(now)).catch((err: unknown) => {
      // Try again on the next touch rather than after a whole interval.
      this.last.delete(namespace);
      this.onError(err);
    });
  }
}
