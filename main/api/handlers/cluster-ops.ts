/**
 * The class story over the contract: deploy, watch dev, releases, publish, watch a class,
 * reset, teardown, credentials. Every handler is a thin call into the engine the CLI uses;
 * what the renderer shows (states, plans, diffs) is computed here, in main, never there.
 */
import { devNamespace } from '../../../common/compile';
import { diffLabs, elementChanges, formatChange } from '../../../common/lab/diff';
import { formatIssue, validateLab } from '../../../common/lab/parse';
import { parseRoster, numberedStudents, type Student } from '../../class/roster';
import { classRows } from '../../engine/class-ops';
import { credentialsOf, publishClass, resetStudent, suspendOrResume, teardownClass } from '../../engine/class-verbs';
import { withClassLock } from '../../engine/class-lock';
import { decodeLabRecord, deploy } from '../../engine/deploy';
import { deleteDev } from '../../engine/dev-delete';
import { liveNodeStatuses, type NodeStatus } from '../../engine/node-status';
import { planPublish } from '../../engine/publish-plan';
import { classSelector, currentStudents, listClasses, type StudentResult } from '../../engine/publish';
import { getRelease, listReleases, nextFreeTag, snapshot, type ReleaseSummary } from '../../engine/releases';
import { PreflightError } from '../../kube/apply';
import { sharedZoneConnector, type ClusterProvider } from '../clusters';
import type { opEvent, studentsSpec, suspendRequest, WireClassRow, WireNodeStatus } from '../../../common/api/cluster-schemas';
import type { z } from 'zod';
import { ApiFailure, type Handler, type Handlers } from '../dispatch';
import type { LiveViews } from '../live-views';
import { readZonesRecord, type ZoneConnector } from '../../engine/zones';
import { engine } from './engine-call';

export interface ClusterOpsDeps {
  clusters: ClusterProvider;
  live: LiveViews;
}

const wireRow = (r: ReturnType<typeof classRows>[number]): WireClassRow => ({
  student: r.student,
  namespace: r.namespace,
  release: r.release,
  phase: r.phase,
  ready: r.ready,
  total: r.total,
  nodes: r.nodes,
  cpu: r.usage.cpu,
  memory: r.usage.memory,
  pods: r.usage.pods,
  // Class time: the row shows who suspended the lab, when it was last used and a standing idle warning.
  ...(r.suspended ? { suspended: { at: r.suspended.at, by: r.suspended.by } } : {}),
  ...(r.lastActivity ? { lastActivity: r.lastActivity } : {}),
  ...(r.idleSuspendAt ? { idleSuspendAt: r.idleSuspendAt } : {}),
});

const wireStatus = (s: NodeStatus): WireNodeStatus => ({
  node: s.node,
  kind: s.kind,
  state: s.state,
  ready: s.ready,
  restarts: s.restarts,
  ...(s.reason ? { reason: s.reason } : {}),
  ...(s.message ? { message: s.message } : {}),
  ...(s.image ? { image: s.image } : {}),
});

export function clusterOps({ clusters, live }: ClusterOpsDeps) {
  // Zone clusters are shared and closed with the provider, so the zoned calls must not close them.
  const zoneConnector: ZoneConnector = sharedZoneConnector(clusters);

  const students = async (spec: z.output<typeof studentsSpec>, className: string, context: string | null): Promise<{ students: Student[]; issues: { line: number; message: string }[] }> => {
    if ('count' in spec) return { students: numberedStudents(spec.count), issues: [] };
    if ('current' in spec) return { students: await currentStudents(await clusters.get(context), className), issues: [] };
    const r = parseRoster(spec.roster.text);
    return r.ok ? { students: r.students, issues: [] } : { students: [], issues: r.issues };
  };

  const deployHandler: Handler<'dev.deploy'> = async ({ context, lab: draft, namespace, timeoutSeconds }, { emit, signal }) =>
    engine(async () => {
      // The wire carries the lab's shape; deploy takes only a lab that validates, as the CLI's does.
      const checked = validateLab(draft);
      if (!checked.ok) throw new ApiFailure('invalid_lab', `the lab is invalid, nothing was written: ${checked.issues.map((i) => formatIssue(i, draft.metadata.name)).join('; ')}`);
      const lab = checked.lab;
      const cluster = await clusters.get(context);
      try {
        const result = await deploy(cluster, lab, {
          ...(namespace ? { namespace } : {}),
          timeoutMs: timeoutSeconds * 1000,
          signal,
          onPhase: (phase, message) => emit({ type: 'phase', phase, message }),
          onApplied: (done, total) => emit({ type: 'applied', done, total }),
          onStatus: (statuses) => emit({ type: 'status', statuses: statuses.map(wireStatus) }),
        });
        return {
          namespace: result.namespace,
          applied: result.applied,
          deleted: result.pruned.deleted,
          keptVolumes: result.pruned.keptVolumes,
          ready: result.ready,
          statuses: result.statuses.map(wireStatus),
          problems: [],
        };
      } catch (err) {
        // Refusals before any write are results the canvas places on nodes, not failures of the call.
        if (err instanceof PreflightError) {
          return {
            namespace: namespace ?? devNamespace(lab.metadata.name),
            applied: 0,
            deleted: [],
            keptVolumes: [],
            ready: false,
            statuses: [],
            problems: err.problems.map((p) => ({ path: p.path, source: p.source, object: p.object, message: p.message })),
          };
        }
        throw err;
      }
    });

  const devDelete: Handler<'dev.delete'> = async ({ context, labName, namespace, dryRun }, { emit }) =>
    engine(async () => deleteDev(await clusters.get(context), labName, { ...(namespace ? { namespace } : {}), dryRun, onPhase: (message) => emit({ type: 'phase', message }) }));

  const devWatch: Handler<'dev.watch'> = async ({ context, labName, namespace }, { emit, signal }) =>
    engine(async () => {
      const cluster = await clusters.get(context);
      const ns = namespace ?? devNamespace(labName);
      // The record changes only on deploy; pods change often. Parse its YAML once per version.
      let record: { version: string; decoded: ReturnType<typeof decodeLabRecord> } | undefined;
      await live.follow(
        cluster,
        { namespace: ns, withWorkloads: true, withLabRecord: true },
        (view) => {
          const cm = view.labRecords[0];
          const version = cm?.metadata?.resourceVersion ?? '';
          if (record?.version !== version) record = { version, decoded: cm ? decodeLabRecord(cm) : null };
          const deployed = record.decoded;
          const statuses = deployed ? liveNodeStatuses(deployed.lab.nodes, view) : [];
          emit({ statuses: statuses.map(wireStatus), deployed: deployed ? { lab: deployed.lab, at: deployed.at } : null });
        },
        signal,
      );
      return {};
    });

  const summary = (r: ReleaseSummary) => ({ labName: r.labName, tag: r.tag, createdAt: r.createdAt, author: r.author, note: r.note ?? '', images: r.images });

  const releaseList: Handler<'release.list'> = async ({ context, labName }) =>
    engine(async () => {
      const releases = await listReleases(await clusters.get(context), labName);
      return { releases: releases.map(summary), nextTag: nextFreeTag(releases.filter((r) => !labName || r.labName === labName).map((r) => r.tag)) };
    });

  const releaseSnapshot: Handler<'release.snapshot'> = async ({ context, labName, tag, note, namespace, force }) =>
    engine(async () => summary(await snapshot(await clusters.get(context), tag, { labName, note, force, ...(namespace ? { namespace } : {}) })));

  const releaseDiff: Handler<'release.diff'> = async ({ context, labName, from, to }) =>
    engine(async () => {
      const cluster = await clusters.get(context);
      const [a, b] = await Promise.all([getRelease(cluster, labName, from), getRelease(cluster, labName, to)]);
      return {
        from: { tag: from, lab: a.lab },
        to: { tag: to, lab: b.lab },
        changes: diffLabs(a.lab, b.lab).map((c) => ({ path: c.path, ...(c.from !== undefined ? { from: c.from } : {}), ...(c.to !== undefined ? { to: c.to } : {}), text: formatChange(c) })),
        nodes: elementChanges(a.lab.nodes, b.lab.nodes),
        networks: elementChanges(a.lab.networks, b.lab.networks),
        volumes: elementChanges(a.lab.volumes, b.lab.volumes),
      };
    });

  const classList: Handler<'class.list'> = async ({ context }) => engine(async () => ({ classes: await listClasses(await clusters.get(context)) }));

  const classPlan: Handler<'class.plan'> = async ({ context, labName, tag, className, students: spec }) =>
    engine(async () => {
      const { students: list, issues } = await students(spec, className, context);
      if (issues.length) return { students: [], rosterIssues: issues, capacity: null, existing: 0, upgrade: null, leaving: [] };
      const cluster = await clusters.get(context);
      const release = await getRelease(cluster, labName, tag);
      const plan = await planPublish(cluster, { className, release, students: list });
      return {
        students: list.map((s) => s.id),
        rosterIssues: [],
        capacity: plan.capacity,
        existing: plan.existing,
        upgrade: plan.upgrade,
        leaving: plan.leaving,
      };
    });

  const classPublish: Handler<'class.publish'> = async ({ context, labName, tag, className, students: spec, force, prune }, { emit, signal: cancelled }) =>
    engine(async () => {
      const { students: list, issues } = await students(spec, className, context);
      if (issues.length) throw new ApiFailure('invalid_roster', `the roster has ${issues.length} bad row(s), nothing was published: ${issues.map((i) => `line ${i.line}: ${i.message}`).join('; ')}`);
      const cluster = await clusters.get(context);
      // One operation on a class at a time, from any machine (engine/class-lock.ts).
      return withClassLock(cluster, className, 'publish', async (lost) => {
        const signal = AbortSignal.any([cancelled, lost]);
        emit({ type: 'phase', phase: 'preflight', message: `reading release ${labName}@${tag}` });
        const release = await getRelease(cluster, labName, tag);
        signal.throwIfAborted();
        // One call either way: the engine decides whether the class runs over zones.
        const r = await publishClass(
          { home: cluster, connectZone: zoneConnector },
          {
            className,
            students: list,
            release,
            force,
            prune,
            signal,
            onPhase: (phase, message) => emit({ type: 'phase', phase, message }),
            onStart: ({ total }) => emit({ type: 'start', total }),
            onProgress: ({ done, total, result: r }: { done: number; total: number; result: StudentResult }) => emit({ type: 'student', done, total, result: r }),
          },
        );
        return { results: r.results.map(({ zone: _zone, ...x }) => x), left: r.left.map(({ zone: _zone, ...l }) => l) };
      }, { onWait: (message) => emit({ type: 'phase', phase: 'preflight', message }) });
    });

  const classWatch: Handler<'class.watch'> = async ({ context, className }, { emit, signal }) =>
    engine(async () => {
      const cluster = await clusters.get(context);
      const record = await readZonesRecord(cluster, className);
      if (record) {
        await followZones(record, className, emit, signal);
        return {};
      }
      await live.follow(
        cluster,
        { labelSelector: classSelector(className), withWorkloads: true },
        (view) => {
          const rows = classRows(view.namespaces, view.pods, view.quotas, view);
          const labNodes = [...new Set(rows.flatMap((r) => Object.keys(r.nodes)))].sort();
          emit({ labNodes, rows: rows.map(wireRow) });
        },
        signal,
      );
      return {};
    });

  /** One live view per zone, merged: a zone that fails is reported while the others keep updating. */
  const followZones = async (record: NonNullable<Awaited<ReturnType<typeof readZonesRecord>>>, className: string, emit: (event: { labNodes: string[]; rows: WireClassRow[]; unreachable?: { zone: string; error: string }[] }) => void, signal: AbortSignal) => {
    const rowsByZone = new Map<string, WireClassRow[]>();
    const unreachable = new Map<string, string>();
    const send = () => {
      const rows = [...rowsByZone.values()].flat().sort((a, b) => a.student.localeCompare(b.student));
      const labNodes = [...new Set(rows.flatMap((r) => Object.keys(r.nodes)))].sort();
      emit({ labNodes, rows, unreachable: [...unreachable].map(([zone, error]) => ({ zone, error })) });
    };
    await Promise.all(
      record.zones.map(async (zone) => {
        try {
          await live.follow(
            clusters.forZone(zone),
            { labelSelector: classSelector(className), withWorkloads: true },
            (view) => {
              unreachable.delete(zone.name);
              rowsByZone.set(zone.name, classRows(view.namespaces, view.pods, view.quotas, view).map((r) => ({ ...wireRow(r), zone: zone.name })));
              send();
            },
            signal,
            (err) => {
              unreachable.set(zone.name, err.message);
              send();
            },
          );
        } catch (err) {
          unreachable.set(zone.name, err instanceof Error ? err.message : String(err));
          send();
        }
      }),
    );
  };

  const classReset: Handler<'class.reset'> = async ({ context, className, student }, { emit, signal: cancelled }) =>
    engine(async () => {
      const cluster = await clusters.get(context);
      return withClassLock(cluster, className, 'reset', async (lost) => {
        const signal = AbortSignal.any([cancelled, lost]);
        const { zone: _zone, ...r } = await resetStudent({ home: cluster, connectZone: zoneConnector }, className, student, { signal, onPhase: (message) => emit({ type: 'phase', message }) });
        return r;
      }, { onWait: (message) => emit({ type: 'phase', message }) });
    });

  /** Suspend or resume, as `labforge suspend|resume`: under the class lock, one progress line per student. */
  const suspendOrResumeCall = (mode: 'suspend' | 'resume'): Handler<'class.suspend'> & Handler<'class.resume'> =>
    async ({ context, className, students: ids }: z.output<typeof suspendRequest>, { emit, signal: cancelled }: { emit: (e: z.output<typeof opEvent>) => void; signal: AbortSignal }) =>
      engine(async () => {
        const cluster = await clusters.get(context);
        return withClassLock(cluster, className, mode, async (lost) => {
          const signal = AbortSignal.any([cancelled, lost]);
          emit({ type: 'phase', message: `${mode === 'suspend' ? 'suspending' : 'resuming'} ${ids.length === 1 ? ids[0] : `${ids.length} students`}` });
          const results = await suspendOrResume({ home: cluster, connectZone: zoneConnector }, className, mode, {
            students: ids,
            signal,
            onProgress: ({ done, total, result }) => emit({ type: 'phase', message: `[${done}/${total}] ${result.student} ${result.status}${result.error ? `: ${result.error}` : ''}` }),
          });
          return { results };
        }, { onWait: (message) => emit({ type: 'phase', message }) });
      });

  const classTeardown: Handler<'class.teardown'> = async ({ context, className, confirm }, { emit, signal: cancelled }) =>
    engine(async () => {
      if (confirm !== className) throw new ApiFailure('invalid_request', `type the class name "${className}" to confirm the teardown`);
      const cluster = await clusters.get(context);
      return withClassLock(cluster, className, 'teardown', async (lost) => {
        const signal = AbortSignal.any([cancelled, lost]);
        const r = await teardownClass({ home: cluster, connectZone: zoneConnector }, className, undefined, { signal, onPhase: (message) => emit({ type: 'phase', message }) });
        if (r.unreachable.length) throw new ApiFailure('unreachable', `${r.unreachable.map((u) => `zone ${u.zone}: ${u.error}`).join('; ')}; the other zones were cleared, tear down again once it is back`);
        return { deleted: r.deleted, stuck: r.stuck };
      }, { onWait: (message) => emit({ type: 'phase', message }) });
    });

  const classCredentials: Handler<'class.credentials'> = async ({ context, className, student, hours }) =>
    engine(async () => {
      const cluster = await clusters.get(context);
      const { zone: _zone, ...r } = await credentialsOf({ home: cluster, connectZone: zoneConnector }, className, student, hours * 3600);
      return r;
    });

  return {
    'dev.deploy': deployHandler,
    'dev.watch': devWatch,
    'dev.delete': devDelete,
    'release.list': releaseList,
    'release.snapshot': releaseSnapshot,
    'release.diff': releaseDiff,
    'class.list': classList,
    'class.plan': classPlan,
    'class.publish': classPublish,
    'class.watch': classWatch,
    'class.reset': classReset,
    'class.suspend': suspendOrResumeCall('suspend'),
    'class.resume': suspendOrResumeCall('resume'),
    'class.teardown': classTeardown,
    'class.credentials': classCredentials,
  } satisfies Partial<Handlers>;
}

