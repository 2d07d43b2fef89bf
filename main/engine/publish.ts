/**
 * `labforge publish`: one release to one namespace per student.
 *
 * - Deterministic namespace names and server-side apply make it resumable: re-running the
 *   same command after an interruption converges, with no duplicates.
 * - A newer release updates namespaces in place; volumes (PVCs) are never deleted or
 *   recreated, and objects the new release dropped are pruned — except PVCs, which are kept.
 * - Requests in flight are bounded by one semaphore across all students; 429/5xx/conflicts
 *   are retried with backoff.
 * - Before any write: the objects of one student are checked (schemas, APIs, dry-run), and
 *   the class must fit the cluster's free capacity.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import type { Student } from '../class/roster';
import { ANNOTATION, compileLab, LABEL, MANAGED_BY, studentKey, studentNamespace, type KubeObject } from '../../common/compile';
import { applyAll, preflight, sourceNamer } from '../kube/apply';
import type { KubeClient } from '../kube/client';
import { KubeError } from '../kube/errors';
import { mapLimit, Semaphore } from '../kube/retry';
import { classCapacity, formatCapacity, type CapacityReport } from './capacity';
import { pruneOwned } from './owned';
import type { Release } from './releases';

/** From `npm run bench:publish` (docs/benchmarks.md): throughput plateaus from 8 in flight; 16 sits mid-plateau. */
export const DEFAULT_CONCURRENCY = 16;

export interface PublishOptions {
  className: string;
  students: Student[];
  release: Release;
  concurrency?: number;
  prune?: boolean;
  force?: boolean;
  domain?: string;
  onProgress?: (event: { done: number; total: number; result: StudentResult }) => void;
  /** Called once the preflights passed, before the first write (for progress display). */
  onStart?: (info: { total: number; capacity: CapacityReport }) => void;
}

export interface StudentResult {
  student: string;
  namespace: string;
  status: 'created' | 'updated' | 'failed';
  objects: number;
  retries: number;
  error?: string;
}

export interface PublishResult {
  results: StudentResult[];
  /** Students with a namespace in this class who are not in the roster any more. */
  left: { student: string; namespace: string; removed: boolean }[];
  capacity: CapacityReport;
}

export class CapacityError extends KubeError {
  constructor(readonly report: CapacityReport) {
    super('invalid', `the class does not fit the cluster's free capacity (nothing was written; pass --force to publish anyway):\n${formatCapacity(report)}`);
  }
}

export function studentTarget(className: string, student: Student, release: Release, domain?: string) {
  return {
    namespace: studentNamespace(className, student.id),
    class: className,
    student: student.id,
    release: release.tag,
    ...(domain ? { domain } : {}),
  };
}

export async function classNamespaces(client: KubeClient, className: string, student?: string): Promise<V1Namespace[]> {
  const selector = `${LABEL.managedBy}=${MANAGED_BY},${LABEL.class}=${className}${student !== undefined ? `,${LABEL.student}=${studentKey(student)}` : ''}`;
  try {
    return (await client.core.listNamespace({ labelSelector: selector })).items;
  } catch (err) {
    throw client.error(err, 'listing the class');
  }
}

export async function publish(client: KubeClient, opts: PublishOptions): Promise<PublishResult> {
  const { release, className } = opts;
  const lab = release.lab;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  if (opts.students.length === 0) throw new KubeError('invalid', 'the roster has no students');

  const existing = await classNamespaces(client, className);
  const existingNames = new Set(existing.map((n) => n.metadata!.name!));
  const targets = opts.students.map((s) => ({ student: s, target: studentTarget(className, s, release, opts.domain) }));
  const wanted = new Set(targets.map((t) => t.target.namespace));

  // Preflight: one student's objects stand for all (they differ only in names and labels).
  const sample = compileLab(lab, targets[0]!.target);
  await preflight(client, sample, sourceNamer(lab), { semaphore: new Semaphore(concurrency) });

  const fresh = targets.filter((t) => !existingNames.has(t.target.namespace)).length;
  const capacity = await classCapacity(client, lab, fresh);
  if (!capacity.fits && !opts.force) throw new CapacityError(capacity);

  opts.onStart?.({ total: targets.length, capacity });
  const semaphore = new Semaphore(concurrency);
  let done = 0;
  const results = await mapLimit(targets, concurrency, async ({ student, target }) => {
    let retries = 0;
    const objects: KubeObject[] = compileLab(lab, target);
    const result: StudentResult = {
      student: student.id,
      namespace: target.namespace,
      status: existingNames.has(target.namespace) ? 'updated' : 'created',
      objects: objects.length,
      retries: 0,
    };
    try {
      await applyAll(client, objects, { semaphore, retry: { onRetry: () => retries++ } });
      // An upgrade may drop objects; fresh namespaces have nothing to prune.
      if (existingNames.has(target.namespace)) await pruneOwned(client, target.namespace, lab.metadata.name, objects, false);
    } catch (err) {
      result.status = 'failed';
      result.error = err instanceof Error ? err.message : String(err);
    }
    result.retries = retries;
    opts.onProgress?.({ done: ++done, total: targets.length, result });
    return result;
  });

  const left: PublishResult['left'] = [];
  for (const ns of existing) {
    const name = ns.metadata!.name!;
    if (wanted.has(name)) continue;
    const student = ns.metadata?.annotations?.[ANNOTATION.studentId] ?? ns.metadata?.labels?.[LABEL.student] ?? name;
    let removed = false;
    if (opts.prune) {
      await deleteNamespace(client, name);
      removed = true;
    }
    left.push({ student, namespace: name, removed });
  }
  return { results, left, capacity };
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.core.deleteNamespace({ name });
  } catch (err) {
    const e = client.error(err, `deleting namespace ${name}`);
    if (e.kind !== 'not-found') throw e;
  }
}

/** Waits until the namespaces are gone (their finalizers ran), up to `timeoutMs`. */
export async function waitNamespacesGone(client: KubeClient, names: string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let remaining = [...names];
  while (remaining.length > 0 && Date.now() < deadline) {
    const still: string[] = [];
    for (const name of remaining) {
      try {
        await client.core.readNamespace({ name });
        still.push(name);
      } catch (err) {
        const e = client.error(err);
        if (e.kind !== 'not-found') throw e;
      }
    }
    remaining = still;
    if (remaining.length > 0) await new Promise((r) => setTimeout(r, 500));
  }
  return remaining;
}
