/**
 * Running a lab's checks in the students' namespaces (`labforge check`, the class view's
 * "Run checks now") and in a dev namespace (the editor's "try on dev").
 *
 * Each student runs the checks of the release their namespace runs, in `after` order; students
 * run concurrently up to a bound. A run is a non-tty exec of the checks' wrapper
 * (checks-output.ts). A check passes only when the exec's own status, from the runtime, says the
 * wrapper exited 0; the wrapper's trailer in the output, which any process in the node can
 * write, only adds detail (a timeout, an exit code the runtime did not report). A student's
 * runs are recorded in the cluster once all of them are done (checks-store.ts).
 *
 * The exec itself is passed in (`CheckExec`): the engine reaches the cluster through main/kube,
 * and exec streams live in main/streams.
 */
import { randomBytes } from 'node:crypto';
import { ANNOTATION, LABEL } from '../../common/compile';
import { checkPoints, checkTimeout, orderedChecks } from '../../common/lab/checks';
import type { Lab, LabAchievement, LabCheck } from '../../common/lab';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import type { ExecStatus } from '../kube/exec-status';
import { POD, type INamespace, type IPod } from '../kube/kinds';
import { mapLimit } from '../kube/retry';
import { checkCommand, newMarker, OutputTail, readTrailer } from './checks-output';
import { lastChange, mergeRuns, type CheckRun, type StudentResults } from './checks-results';
import { readClassResults, recordRuns } from './checks-store';
import { suspensionOf } from './suspension';
import { classNamespaces, classSelector } from './publish';
import { releasesIn, type ReleaseReader } from './releases';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Runs a command in a container, calling `onOutput` with each chunk as it arrives; settles once
 * the connection ends, with the exec's status as the runtime reported it (null when none came);
 * rejects when the exec is refused. Aborting closes the connection.
 */
export type CheckExec = (target: ExecTarget, command: string[], onOutput: (chunk: Buffer) => void, signal: AbortSignal) => Promise<ExecStatus | null>;

/** Students checked at once; each has one exec open at a time. */
const DEFAULT_CHECK_CONCURRENCY = 8;
/** How long past its timeout a check may take before the connection is given up on. */
const GRACE_MS = 10_000;

const live = (p: IPod) => !p.metadata?.deletionTimestamp;
const running = (p: IPod) => p.status?.phase === 'Running';

/** The pod a check runs in: a running, live pod of the node. */
function podFor(pods: readonly IPod[], node: string): IPod | undefined {
  const mine = pods.filter((p) => p.metadata?.labels?.[LABEL.node] === node && live(p));
  return mine.find(running) ?? mine[0];
}

/** One run of one check in one namespace, whatever happens (never throws). */
export async function runCheck(exec: CheckExec, namespace: string, pods: readonly IPod[], check: LabCheck, now: () => Date = () => new Date()): Promise<CheckRun> {
  const started = now();
  const at = started.toISOString();
  const t0 = Date.now();
  const failed = (message: string): CheckRun => ({ check: check.id, status: 'error', exitCode: null, at, durationMs: Date.now() - t0, output: '', message });
  const pod = podFor(pods, check.node);
  if (!pod) return failed(`node "${check.node}" has no pod in ${namespace}`);
  const podName = pod.metadata?.name ?? '';
  if (!running(pod)) return failed(`node "${check.node}" is not running (pod ${podName} is ${pod.status?.phase ?? 'Unknown'})`);
  const container = check.container ?? check.node;
  if (!(pod.spec?.containers ?? []).some((c) => c.name === container)) return failed(`pod ${podName} has no container "${container}"`);

  const timeoutS = checkTimeout(check);
  const marker = newMarker((n) => randomBytes(n).toString('hex'));
  const tail = new OutputTail();
  const abort = new AbortController();
  let gaveUp = false;
  const timer = setTimeout(() => {
    gaveUp = true;
    abort.abort();
  }, timeoutS * 1000 + GRACE_MS);
  let status: ExecStatus | null;
  try {
    status = await exec({ namespace, pod: podName, container }, checkCommand(marker, timeoutS, check.script), (chunk) => tail.push(chunk), abort.signal);
  } catch (err) {
    return failed(`cannot run the check in pod ${podName}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
  tail.finish();
  const durationMs = Date.now() - t0;
  const trailer = readTrailer(tail.text(), marker);
  const output = trailer?.output ?? tail.text();
  const base = { check: check.id, at, durationMs, ...(tail.failLine !== null ? { failLine: tail.failLine } : {}), output };
  if (!status) {
    return gaveUp
      ? { ...base, status: 'timeout', exitCode: null, message: `no answer from the node within ${timeoutS} s (and ${GRACE_MS / 1000} s of grace); the connection was closed` }
      : { ...base, status: 'error', exitCode: null, message: 'the connection ended before the node reported how the check ended' };
  }
  // Only the runtime's status can pass a check. What the output says can only make it fail:
  // a timeout line, or the exit code the runtime did not report.
  const exitCode = status.ok ? 0 : status.exitCode ?? (trailer && trailer.code !== 0 ? trailer.code : null);
  if (trailer?.timedOut) {
    return { ...base, status: 'timeout', exitCode, message: `the script ran longer than its timeout of ${timeoutS} s and was stopped` };
  }
  if (status.ok) return { ...base, status: 'pass', exitCode: 0 };
  return { ...base, status: 'fail', exitCode, ...(exitCode === null ? { message: `the check did not exit normally: ${status.message}` } : {}) };
}

/** A student's namespace and the lab their release runs. */
interface StudentTarget {
  student: string;
  studentKey: string;
  namespace: string;
  lab: Lab;
  release: string;
  /** The lab is suspended (./suspend.ts): nothing runs to check. */
  suspended: boolean;
}

export interface StudentChecks {
  student: string;
  namespace: string;
  release: string;
  /** The release's checks, in run order. */
  checks: LabCheck[];
  achievements: LabAchievement[];
  results: StudentResults;
  /** Runs of this call (empty when only reading). */
  runs: CheckRun[];
  /** Why the runs could not be recorded, when they could not. */
  recordError?: string;
  /** Not checked: the lab is suspended, and its recorded results stand as they were. */
  suspended?: true;
}

export interface RunChecksOptions {
  className: string;
  student?: string;
  /** Only this check. */
  check?: string;
  concurrency?: number;
  exec: CheckExec;
  onStudent?: (done: StudentChecks, count: { done: number; total: number }) => void;
  signal?: AbortSignal;
  /** Where the releases are read, when not in the cluster checked (a zone of a class over zones). */
  releases?: ReleaseReader;
}

/** The students of a class (or one of them) with the lab of their release. */
async function classTargets(cluster: Cluster, className: string, student?: string, releases: ReleaseReader = releasesIn(cluster)): Promise<StudentTarget[]> {
  const namespaces = await classNamespaces(cluster, className, student);
  if (namespaces.length === 0) {
    throw new KubeError('not-found', student !== undefined ? `student ${student} has no namespace in class ${className}` : `class ${className} has no students; publish a release to it first`, { hint: 'publish-first' });
  }
  const labs = new Map<string, Promise<Lab>>();
  const labOf = (lab: string, tag: string) => {
    const key = `${lab}@${tag}`;
    if (!labs.has(key)) labs.set(key, releases(lab, tag).then((r) => r.lab));
    return labs.get(key)!;
  };
  return Promise.all(
    namespaces
      .filter((ns: INamespace) => ns.status?.phase !== 'Terminating')
      .map(async (ns) => {
        const labels = ns.metadata?.labels ?? {};
        const lab = labels[LABEL.lab];
        const release = labels[LABEL.release];
        const name = ns.metadata?.name ?? '';
        if (!lab || !release) throw new KubeError('invalid', `namespace ${name} does not say which release it runs (labels ${LABEL.lab} and ${LABEL.release}); publish to it again`);
        return {
          student: ns.metadata?.annotations?.[ANNOTATION.studentId] ?? labels[LABEL.student] ?? name,
          studentKey: labels[LABEL.student] ?? '',
          namespace: name,
          lab: await labOf(lab, release),
          release,
          suspended: suspensionOf(ns) !== undefined,
        };
      }),
  );
}

function selectChecks(lab: Lab, only: string | undefined): LabCheck[] {
  const all = orderedChecks(lab.checks ?? []);
  return only === undefined ? all : all.filter((c) => c.id === only);
}

/**
 * Runs the checks of a class (or of one student, or one check) and records the results.
 * Returns one entry per student, sorted by student.
 */
export async function runClassChecks(cluster: Cluster, opts: RunChecksOptions): Promise<StudentChecks[]> {
  const targets = await classTargets(cluster, opts.className, opts.student, opts.releases);
  if (opts.check !== undefined && !targets.some((t) => t.lab.checks?.some((c) => c.id === opts.check))) {
    const known = [...new Set(targets.flatMap((t) => (t.lab.checks ?? []).map((c) => c.id)))];
    throw new KubeError('not-found', `no check "${opts.check}" in the class's labs; ${known.length ? `their checks are: ${known.join(', ')}` : 'they have no checks'}`);
  }
  // One list for the whole class, not one per student.
  const pods = (await cluster.list(POD, { labelSelector: classSelector(opts.className) })).items;
  const podsOf = new Map<string, IPod[]>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    podsOf.set(ns, [...(podsOf.get(ns) ?? []), p]);
  }
  // A suspended lab has no pod to run in: checking it would record an error over what the
  // student had achieved. It is left out, its recorded results as they were.
  const stored = targets.some((t) => t.suspended) ? await readClassResults(cluster, opts.className) : new Map<string, StudentResults>();
  let done = 0;
  const results = await mapLimit(targets, opts.concurrency ?? DEFAULT_CHECK_CONCURRENCY, async (t) => {
    if (t.suspended) {
      const entry: StudentChecks = { ...storedEntry(t, stored), suspended: true };
      opts.onStudent?.(entry, { done: ++done, total: targets.length });
      return entry;
    }
    const checks = selectChecks(t.lab, opts.check);
    const runs: CheckRun[] = [];
    for (const check of checks) {
      if (opts.signal?.aborted) break;
      runs.push(await runCheck(opts.exec, t.namespace, podsOf.get(t.namespace) ?? [], check));
    }
    const achievements = t.lab.achievements ?? [];
    let entry: StudentChecks;
    try {
      const results = await recordRuns(cluster, { namespace: t.namespace, class: opts.className, studentKey: t.studentKey }, runs, achievements);
      entry = { student: t.student, namespace: t.namespace, release: t.release, checks: orderedChecks(t.lab.checks ?? []), achievements, results, runs };
    } catch (err) {
      entry = {
        student: t.student,
        namespace: t.namespace,
        release: t.release,
        checks: orderedChecks(t.lab.checks ?? []),
        achievements,
        results: mergeRuns(null, runs, achievements, new Date().toISOString()),
        runs,
        recordError: err instanceof Error ? err.message : String(err),
      };
    }
    opts.onStudent?.(entry, { done: ++done, total: targets.length });
    return entry;
  });
  return results.sort((a, b) => a.student.localeCompare(b.student));
}

/** The stored results of a class, without running anything (what every instructor machine sees). */
export async function classCheckResults(cluster: Cluster, className: string, student?: string, releases?: ReleaseReader): Promise<StudentChecks[]> {
  const targets = await classTargets(cluster, className, student, releases);
  const stored = await readClassResults(cluster, className);
  return targets.map((t) => storedEntry(t, stored)).sort((a, b) => a.student.localeCompare(b.student));
}

/** A student's recorded results, with no run of this call. */
function storedEntry(t: StudentTarget, stored: Map<string, StudentResults>): StudentChecks {
  return {
    student: t.student,
    namespace: t.namespace,
    release: t.release,
    checks: orderedChecks(t.lab.checks ?? []),
    achievements: t.lab.achievements ?? [],
    results: stored.get(t.namespace) ?? { checks: {}, achievements: {}, updatedAt: '' },
    runs: [],
  };
}

/** One check against a namespace (the editor's "try on dev"): the lab is the editor's, nothing is recorded. */
export async function tryCheck(cluster: Cluster, exec: CheckExec, namespace: string, check: LabCheck): Promise<CheckRun> {
  const pods = (await cluster.list(POD, { namespace, labelSelector: `${LABEL.node}=${check.node}` })).items;
  return runCheck(exec, namespace, pods, check);
}

export interface StudentProgress {
  student: string;
  namespace: string;
  passed: number;
  total: number;
  points: number;
  maxPoints: number;
  achievements: string[];
  lastChange: string | null;
}

/** The class view's per-student summary: checks passing now, their points, achievements earned. */
export function progressOf(s: StudentChecks): StudentProgress {
  const passing = s.checks.filter((c) => s.results.checks[c.id]?.status === 'pass');
  return {
    student: s.student,
    namespace: s.namespace,
    passed: passing.length,
    total: s.checks.length,
    points: passing.reduce((n, c) => n + checkPoints(c), 0),
    maxPoints: s.checks.reduce((n, c) => n + checkPoints(c), 0),
    achievements: s.achievements.filter((a) => s.results.achievements[a.name]).map((a) => a.name),
    lastChange: lastChange(s.results),
  };
}


