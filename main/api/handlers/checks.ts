/**
 * The checks' channels: a class's recorded results (what every instructor machine sees),
 * "Run checks now" for a class or a student, and "try on dev" from the editor's inspector.
 * Thin calls into main/engine/checks.ts, the same the CLI's `labforge check` makes; the exec
 * runs with the kubeconfig context the request names, as terminals do.
 */
import { devNamespace } from '../../../common/compile';
import { formatIssue, validateLab } from '../../../common/lab/parse';
import { classCheckResults, progressOf, runClassChecks, tryCheck, type CheckExec, type StudentChecks } from '../../engine/checks';
import { overClass } from '../../engine/zones';
import type { Cluster } from '../../kube/cluster';
import { loadKubeConfig, type KubeConfigSource, type KubeWhere } from '../../streams/connector';
import { streamingExec } from '../../streams/exec-stream';
import type { WireStudentChecks } from '../../../common/api/checks-schemas';
import { sharedZoneConnector, type ClusterProvider } from '../clusters';
import type { ApiDeps } from '../deps';
import { ApiFailure, type Handler } from '../dispatch';
import { engine } from './engine-call';

export interface ChecksDeps {
  clusters: ClusterProvider;
  settings: ApiDeps['settings'];
  /** Where the exec's kubeconfig comes from; KUBECONFIG or ~/.kube/config by default. */
  kubeConfig?: KubeConfigSource;
}

function wireStudentChecks(s: StudentChecks): WireStudentChecks {
  return {
    student: s.student,
    namespace: s.namespace,
    release: s.release,
    checks: s.checks.map((c) => ({ id: c.id, title: c.title, node: c.node, points: c.points ?? 1, ...(c.hint !== undefined ? { hint: c.hint } : {}) })),
    achievements: s.achievements.map((a) => ({ name: a.name, ...(a.title !== undefined ? { title: a.title } : {}), checks: a.checks })),
    results: s.results,
    progress: progressOf(s),
    ...(s.recordError ? { recordError: s.recordError } : {}),
    ...(s.suspended ? { suspended: true as const } : {}),
  };
}

/** A class's students in one order however many zones hold them. */
const byStudent = (all: StudentChecks[]) => all.sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));

export function checksHandlers(deps: ChecksDeps) {
  const execFor = async (where: KubeWhere): Promise<CheckExec> => {
    try {
      return streamingExec(await loadKubeConfig(deps.kubeConfig, where));
    } catch (err) {
      throw new ApiFailure('invalid_request', err instanceof Error ? err.message : String(err));
    }
  };
  // The context terminals use too: the request's, else the one picked in settings, else the kubeconfig's.
  const ctx = async (requested: string | null) => requested ?? (await deps.settings.get()).kubeContext ?? undefined;
  const zones = sharedZoneConnector(deps.clusters);
  /** The class's recorded results over all its clusters (its zones, or the chosen one). */
  const recorded = async (home: Cluster, className: string) => byStudent((await overClass(home, className, zones, (p) => classCheckResults(p.cluster, className, undefined, p.releases))).flat());

  const results: Handler<'checks.results'> = async ({ context, className }) =>
    engine(async () => ({ students: (await recorded(await deps.clusters.get(context), className)).map(wireStudentChecks) }));

  const run: Handler<'checks.run'> = async ({ context, className, student, check }) =>
    engine(async () => {
      const home = await deps.clusters.get(context);
      const chosen = await ctx(context);
      const ran = await overClass(
        home,
        className,
        zones,
        async (p) => {
          // A zone's students are checked with the zone's own kubeconfig, as its panes are.
          const exec = await execFor(p.zone ? { context: p.zone.context, kubeconfig: p.zone.kubeconfig } : { context: chosen });
          return runClassChecks(p.cluster, { className, exec, releases: p.releases, ...(student !== undefined ? { student } : {}), ...(check !== undefined ? { check } : {}) });
        },
        student !== undefined ? { student } : undefined,
      );
      // One student's run answers with the whole class, so the heatmap stays whole.
      const all = student === undefined ? byStudent(ran.flat()) : await recorded(home, className);
      return { students: all.map(wireStudentChecks) };
    });

  const tryOnDev: Handler<'checks.try'> = async ({ context, lab: draft, check: id, namespace }) =>
    engine(async () => {
      const checked = validateLab(draft);
      if (!checked.ok) throw new ApiFailure('invalid_lab', `the lab is invalid: ${checked.issues.map((i) => formatIssue(i, draft.metadata.name)).join('; ')}`);
      const check = checked.lab.checks?.find((c) => c.id === id);
      if (!check) throw new ApiFailure('not_found', `the lab has no check "${id}"`);
      const cluster = await deps.clusters.get(context);
      const exec = await execFor({ context: await ctx(context) });
      return tryCheck(cluster, exec, namespace ?? devNamespace(checked.lab.metadata.name), check);
    });

  return { 'checks.results': results, 'checks.run': run, 'checks.try': tryOnDev };
}
