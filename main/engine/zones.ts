/**
 * A class over several clusters (zones). The home cluster (the instructor's current context)
 * keeps the class's zones and which student is in which, in one ConfigMap in labforge-system;
 * every other class operation reads it from there, so any instructor machine with the same
 * contexts sees the same class. Each zone runs the ordinary single-cluster publish, status,
 * teardown and credentials on its share of the students. A zone that cannot be reached is
 * reported with its students and leaves the others alone; publishing again once it is back
 * converges, because every student keeps their zone.
 */
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import { studentNamespace } from '../../common/compile/names';
import type { Student } from '../class/roster';
import { assignZones, zoneLab, zoneSchema, type Zone } from '../class/zones';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP } from '../kube/kinds';
import { classStatus, studentCredentials, teardown, type ClassOpOptions, type StudentCredentials, type StudentRow, type TeardownResult } from './class-ops';
import { classNamespaces, publish, type PublishOptions, type PublishResult, type StudentResult } from './publish';
import { getRelease, releasesIn, type ReleaseReader } from './releases';
import { SYSTEM_NAMESPACE } from './release-record';
import { z } from 'zod';

export interface ZonesRecord {
  zones: Zone[];
  /** Student id → zone name. */
  assignment: Record<string, string>;
}

const recordSchema = z.object({ zones: z.array(zoneSchema), assignment: z.record(z.string(), z.string()) });
const recordName = (className: string) => `labforge-zones-${className}`;
const RECORD_LABEL = 'labforge.dev/record';

/** Opens a zone's cluster; the CLI and the app pass one that loads the zone's kubeconfig context. */
export type ZoneConnector = (zone: Zone) => Cluster;

function parseRecord(text: string, className: string): ZonesRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) throw new KubeError('invalid', `the zones record of class ${className} (ConfigMap ${SYSTEM_NAMESPACE}/${recordName(className)}) is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function readZonesRecord(home: Cluster, className: string): Promise<ZonesRecord | undefined> {
  const cm = await home.read(CONFIG_MAP, recordName(className), SYSTEM_NAMESPACE);
  const text = (cm as { data?: Record<string, string> } | undefined)?.data?.['zones.json'];
  if (!text) return undefined;
  return parseRecord(text, className);
}

/**
 * The zone holding a student namespace, from the home cluster's zones records; undefined when no
 * zoned class places a student there (the namespace is then on the home cluster, if anywhere).
 * Panes opened on a student of a zoned class go to this zone's cluster.
 */
export async function zoneOfNamespace(home: Cluster, namespace: string): Promise<Zone | undefined> {
  const records = await home.list(CONFIG_MAP, { namespace: SYSTEM_NAMESPACE, labelSelector: `${RECORD_LABEL}=zones,${LABEL.managedBy}=${MANAGED_BY}` });
  for (const cm of records.items) {
    const className = cm.metadata?.labels?.[LABEL.class];
    const text = (cm as { data?: Record<string, string> }).data?.['zones.json'];
    if (!className || !text || cm.metadata?.name !== recordName(className)) continue;
    const record = parseRecord(text, className);
    for (const [student, zoneName] of Object.entries(record.assignment)) {
      if (studentNamespace(className, student) === namespace) return record.zones.find((z) => z.name === zoneName);
    }
  }
  return undefined;
}

export async function writeZonesRecord(home: Cluster, className: string, record: ZonesRecord): Promise<void> {
  await home.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(className),
      namespace: SYSTEM_NAMESPACE,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: className, [RECORD_LABEL]: 'zones' },
    },
    data: { 'zones.json': JSON.stringify(record) },
  });
}

export async function deleteZonesRecord(home: Cluster, className: string): Promise<void> {
  await home.delete(CONFIG_MAP, recordName(className), SYSTEM_NAMESPACE);
}

export interface ZoneProblem {
  zone: string;
  error: string;
}

export interface ZonedPublishResult {
  results: (StudentResult & { zone: string })[];
  left: (PublishResult['left'][number] & { zone: string })[];
  unreachable: ZoneProblem[];
  record: ZonesRecord;
}

export interface ZonedPublishOptions extends Omit<PublishOptions, 'onStart' | 'onPhase'> {
  /** Zones for a new class, or to change a class's zones; otherwise the recorded ones. */
  zones?: Zone[];
  onZone?: (zone: string, message: string) => void;
}

/**
 * Opens every zone of a zones file given now, before anything is stored: a zone whose kubeconfig
 * cannot be read (missing, a FIFO, a device, too large) or lacks its context is refused here,
 * naming the zone. Recorded, it would fail every later command of the class.
 */
function openGivenZones(zones: Zone[], connectZone: ZoneConnector): void {
  for (const zone of zones) {
    let cluster: Cluster | undefined;
    try {
      cluster = connectZone(zone);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw err instanceof KubeError ? err.in(`zone ${zone.name}`) : new KubeError('config', `zone ${zone.name}: ${message}`);
    } finally {
      cluster?.close();
    }
  }
}

/**
 * Publishes a release over the class's zones. The placement is recorded on the home cluster
 * before anything is written to a zone, so an interrupted publish resumes with the same one.
 */
export async function publishZoned(home: Cluster, connectZone: ZoneConnector, opts: ZonedPublishOptions): Promise<ZonedPublishResult> {
  const previous = await readZonesRecord(home, opts.className);
  const zones = opts.zones ?? previous?.zones;
  if (!zones?.length) throw new KubeError('invalid', `class ${opts.className} has no zones; pass a zones file`);
  let assignment: Record<string, string>;
  try {
    assignment = assignZones(opts.students.map((s) => s.id), zones, previous?.assignment);
  } catch (err) {
    throw new KubeError('invalid', (err as Error).message);
  }
  // Students who left keep their entry unless pruned, so a returning student finds their zone.
  const kept = opts.prune ? {} : Object.fromEntries(Object.entries(previous?.assignment ?? {}).filter(([, zone]) => zones.some((z) => z.name === zone)));
  const record: ZonesRecord = { zones, assignment: { ...kept, ...assignment } };
  if (opts.zones) openGivenZones(opts.zones, connectZone);
  await writeZonesRecord(home, opts.className, record);

  const total = opts.students.length;
  let done = 0;
  const perZone = await Promise.all(
    zones.map(async (zone) => {
      const students: Student[] = opts.students.filter((s) => assignment[s.id] === zone.name);
      if (students.length === 0) return { zone, results: [], left: [] } as const;
      let cluster: Cluster | undefined;
      try {
        cluster = connectZone(zone);
        opts.onZone?.(zone.name, `publishing to ${students.length} students`);
        const r = await publish(cluster, {
          ...opts,
          students,
          release: { ...opts.release, lab: zoneLab(opts.release.lab, zone) },
          ...(zone.domain ?? opts.domain ? { domain: zone.domain ?? opts.domain } : {}),
          onProgress: ({ result }) => opts.onProgress?.({ done: ++done, total, result }),
        });
        return { zone, results: r.results, left: r.left } as const;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        opts.onZone?.(zone.name, `failed: ${message}`);
        const results: StudentResult[] = students.map((s) => ({ student: s.id, namespace: '', status: 'failed', objects: 0, retries: 0, error: `zone ${zone.name}: ${message}` }));
        return { zone, results, left: [], problem: { zone: zone.name, error: message } } as const;
      } finally {
        cluster?.close();
      }
    }),
  );
  return {
    results: perZone.flatMap((p) => p.results.map((r) => ({ ...r, zone: p.zone.name }))),
    left: perZone.flatMap((p) => p.left.map((l) => ({ ...l, zone: p.zone.name }))),
    unreachable: perZone.flatMap((p) => ('problem' in p && p.problem ? [p.problem] : [])),
    record,
  };
}

/** A class operation's options inside one zone: the same cancel signal, its progress naming the zone. */
const inZone = (zone: Zone, opts: ClassOpOptions): ClassOpOptions => ({
  ...(opts.signal ? { signal: opts.signal } : {}),
  ...(opts.onPhase ? { onPhase: (message: string) => opts.onPhase!(`zone ${zone.name}: ${message}`) } : {}),
});

/** Runs `fn` on every zone at once; a zone that fails is reported, the others still answer. */
async function eachZone<T>(record: ZonesRecord, connectZone: ZoneConnector, fn: (cluster: Cluster, zone: Zone) => Promise<T>): Promise<{ ok: { zone: Zone; value: T }[]; failed: ZoneProblem[] }> {
  const settled = await Promise.all(
    record.zones.map(async (zone) => {
      let cluster: Cluster | undefined;
      try {
        cluster = connectZone(zone);
        return { zone, value: await fn(cluster, zone) };
      } catch (err) {
        return { zone, error: err instanceof Error ? err.message : String(err) };
      } finally {
        cluster?.close();
      }
    }),
  );
  return {
    ok: settled.flatMap((s) => ('value' in s ? [{ zone: s.zone, value: s.value as T }] : [])),
    failed: settled.flatMap((s) => ('error' in s ? [{ zone: s.zone.name, error: s.error! }] : [])),
  };
}

export async function zonedStatus(record: ZonesRecord, connectZone: ZoneConnector, className: string): Promise<{ rows: (StudentRow & { zone: string })[]; unreachable: ZoneProblem[] }> {
  const r = await eachZone(record, connectZone, (c) => classStatus(c, className));
  const rows = r.ok.flatMap(({ zone, value }) => value.map((row) => ({ ...row, zone: zone.name })));
  rows.sort((a, b) => a.student.localeCompare(b.student));
  return { rows, unreachable: r.failed };
}

/** Tears the class (or one student) down in every zone; the record goes once every zone is clear. */
export async function zonedTeardown(home: Cluster, record: ZonesRecord, connectZone: ZoneConnector, className: string, student?: string, opts: ClassOpOptions = {}): Promise<TeardownResult & { unreachable: ZoneProblem[] }> {
  const zones = student !== undefined ? { ...record, zones: record.zones.filter((z) => z.name === record.assignment[student]) } : record;
  if (student !== undefined && zones.zones.length === 0) throw new KubeError('not-found', `student ${student} has no zone in class ${className}`);
  const r = await eachZone(zones, connectZone, (c, zone) => teardown(c, className, student, undefined, inZone(zone, opts)));
  const deleted = r.ok.flatMap((o) => o.value.deleted);
  const stuck = r.ok.flatMap((o) => o.value.stuck);
  if (r.failed.length === 0 && stuck.length === 0) {
    if (student === undefined) await deleteZonesRecord(home, className);
    else {
      const { [student]: _gone, ...assignment } = record.assignment;
      await writeZonesRecord(home, className, { ...record, assignment });
    }
  }
  return { deleted, stuck, unreachable: r.failed };
}

export async function zonedCredentials(record: ZonesRecord, connectZone: ZoneConnector, className: string, student: string, durationSeconds?: number): Promise<StudentCredentials & { zone: string }> {
  const zone = record.zones.find((z) => z.name === record.assignment[student]);
  if (!zone) throw new KubeError('not-found', `student ${student} has no zone in class ${className}; publish to them first`, { hint: 'publish-first' });
  const cluster = connectZone(zone);
  try {
    return { ...(await studentCredentials(cluster, className, student, durationSeconds)), zone: zone.name };
  } finally {
    cluster.close();
  }
}

/** Deletes one student's namespace in their zone and publishes their release there again. */
export async function zonedReset(home: Cluster, record: ZonesRecord, connectZone: ZoneConnector, className: string, student: string, opts: ClassOpOptions = {}): Promise<StudentResult & { zone: string }> {
  const zone = record.zones.find((z) => z.name === record.assignment[student]);
  if (!zone) throw new KubeError('not-found', `student ${student} has no zone in class ${className}; publish to them first`, { hint: 'publish-first' });
  const cluster = connectZone(zone);
  let lab: string | undefined;
  let tag: string | undefined;
  try {
    const [ns] = await classNamespaces(cluster, className, student);
    if (!ns) throw new KubeError('not-found', `student ${student} has no namespace in class ${className} (zone ${zone.name}); publish to them first`, { hint: 'publish-first' });
    lab = ns.metadata?.labels?.[LABEL.lab];
    tag = ns.metadata?.labels?.[LABEL.release];
    if (!lab || !tag) throw new KubeError('invalid', `namespace ${ns.metadata?.name} does not say which release it runs`);
    const release = await getRelease(home, lab, tag);
    await teardown(cluster, className, student, undefined, inZone(zone, opts));
    // Past this point the student has no namespace: publishing is not cancelled halfway.
    opts.onPhase?.(`publishing ${lab}@${tag} to ${student} again in zone ${zone.name}`);
    const r = await publish(cluster, { className, students: [{ id: student }], release: { ...release, lab: zoneLab(release.lab, zone) }, force: true, ...(zone.domain ? { domain: zone.domain } : {}) });
    return { ...r.results[0]!, zone: zone.name };
  } finally {
    cluster.close();
  }
}

/** A zone's releases: the home cluster's, adapted to the zone (image mirror, storage class) as publish writes them there. */
export function zoneReleases(home: Cluster, zone: Zone): ReleaseReader {
  return async (lab, tag) => {
    const r = await getRelease(home, lab, tag);
    return { ...r, lab: zoneLab(r.lab, zone) };
  };
}

/** One cluster a class lives on: a zone with the students placed there, or the home cluster alone. */
export interface ClassPart {
  cluster: Cluster;
  /** The class's releases: the home cluster's (a zone holds none), adapted to the zone. */
  releases: ReleaseReader;
  /** Absent for a class without zones. */
  zone?: Zone;
  /** The students placed in this zone; absent for a class without zones (all of them). */
  students?: Set<string>;
}

/**
 * Runs `each` on every cluster the class lives on, its zones in their order or the home cluster
 * alone, and returns the answers in that order. A zone's failure names the zone. Zone clusters
 * come from `connectZone` and are closed afterwards (a connector that shares them makes close a
 * no-op). For the class operations beyond publish, status, reset, credentials and teardown that
 * must follow a class over its zones: checks, keys, drift, end date.
 */
export async function overClass<T>(home: Cluster, className: string, connectZone: ZoneConnector, each: (part: ClassPart) => Promise<T>, only?: { student: string }): Promise<T[]> {
  const record = await readZonesRecord(home, className);
  if (!record) return [await each({ cluster: home, releases: releasesIn(home) })];
  let zones = record.zones;
  if (only) {
    const zone = record.zones.find((z) => z.name === record.assignment[only.student]);
    if (!zone) throw new KubeError('not-found', `student ${only.student} has no zone in class ${className}; publish to them first`, { hint: 'publish-first' });
    zones = [zone];
  }
  const out: T[] = [];
  for (const zone of zones) {
    const students = new Set(Object.entries(record.assignment).filter(([, z]) => z === zone.name).map(([s]) => s));
    const cluster = connectZone(zone);
    try {
      out.push(await each({ cluster, releases: zoneReleases(home, zone), zone, students }));
    } catch (err) {
      throw err instanceof KubeError ? err.in(`zone ${zone.name}`) : err;
    } finally {
      cluster.close();
    }
  }
  return out;
}
