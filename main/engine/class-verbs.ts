/**
 * The class operations as the CLI and the app call them: publish, status, reset, teardown and
 * credentials, each deciding here, once, whether the class lives on one cluster or over zones
 * (zones.ts), and taking the same cancel signal and progress callbacks either way. The other
 * class verbs that follow zones (checks, keys, drift, end date) go through `overClass`.
 */
import type { Zone } from '../class/zones';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { classStatus, reset, studentCredentials, teardown, type ClassOpOptions, type StudentCredentials, type StudentRow, type TeardownResult } from './class-ops';
import { publish, type PublishOptions, type PublishResult, type StudentResult } from './publish';
import { resumeStudents, suspendStudents, type SuspendOptions, type SuspendResult } from './suspend';
import { overClass, publishZoned, readZonesRecord, zonedCredentials, zonedReset, zonedStatus, zonedTeardown, type ZoneConnector, type ZoneProblem } from './zones';

/** Where a class lives: the home cluster (which holds its releases and its zones record), and how to reach each zone. */
export interface ClassHome {
  home: Cluster;
  connectZone: ZoneConnector;
}

export interface ClassPublishOptions extends Omit<PublishOptions, 'onStart'> {
  /** Spread the class over these zones (a new class, or new zones); later publishes reuse them. */
  zones?: Zone[];
  /** Before the first student: how many, and whether they go over zones. */
  onStart?: (p: { total: number; zoned: boolean }) => void;
  /** A zone's own news (publishing to N students, failed). */
  onZone?: (zone: string, message: string) => void;
}

export interface ClassPublishResult {
  zoned: boolean;
  results: (StudentResult & { zone?: string })[];
  left: (PublishResult['left'][number] & { zone?: string })[];
  /** Zones that could not be reached; their students keep their place. */
  unreachable: ZoneProblem[];
}

export async function publishClass({ home, connectZone }: ClassHome, opts: ClassPublishOptions): Promise<ClassPublishResult> {
  const { zones, onStart, onZone, onPhase, ...rest } = opts;
  // A class with zones (given now, or recorded by an earlier publish) spans several clusters.
  if (zones || (await readZonesRecord(home, opts.className))) {
    onPhase?.('apply', `publishing over the zones of class ${opts.className}`);
    onStart?.({ total: opts.students.length, zoned: true });
    const r = await publishZoned(home, connectZone, { ...rest, ...(zones ? { zones } : {}), ...(onZone ? { onZone } : {}) });
    return { zoned: true, results: r.results, left: r.left, unreachable: r.unreachable };
  }
  const r = await publish(home, { ...rest, ...(onPhase ? { onPhase } : {}), onStart: ({ total }) => onStart?.({ total, zoned: false }) });
  return { zoned: false, results: r.results, left: r.left, unreachable: [] };
}

export async function statusOfClass({ home, connectZone }: ClassHome, className: string): Promise<{ rows: (StudentRow & { zone?: string })[]; unreachable: ZoneProblem[]; zoned: boolean }> {
  const record = await readZonesRecord(home, className);
  if (record) return { ...(await zonedStatus(record, connectZone, className)), zoned: true };
  return { rows: await classStatus(home, className), unreachable: [], zoned: false };
}

/** Deletes one student's namespace and publishes their release to them again, in their zone if the class has zones. */
export async function resetStudent({ home, connectZone }: ClassHome, className: string, student: string, opts: ClassOpOptions = {}): Promise<StudentResult & { zone?: string }> {
  const record = await readZonesRecord(home, className);
  if (!record) return reset(home, className, student, undefined, opts);
  opts.onPhase?.(`resetting ${student} in zone ${record.assignment[student] ?? '?'}`);
  return zonedReset(home, record, connectZone, className, student, opts);
}

/** Tears the class (or one student) down wherever it lives; zones that could not be reached are listed. */
export async function teardownClass({ home, connectZone }: ClassHome, className: string, student?: string, opts: ClassOpOptions = {}): Promise<TeardownResult & { unreachable: ZoneProblem[] }> {
  const record = await readZonesRecord(home, className);
  if (!record) return { ...(await teardown(home, className, student, undefined, opts)), unreachable: [] };
  opts.onPhase?.(student === undefined ? `deleting the class in ${record.zones.length} zones` : `deleting ${student} in zone ${record.assignment[student] ?? '?'}`);
  return zonedTeardown(home, record, connectZone, className, student, opts);
}

export async function credentialsOf({ home, connectZone }: ClassHome, className: string, student: string, durationSeconds?: number): Promise<StudentCredentials & { zone?: string }> {
  const record = await readZonesRecord(home, className);
  if (!record) return studentCredentials(home, className, student, durationSeconds);
  return zonedCredentials(record, connectZone, className, student, durationSeconds);
}

/**
 * Suspends or resumes students' labs wherever they live: each zone of a class over zones gets
 * the students it holds (those asked for, or all of its own).
 */
export async function suspendOrResume({ home, connectZone }: ClassHome, className: string, mode: 'suspend' | 'resume', opts: SuspendOptions = {}): Promise<(SuspendResult & { zone?: string })[]> {
  const asked = opts.students ? new Set(opts.students) : undefined;
  const parts = await overClass(home, className, connectZone, async ({ cluster, releases, zone, students }) => {
    const mine = zone && students ? [...students].filter((s) => !asked || asked.has(s)) : opts.students;
    if (mine && mine.length === 0) return [];
    const run = mode === 'suspend' ? suspendStudents : resumeStudents;
    const results = await run(cluster, className, { ...opts, ...(mine ? { students: mine } : {}), releases });
    return results.map((r) => (zone ? { ...r, zone: zone.name } : r));
  });
  const out = parts.flat();
  // An id no zone holds would otherwise pass unnoticed over zones (one cluster reports it itself).
  const found = new Set(out.map((r) => r.student));
  const unknown = [...(asked ?? [])].filter((s) => !found.has(s));
  if (unknown.length) throw new KubeError('not-found', `class ${className} has no student ${unknown.map((s) => JSON.stringify(s)).join(', ')}`);
  return out;
}
