/**
 * `labforge reconcile`: every student namespace of a class compared with the release it runs
 * (drift: reconcile-diff.ts), repaired on request, kept so from one class-wide watch, and the
 * class torn down at its end date (expiry.ts).
 *
 * What a namespace should hold is the release named by its labels, compiled for that student
 * exactly as publish compiles it (same domain and link key, from the class settings). What it
 * holds comes from one list (or one watch) per managed kind across the cluster, never one call
 * per student.
 */
import { exposureLinks, type ExposureLink, type KubeObject } from '../../common/compile';
import { STUDENT_RULES } from '../../common/compile/rbac';
import { applyAll } from '../kube/apply';
import type { Cluster, Kind } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { kindOfObject, NAMESPACE, type INamespace } from '../kube/kinds';
import { Reflector } from '../kube/reflector';
import { Semaphore } from '../kube/retry';
import { expireClass, type ExpireResult } from './expiry';
import { expiryState, type ExpiryState } from './expiry-time';
import { NAMESPACED_KINDS } from './owned';
import { classNamespaces, classSelector } from './publish';
import { namespaceDrift, objectKeyOf, type StudentDrift } from './reconcile-diff';
import type { ReleaseReader } from './releases';
import { classContext, expectedObjects, type ClassContext, type StudentExpected } from './class-context';
import { classTimePass, type ClassTimeReport } from './class-time';

/** Plural resource of a kind, as RBAC rules name it (`NetworkPolicy` → `networkpolicies`). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Whether the student's Role (common/compile/rbac.ts) lets them create objects of a kind. */
export function studentMayCreate(apiVersion: string, kind: string, rules = STUDENT_RULES as { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[]): boolean {
  const group = groupOf(apiVersion);
  const resource = resourceOf(kind);
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === group || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*') &&
      (r.verbs ?? []).some((v) => v === 'create' || v === '*'),
  );
}

/** The kinds a namespace is compared on that this cluster serves (KubeVirt may be absent). */
async function servedKinds(cluster: Cluster): Promise<Kind[]> {
  const out: Kind[] = [];
  for (const k of NAMESPACED_KINDS) if (await cluster.serves(k)) out.push(k);
  return out;
}

export interface DriftReport {
  className: string;
  /** Students whose namespace drifted, by student id; students without drift are left out. */
  students: StudentDrift[];
  /** How many student namespaces were compared. */
  checked: number;
  expiry: ExpiryState;
  /** Namespaces that could not be compared (release record gone…), with why. */
  problems: { namespace: string; error: string }[];
}

/** Compares each namespace's live objects with what it should hold. */
async function compareClass(
  cluster: Cluster,
  className: string,
  namespaces: INamespace[],
  live: Iterable<KubeObject>,
  ctx: ClassContext,
): Promise<{ report: DriftReport; expected: Map<string, StudentExpected> }> {
  const byNs = new Map<string, KubeObject[]>();
  for (const ns of namespaces) byNs.set(ns.metadata?.name ?? '', [{ ...ns, apiVersion: 'v1', kind: 'Namespace' } as KubeObject]);
  for (const o of live) byNs.get(o.metadata.namespace ?? '')?.push(o);
  const students: StudentDrift[] = [];
  const problems: DriftReport['problems'] = [];
  const expected = new Map<string, StudentExpected>();
  for (const ns of namespaces) {
    const name = ns.metadata?.name ?? '';
    if (ns.metadata?.deletionTimestamp) continue;
    let want: StudentExpected;
    try {
      want = await expectedObjects(cluster, className, ns, ctx);
    } catch (err) {
      problems.push({ namespace: name, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    expected.set(name, want);
    const objects = namespaceDrift({ expected: want.objects, live: byNs.get(name) ?? [], studentMayCreate: (v, k) => studentMayCreate(v, k) });
    if (objects.length) students.push({ student: want.student, namespace: name, objects });
  }
  const settings = ctx.settings;
  return {
    report: {
      className,
      students: students.sort((a, b) => a.student.localeCompare(b.student)),
      checked: expected.size,
      expiry: settings?.expired ? { state: 'expired', expiresAt: settings.expiresAt ?? settings.expired.at } : expiryState(settings?.expiresAt, settings?.warnSeconds ?? 0),
      problems,
    },
    expected,
  };
}

/** Every object of the managed kinds in the class's namespaces: one list per kind. */
async function listLive(cluster: Cluster, namespaces: Set<string>): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const kind of await servedKinds(cluster)) {
    const { items } = await cluster.list(kind, {});
    for (const o of items) if (namespaces.has(o.metadata.namespace ?? '')) out.push(o);
  }
  return out;
}

export interface ReconcileResult {
  report: DriftReport;
  /** What --repair did: objects re-applied and extras deleted, per namespace. */
  repaired: { student: string; namespace: string; applied: string[]; deleted: string[]; error?: string }[];
}

/** One pass: compare every student namespace, and repair what drifted when asked. */
export async function reconcile(cluster: Cluster, className: string, opts: { repair?: boolean; releases?: ReleaseReader } = {}): Promise<ReconcileResult> {
  try {
    const ctx = await classContext(cluster, className, opts.releases);
    const namespaces = await classNamespaces(cluster, className);
    const live = await listLive(cluster, new Set(namespaces.map((n) => n.metadata?.name ?? '')));
    const { report, expected } = await compareClass(cluster, className, namespaces, live, ctx);
    const repaired = opts.repair && !ctx.settings?.expired ? await repair(cluster, report, expected) : [];
    return { report, repaired };
  } catch (err) {
    throw err instanceof KubeError ? err.in(`reconciling class ${className}`) : err;
  }
}

/**
 * Re-applies only the objects that drifted (missing or changed; the Namespace first when its
 * labels changed) and deletes extras. Volumes and what the student may create are never in the
 * drift, so never touched.
 */
export async function repair(cluster: Cluster, report: DriftReport, expected: Map<string, StudentExpected>): Promise<ReconcileResult['repaired']> {
  const semaphore = new Semaphore(16);
  const out: ReconcileResult['repaired'] = [];
  for (const s of report.students) {
    const want = expected.get(s.namespace);
    if (!want) continue;
    const drifted = new Set(s.objects.filter((o) => o.problem !== 'extra').map((o) => `${o.apiVersion}/${o.kind}/${o.name}`));
    const toApply = want.objects.filter((o) => drifted.has(objectKeyOf(o)));
    const entry: ReconcileResult['repaired'][number] = { student: s.student, namespace: s.namespace, applied: [], deleted: [] };
    try {
      await applyAll(cluster, toApply, { semaphore, onApplied: (o) => entry.applied.push(`${o.kind}/${o.metadata.name}`) });
      for (const extra of s.objects.filter((o) => o.problem === 'extra')) {
        if (await cluster.delete(kindOfObject(extra), extra.name, s.namespace)) entry.deleted.push(`${extra.kind}/${extra.name}`);
      }
    } catch (err) {
      entry.error = err instanceof Error ? err.message : String(err);
    }
    out.push(entry);
  }
  return out;
}

export interface WatchOptions {
  repair?: boolean;
  /** After every pass (the first at once, then after each burst of changes). */
  onReport: (result: ReconcileResult) => void;
  /** The class reached its end date and was torn down; the watch has stopped. */
  onExpired?: (result: ExpireResult) => void;
  /** A pass failed; the watch goes on and tries again with the next change or tick. */
  onError?: (err: Error) => void;
  /** Quiet time before a pass after a change (a publish changes many objects at once). */
  settleMs?: number;
  /** A pass at least this often even without changes (the end date needs no event). */
  tickMs?: number;
  /** Where the releases are read, when not in the cluster watched (a zone of a class over zones). */
  releases?: ReleaseReader;
  /** Class time (idle labs, schedules: class-time.ts) on every pass; default on. */
  classTime?: boolean;
  /** What class time did in a pass, when it did anything. */
  onClassTime?: (report: ClassTimeReport) => void;
  /** The clock class time reads (tests set theirs). */
  now?: () => Date;
}

export interface ReconcileWatch {
  stop(): void;
  /** Settles when the watch stopped (stop() or the class ended). */
  done: Promise<void>;
}

/**
 * Keeps a class reconciled from one watch per kind across the cluster (the class's namespaces
 * by label, and each managed kind), not one per student. Each burst of changes and each tick
 * runs a pass over the watched state: report, repair when asked, and at the end date teardown.
 */
export async function watchReconcile(cluster: Cluster, className: string, opts: WatchOptions): Promise<ReconcileWatch> {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  // No pass before every reflector holds its first list: a partial view would look like drift.
  let ready = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const onChange = () => schedule(opts.settleMs ?? 500);
  const onError = (err: KubeError) => opts.onError?.(err);
  const namespaces = new Reflector<INamespace>(cluster, { kind: NAMESPACE, labelSelector: classSelector(className), onChange, onError });
  const kinds = await servedKinds(cluster);
  const objects = kinds.map((kind) => new Reflector<KubeObject>(cluster, { kind, onChange, onError }));
  const all = [namespaces, ...objects];
  const ctxHolder: { ctx?: ClassContext } = {};

  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    clearInterval(tick);
    for (const r of all) r.stop();
    finish();
  };
  const schedule = (ms: number) => {
    if (stopped || timer || !ready) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pass();
    }, ms);
  };
  /** Runs a pass, or, when one is running, asks for another after it and returns the running one. */
  const pass = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = runPass().finally(() => {
      current = undefined;
      if (again && !stopped) {
        again = false;
        schedule(opts.settleMs ?? 500);
      }
    });
    return current;
  };
  const runPass = async () => {
    try {
      // Settings are read each pass: an end date set later, from another machine, counts.
      const fresh = await classContext(cluster, className, opts.releases);
      const ctx = ctxHolder.ctx && sameSettings(ctxHolder.ctx, fresh) ? ctxHolder.ctx : fresh;
      ctxHolder.ctx = ctx;
      const state = ctx.settings?.expired ? undefined : expiryState(ctx.settings?.expiresAt, 0);
      if (state?.state === 'expired' && ctx.settings) {
        const result = await expireClass(cluster, className, ctx.settings);
        stop();
        opts.onExpired?.(result);
        return;
      }
      const nsList = [...namespaces.items.values()];
      if (opts.classTime !== false && (ctx.settings?.idle || ctx.settings?.schedule)) {
        const time = await classTimePass(cluster, className, ctx.settings, nsList, { now: (opts.now ?? (() => new Date()))(), ...(opts.releases ? { releases: opts.releases } : {}) });
        if (time.warned.length || time.suspended.length || time.resumed.length || time.errors.length) opts.onClassTime?.(time);
      }
      const names = new Set(nsList.map((n) => n.metadata?.name ?? ''));
      const live = objects.flatMap((r) => [...r.items.values()].filter((o) => names.has(o.metadata.namespace ?? '')));
      const { report, expected } = await compareClass(cluster, className, nsList, live, ctx);
      const repaired = opts.repair && !ctx.settings?.expired && report.students.length ? await repair(cluster, report, expected) : [];
      if (!stopped) opts.onReport({ report, repaired });
    } catch (err) {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const tick = setInterval(() => ready && void pass(), opts.tickMs ?? 30_000);
  try {
    await Promise.all(all.map((r) => r.start()));
  } catch (err) {
    stop();
    throw err instanceof KubeError ? err.in(`watching class ${className}`) : err;
  }
  ready = true;
  await pass();
  return { stop, done };
}

const sameSettings = (a: ClassContext, b: ClassContext) => JSON.stringify(a.settings) === JSON.stringify(b.settings) && a.linkKey === b.linkKey;

export interface StudentLinks {
  student: string;
  namespace: string;
  links: ExposureLink[];
}

/** Each student's web links, from the release their namespace runs and the class settings. */
export async function classLinks(cluster: Cluster, className: string, student?: string, releases?: ReleaseReader): Promise<StudentLinks[]> {
  const ctx = await classContext(cluster, className, releases);
  const out: StudentLinks[] = [];
  for (const ns of await classNamespaces(cluster, className, student)) {
    try {
      const want = await expectedObjects(cluster, className, ns, ctx);
      out.push({ student: want.student, namespace: want.namespace, links: exposureLinks(want.release.lab, want.namespace, ctx.settings?.domain, ctx.linkKey) });
    } catch {
      // A namespace whose release cannot be read has no links to show; reconcile reports it.
    }
  }
  return out.sort((a, b) => a.student.localeCompare(b.student));
}
