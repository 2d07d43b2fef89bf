/**
 * A student's check results as the cluster keeps them: one ConfigMap per student, in the
 * student's own namespace (students may read ConfigMaps there but not write them, see
 * common/compile/rbac.ts, so they cannot forge a pass), with the latest result of each check,
 * when it first passed, how many runs it had, and the tail of its output; and the achievements
 * earned. It carries no lab label, so publishing a new release never prunes it; deleting the
 * student's namespace (teardown, reset) removes it with the rest of their work.
 *
 * This file is the pure part (merging runs into the record, encoding); checks-store.ts reads
 * and writes it.
 */
import { LABEL, MANAGED_BY, type KubeObject } from '../../common/compile';
import type { LabAchievement } from '../../common/lab';
import { z } from 'zod';

export const RESULTS_CONFIGMAP = 'labforge-checks';
export const RESULTS_COMPONENT = 'checks';
const RESULTS_KEY = 'results.json';
const RESULTS_VERSION = 1;
/** Output kept per check in the record: the end of what the script printed. */
export const STORED_OUTPUT = 2048;

export type CheckStatus = 'pass' | 'fail' | 'timeout' | 'error';

/** One run of one check. */
export interface CheckRun {
  check: string;
  status: CheckStatus;
  /** The script's exit status; null when the wrapper never reported one (error, client timeout). */
  exitCode: number | null;
  /** ISO 8601, when the run started. */
  at: string;
  durationMs: number;
  /** The first line of output starting with FAIL:. */
  failLine?: string;
  /** The end of the output. */
  output: string;
  /** Why the check could not run or did not finish (no pod, timeout, dropped connection). */
  message?: string;
}

const checkStatus = z.enum(['pass', 'fail', 'timeout', 'error']);

/** One check's latest result, as stored (and decoded) in the record. */
const checkRecord = z.object({
  status: checkStatus,
  exitCode: z.number().int().nullable(),
  lastRunAt: z.string(),
  /** When the status last changed (the first run counts as a change). */
  changedAt: z.string(),
  /** When the check passed for the first time; kept once set. */
  firstPassAt: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  failLine: z.string().optional(),
  output: z.string(),
  message: z.string().optional(),
});
export type CheckRecord = z.infer<typeof checkRecord>;

/** The stored record of the current version; fields a record lacks start empty. */
const resultsV1 = z.object({
  version: z.literal(RESULTS_VERSION),
  checks: z.record(z.string(), checkRecord).default({}),
  /** Achievement name → when it was earned (the moment the last of its checks first passed). */
  achievements: z.record(z.string(), z.string()).default({}),
  updatedAt: z.string().default(''),
});

export interface StudentResults {
  checks: Record<string, CheckRecord>;
  /** Achievement name → when it was earned (the moment the last of its checks first passed). */
  achievements: Record<string, string>;
  updatedAt: string;
}

const emptyResults = (): StudentResults => ({ checks: {}, achievements: {}, updatedAt: '' });

const clip = (s: string) => (s.length > STORED_OUTPUT ? s.slice(s.length - STORED_OUTPUT) : s);

/**
 * Folds runs into a student's record. Commutes with another machine's runs as far as it can:
 * attempts add up, the first pass is the earliest one either saw, the latest run wins the rest.
 */
export function mergeRuns(previous: StudentResults | null, runs: readonly CheckRun[], achievements: readonly LabAchievement[], now: string): StudentResults {
  const out: StudentResults = previous ? structuredClone(previous) : emptyResults();
  for (const run of runs) {
    const before = out.checks[run.check];
    const newer = !before || run.at >= before.lastRunAt;
    const firstPass = run.status === 'pass' ? run.at : undefined;
    const earliest = [before?.firstPassAt, firstPass].filter((t): t is string => !!t).sort()[0];
    if (!newer) {
      out.checks[run.check] = { ...before!, attempts: before!.attempts + 1, ...(earliest ? { firstPassAt: earliest } : {}) };
      continue;
    }
    out.checks[run.check] = {
      status: run.status,
      exitCode: run.exitCode,
      lastRunAt: run.at,
      changedAt: before && before.status === run.status ? before.changedAt : run.at,
      ...(earliest ? { firstPassAt: earliest } : {}),
      attempts: (before?.attempts ?? 0) + 1,
      durationMs: run.durationMs,
      ...(run.failLine !== undefined ? { failLine: run.failLine } : {}),
      output: clip(run.output),
      ...(run.message !== undefined ? { message: run.message } : {}),
    };
  }
  for (const a of achievements) {
    if (out.achievements[a.name]) continue;
    const passes = a.checks.map((id) => out.checks[id]?.firstPassAt);
    if (passes.every((t): t is string => !!t)) out.achievements[a.name] = passes.sort().at(-1)!;
  }
  out.updatedAt = now;
  return out;
}

/** The student's ConfigMap; `resourceVersion` makes the write conditional on what was read. */
export function encodeResults(namespace: string, labels: { class?: string; student?: string }, results: StudentResults, resourceVersion?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: RESULTS_CONFIGMAP,
      namespace,
      labels: {
        [LABEL.managedBy]: MANAGED_BY,
        [LABEL.component]: RESULTS_COMPONENT,
        ...(labels.class ? { [LABEL.class]: labels.class } : {}),
        ...(labels.student ? { [LABEL.student]: labels.student } : {}),
      },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [RESULTS_KEY]: JSON.stringify({ version: RESULTS_VERSION, ...results }) },
  };
}

/** Reads a stored record; a missing or unreadable one is an empty record (and says why). */
export function decodeResults(cm: { data?: Record<string, string> } | undefined): { results: StudentResults; problem?: string } {
  const text = cm?.data?.[RESULTS_KEY];
  if (!text) return { results: emptyResults() };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { results: emptyResults(), problem: 'the stored check results are not valid JSON' };
  }
  const version = typeof v === 'object' && v !== null ? (v as { version?: unknown }).version : undefined;
  if (version !== RESULTS_VERSION) return { results: emptyResults(), problem: `check results of version ${String(version)} are not readable by this version of Labforge` };
  const parsed = resultsV1.safeParse(v);
  if (!parsed.success) return { results: emptyResults(), problem: `the stored check results are malformed: ${z.prettifyError(parsed.error).split('\n').join('; ')}` };
  const { checks, achievements, updatedAt } = parsed.data;
  return { results: { checks, achievements, updatedAt } };
}

/** When anything in the record last changed status, or null for no runs yet. */
export function lastChange(results: StudentResults): string | null {
  const times = [...Object.values(results.checks).map((c) => c.changedAt), ...Object.values(results.achievements)];
  return times.length ? times.sort().at(-1)! : null;
}
