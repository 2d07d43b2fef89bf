/**
 * The checks' channels: a class's recorded results (what every instructor machine sees),
 * "Run checks now" for a class or a student, and "try on dev" from the editor's inspector.
 * Thin calls into main/engine/checks.ts, the same the CLI's `labforge check` makes; the exec
 * runs with the kubeconfig context the request names, as terminals do.
 */
import { devNamespace } from '../../../common/compile';
import { formatIssue, validateLab } from '../../../common/lab/parse';
import { classCheckResults, progressOf, runClassChecks, tryCheck, type CheckExec, type StudentChecks } from '../../engine/checks';
import { defaultKubeConfig, type KubeConfigSource } from '../../streams/connector';
import { streamingExec } from '../../streams/exec-stream';
import type { WireStudentChecks } from '../checks-schemas';
import type { ClusterProvider } from '../clusters';
import type { ApiDeps } from '../deps';
import { ApiFailure, type Handler } from '../dispatch';
import { engine } from './engine-call';

export interface ChecksDeps {
  clusters: ClusterProvider;
  settings: ApiDeps['settings'];
  /** Where the exec's kubeconfig comes from; KUBECONFIG or ~/.kube/config by default. */
  kubeConfig?: KubeConfigSource;
}

export function wireStudentChecks(s: StudentChecks): WireStudentChecks {
  return {
    student: s.student,
    namespace: s.namespace,
    release: s.release,
    checks: s.checks.map((c) => ({ id: c.id, title: c.title, node: c.node, points: c.points ?? 1, ...(c.hint !== undefined ? { hint: c.hint } : {}) })),
    achievements: s.achievements.map((a) => ({ name: a.name, ...(a.title !== undefined ? { title: a.title } : {}), checks: a.checks })),
    results: s.results,
    progress: progressOf(s),
    ...(s.recordError ? { recordError: s.recordError } : {}),
  };
}

export function checksHandlers(deps: ChecksDeps) {
  const execFor = async (context: string | undefined): Promise<CheckExec> => {
    try {
      return streamingExec(await (deps.kubeConfig ?? defaultKubeConfig)(context));
    } catch (err) {
      throw new ApiFailure('invalid_request', `cannot use the kubeconfig${context ? ` context "${context}"` : ''}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // The context terminals use too: the request's, else the one picked in settings, else the kubeconfig's.
  const ctx = async (requested: string | null) => requested ?? (await deps.settings.get()).kubeContext ?? undefined;

  const results: Handler<'checks.results'> = async ({ context, className }) =>
    engine(async () => {
      const cluster = await deps.clusters.get(context);
      return { students: (await classCheckResults(cluster, className)).map(wireStudentChecks) };
    });

  const run: Handler<'checks.run'> = async ({ context, className, student, check }) =>
    engine(async () => {
      const cluster = await deps.clusters.get(context);
      const exec = await execFor(await ctx(context));
      const ran = await runClassChecks(cluster, { className, exec, ...(student !== undefined ? { student } : {}), ...(check !== undefined ? { check } : {}) });
      // One student's run answers with the whole class, so the heatmap stays whole.
      const all = student === undefined ? ran : await classCheckResults(cluster, className);
      return { students: all.map(wireStudentChecks) };
    });

  const tryOnDev: Handler<'checks.try'> = async ({ context, lab: draft, check: id, namespace }) =>
    engine(async () => {
      const checked = validateLab(draft);
      if (!checked.ok) throw new ApiFailure('invalid_lab', `the lab is invalid: ${checked.issues.map((i) => formatIssue(i, draft.metadata.name)).join('; ')}`);
      const check = checked.lab.checks?.find((c) => c.id === id);
      if (!check) throw new ApiFailure('not_found', `the lab has no check "${id}"`);
      const cluster = await deps.clusters.get(context);
      const exec = await execFor(await ctx(context));
      return tryCheck(cluster, exec, namespace ?? devNamespace(checked.lab.metadata.name), check);
    });

  return { 'checks.results': results, 'checks.run': run, 'checks.try': tryOnDev };
}
