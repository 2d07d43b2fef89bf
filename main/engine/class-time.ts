/**
 * The class-time controller: one pass over a class's namespaces that warns and suspends idle
 * labs and carries out the class's schedule. `reconcile --watch` runs it on every pass (in the
 * cluster too, so nothing depends on the instructor's laptop); tests call it with their clock.
 *
 * - Idle (settings.idle): the rule in suspension.ts, per namespace: warn (an annotation the
 *   gateway and the class view show), then suspend with `by: idle`.
 * - Schedule (settings.schedule): at each session's warm-up, labs suspended by the idle timer
 *   or the schedule are resumed (never one the instructor suspended); after each session ends,
 *   running labs are suspended with `by: schedule`. Each boundary is acted on once, recorded in
 *   ConfigMap labforge-system/labforge-schedule-<class>, and only boundaries after the schedule
 *   first reached the controller count (a schedule set today does not act on last week).
 */
import { ANNOTATION } from '../../common/compile/labels';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP, type INamespace } from '../kube/kinds';
import { scheduleWindow, type ScheduleSession } from './class-schedule';
import type { ReleaseReader } from './releases';
import { settingsName, updateClassSettings, type ClassSettings } from './reconcile-settings';
import { SYSTEM_NAMESPACE } from './release-record';
import { CLASS_TIME_MANAGER, resumeStudents, suspendStudents, writeIdleWarning, type SuspendResult } from './suspend';
import { formatIdleWarning, idleDecision, suspensionOf } from './suspension';

export interface ClassTimeReport {
  warned: { student: string; namespace: string; suspendAt: string }[];
  suspended: SuspendResult[];
  resumed: SuspendResult[];
  /** The schedule's view at this pass: the session warming or running now, and the next one. */
  schedule?: { current?: ScheduleSession & { warming: boolean }; next?: ScheduleSession };
  errors: string[];
}

const studentOf = (ns: INamespace) => ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.name ?? '';

/** The key of the class's settings ConfigMap that records which schedule boundaries were acted on. */
export const SCHEDULE_RECORD_KEY = 'schedule-record.json';

interface ScheduleRecord {
  /** When the controller first saw a schedule for this class (ISO 8601). */
  since: string;
  warmed?: string;
  ended?: string;
}

/**
 * The record lives beside the settings (their ConfigMap, a key of its own written with the
 * class-time field manager), so publish's apply of the settings never removes it and the
 * in-cluster reconciler needs no right beyond patching that one ConfigMap.
 */
async function readRecord(cluster: Cluster, className: string): Promise<ScheduleRecord | undefined> {
  const cm = await cluster.read(CONFIG_MAP, settingsName(className), SYSTEM_NAMESPACE);
  try {
    const r = JSON.parse(cm?.data?.[SCHEDULE_RECORD_KEY] ?? 'null') as Partial<ScheduleRecord> | null;
    if (!r || typeof r.since !== 'string' || Number.isNaN(Date.parse(r.since))) return undefined;
    return { since: r.since, ...(typeof r.warmed === 'string' ? { warmed: r.warmed } : {}), ...(typeof r.ended === 'string' ? { ended: r.ended } : {}) };
  } catch {
    return undefined;
  }
}

async function writeRecord(cluster: Cluster, className: string, r: ScheduleRecord): Promise<void> {
  await cluster.patch(CONFIG_MAP, settingsName(className), SYSTEM_NAMESPACE, [{ op: 'add', path: `/data/${SCHEDULE_RECORD_KEY}`, value: JSON.stringify(r) }], undefined, CLASS_TIME_MANAGER);
}

export interface ClassTimeOptions {
  now: Date;
  releases?: ReleaseReader;
}

/** One pass of class time over the class's namespaces (as listed or watched by the caller). */
export async function classTimePass(cluster: Cluster, className: string, settings: ClassSettings | undefined, namespaces: INamespace[], opts: ClassTimeOptions): Promise<ClassTimeReport> {
  const report: ClassTimeReport = { warned: [], suspended: [], resumed: [], errors: [] };
  // An ended class has nothing left to run or stop.
  if (settings?.expired) return report;
  const live = namespaces.filter((n) => !n.metadata?.deletionTimestamp && n.status?.phase !== 'Terminating');
  const now = opts.now.getTime();
  const common = { now: () => opts.now, ...(opts.releases ? { releases: opts.releases } : {}) };
  const failed = (what: string) => (err: unknown) => report.errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);

  if (settings?.schedule) {
    try {
      await schedulePass(cluster, className, settings.schedule, live, opts.now, report, common);
    } catch (err) {
      failed('schedule')(err);
    }
  }

  if (settings?.idle) {
    const toSuspend: string[] = [];
    for (const ns of live) {
      // A lab the schedule just suspended or resumed in this pass is read as listed before it: skip it.
      if (report.suspended.some((r) => r.namespace === ns.metadata?.name) || report.resumed.some((r) => r.namespace === ns.metadata?.name)) continue;
      const d = idleDecision(ns, settings.idle, now);
      if (d.action === 'warn') {
        await writeIdleWarning(cluster, ns.metadata?.name ?? '', formatIdleWarning(d.warning)).then(
          () => report.warned.push({ student: studentOf(ns), namespace: ns.metadata?.name ?? '', suspendAt: d.warning.suspendAt }),
          failed(`warning ${studentOf(ns)}`),
        );
      } else if (d.action === 'suspend') toSuspend.push(studentOf(ns));
    }
    if (toSuspend.length) {
      const results = await suspendStudents(cluster, className, { ...common, students: toSuspend, by: 'idle' });
      for (const r of results) (r.status === 'failed' ? report.errors.push(`suspending ${r.student}: ${r.error}`) : report.suspended.push(r));
    }
  }
  return report;
}

async function schedulePass(
  cluster: Cluster,
  className: string,
  schedule: NonNullable<ClassSettings['schedule']>,
  live: INamespace[],
  now: Date,
  report: ClassTimeReport,
  common: { now: () => Date; releases?: ReleaseReader },
): Promise<void> {
  const window = scheduleWindow(schedule, now);
  report.schedule = { ...(window.current ? { current: window.current } : {}), ...(window.next ? { next: window.next } : {}) };
  let record = await readRecord(cluster, className);
  if (!record) {
    record = { since: now.toISOString() };
    await writeRecord(cluster, className, record);
  }
  const since = Date.parse(record.since);
  if (window.current && record.warmed !== window.current.id) {
    // Warm-up: labs the timer or the schedule stopped come back; the instructor's stay as they are.
    const students = live.filter((n) => suspensionOf(n) && suspensionOf(n)!.by !== 'instructor').map(studentOf);
    if (students.length) {
      const results = await resumeStudents(cluster, className, { ...common, students });
      for (const r of results) (r.status === 'failed' ? report.errors.push(`resuming ${r.student}: ${r.error}`) : report.resumed.push(r));
    }
    await writeRecord(cluster, className, { ...record, warmed: window.current.id });
    return;
  }
  const ended = window.previous;
  if (!window.current && ended && ended.end.getTime() >= since && record.ended !== ended.id) {
    const students = live.filter((n) => !suspensionOf(n)).map(studentOf);
    if (students.length) {
      const results = await suspendStudents(cluster, className, { ...common, students, by: 'schedule' });
      for (const r of results) (r.status === 'failed' ? report.errors.push(`suspending ${r.student}: ${r.error}`) : report.suspended.push(r));
    }
    await writeRecord(cluster, className, { ...record, ended: ended.id });
  }
}

/** Stores the class's idle policy (undefined: labs are never suspended for idleness). */
export async function setIdlePolicy(cluster: Cluster, className: string, idle: ClassSettings['idle']): Promise<ClassSettings> {
  try {
    return await updateClassSettings(cluster, className, (s) => {
      const { idle: _old, ...rest } = s;
      return idle ? { ...rest, idle } : rest;
    });
  } catch (err) {
    throw err instanceof KubeError ? err.in(`setting the idle policy of class ${className}`) : err;
  }
}
