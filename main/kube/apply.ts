/**
 * Writing objects: server-side apply with one field manager (or a create, in a namespace being
 * created), in phases, with retries and a shared bound on requests in flight; and the
 * all-or-nothing preflight (OpenAPI schemas, APIs served, server-side dry-run of every object)
 * that runs before the first write.
 */
import { ANNOTATION } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import type { Cluster } from './cluster';
import { requireApis } from './discovery';
import { KubeError } from './errors';
import { NAMESPACE, RESOURCE_QUOTA } from './kinds';
import { Semaphore, sleep, withRetry, type RetryOptions } from './retry';

export interface ApplyOptions {
  dryRun?: boolean;
  /** Shared across calls to bound requests in flight for a whole publish. */
  semaphore?: Semaphore;
  retry?: RetryOptions;
  /** After each object is applied (progress). */
  onApplied?: (obj: KubeObject) => void;
  /** Checked before each object: objects not yet sent are not sent. */
  signal?: AbortSignal;
  /**
   * The objects are new: their namespace is being created by this same call. Each is created
   * by POST, which costs the API server less than an apply (no read before the write), and
   * applied only if it exists after all (a create whose answer was lost and is retried). A
   * later apply must first adopt what the create wrote (adoptCreated in ./adopt-created).
   */
  create?: boolean;
  /**
   * The namespace's ResourceQuotas, when `objects` leaves them out (publish skips what is
   * already up to date): a refusal by one of them is still recounted and retried.
   */
  quotas?: KubeObject[];
}

const objectRef = (o: Pick<KubeObject, 'kind' | 'metadata'>) => `${o.kind}/${o.metadata.name}`;

/** One object, server-side applied (create or update), retried when worth it, named in errors. */
export async function applyObject(cluster: Cluster, obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
  const retry = opts.signal ? { ...opts.retry, signal: opts.signal } : opts.retry;
  const write = opts.create && !opts.dryRun ? () => createOrApply(cluster, obj) : () => cluster.apply(obj, { dryRun: opts.dryRun });
  const call = () => withRetry(write, retry);
  try {
    return await (opts.semaphore ? opts.semaphore.run(call) : call());
  } catch (err) {
    const what = `${opts.dryRun ? 'dry-run of ' : ''}${objectRef(obj)}`;
    throw err instanceof KubeError ? err.in(what) : err;
  }
}

async function createOrApply(cluster: Cluster, obj: KubeObject): Promise<KubeObject> {
  try {
    return await cluster.create(obj);
  } catch (err) {
    // Already there (a create retried after its answer was lost, or a namespace of the same
    // name): apply, which takes our fields over as it would have anyway. Quota admission runs
    // before the server looks for an existing object, so a create retried after a first one
    // that was stored (its answer lost to an API server or etcd restart) is refused as over
    // quota, charged for the object that is already there, rather than as a conflict. An apply
    // of an existing object is an update and charges nothing; of a missing one it is a create,
    // refused the same way, and applyAll's recount takes over.
    if ((err instanceof KubeError && err.kind === 'conflict') || quotaRefusing(err) !== undefined) return cluster.apply(obj);
    throw err;
  }
}

/**
 * Objects in the order they must exist: the Namespace; then what governs the namespace
 * (quota, limits, network policies, RBAC), so no pod ever runs unconfined; then the rest.
 */
export function applyPhases(objects: KubeObject[]): KubeObject[][] {
  const governing = new Set(['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Role', 'RoleBinding']);
  const phases: KubeObject[][] = [[], [], []];
  for (const o of objects) phases[o.kind === 'Namespace' ? 0 : governing.has(o.kind) ? 1 : 2]!.push(o);
  return phases.filter((p) => p.length > 0);
}

/** Applies phase by phase; objects within a phase go concurrently (bounded by the semaphore). */
export async function applyAll(cluster: Cluster, objects: KubeObject[], opts: ApplyOptions = {}): Promise<KubeObject[]> {
  const semaphore = opts.semaphore ?? new Semaphore(8);
  const reported = new Set<KubeObject>();
  const applyPhase = (phase: KubeObject[]) =>
    Promise.all(
      phase.map(async (o) => {
        opts.signal?.throwIfAborted();
        const r = await applyObject(cluster, o, { ...opts, semaphore });
        if (!reported.has(o)) opts.onApplied?.(o);
        reported.add(o);
        return r;
      }),
    );
  const out: KubeObject[] = [];
  let recounts = 0;
  for (const phase of applyPhases(objects)) {
    opts.signal?.throwIfAborted();
    let applied: KubeObject[] | undefined;
    while (!applied) {
      try {
        applied = await applyPhase(phase);
      } catch (err) {
        const quota = opts.dryRun || recounts >= MAX_RECOUNTS ? undefined : refusingQuota(err, opts.quotas ? [...objects, ...opts.quotas] : objects);
        if (!quota) throw err;
        // Quota admission decides from its own copy of the quota, which can lag the
        // controller's recount (a guess for a loaded or just-restarted server, not yet seen in
        // a run): a refusal right after a recount waits a little before counting again.
        if (recounts > 0) await sleep(RECOUNT_WAIT_MS * recounts, opts.signal);
        recounts++;
        await recountQuota(cluster, quota);
        // Applying is idempotent: after the recount, the whole phase goes again.
      }
    }
    if (!opts.dryRun) await Promise.all(applied.filter((o) => o.kind === 'ResourceQuota').map((q) => quotaInEffect(cluster, q)));
    out.push(...applied);
  }
  return out;
}

/** Recounts per applyAll before a quota's refusal is taken as final (a real shortage). */
const MAX_RECOUNTS = 3;
const RECOUNT_WAIT_MS = 1000;

/** The name of the quota that refused a create ("… forbidden: exceeded quota: <name>, …"), if one did. */
function quotaRefusing(err: unknown): string | undefined {
  if (!(err instanceof KubeError) || err.kind !== 'forbidden') return undefined;
  return /exceeded quota: ([a-z0-9.-]+)/.exec(err.message)?.[1];
}

/** The quota among `objects` that refused a create, if one did. */
function refusingQuota(err: unknown, objects: KubeObject[]): KubeObject | undefined {
  const name = quotaRefusing(err);
  return name === undefined ? undefined : objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.name === name);
}

/**
 * A limit no object is subject to: adding it and taking it away again changes `spec.hard` twice
 * without ever loosening the quota.
 */
const RECOUNT_MARKER = 'count/recounts.labforge.dev';

/**
 * Makes the quota controller count the namespace again, now. Quota admission charges a create
 * before the object is stored; when the client dies in between (a publish killed mid-class),
 * the server cancels the create but the charge stays until the controller's periodic full
 * recount, five minutes by default. A quota sized exactly to the lab (one Service per node)
 * then refuses the resumed publish. The controller also recounts a quota whenever its
 * `spec.hard` changes, which is what this does.
 */
async function recountQuota(cluster: Cluster, quota: KubeObject): Promise<void> {
  const spec = (quota['spec'] ?? {}) as { hard?: Record<string, string> };
  const marked: KubeObject = { ...quota, spec: { ...spec, hard: { ...spec.hard, [RECOUNT_MARKER]: '0' } } };
  await quotaInEffect(cluster, await applyObject(cluster, marked));
  await quotaInEffect(cluster, await applyObject(cluster, quota));
}

interface Quota {
  metadata?: { name?: string; namespace?: string };
  spec?: { hard?: Record<string, string | number> };
  status?: { hard?: Record<string, string | number> };
}

/**
 * Quota admission enforces `status.hard`, which the quota controller copies from `spec.hard`
 * a moment after a change. When an upgrade raises a quota, wait for that copy before creating
 * what the higher quota allows, or the new objects are refused by the old numbers.
 */
async function quotaInEffect(cluster: Cluster, applied: Quota, timeoutMs = 30_000): Promise<void> {
  const same = (q: Quota) => JSON.stringify(Object.entries(q.spec?.hard ?? {}).sort()) === JSON.stringify(Object.entries(q.status?.hard ?? {}).sort());
  let q = applied;
  // A brand-new quota has no status yet; admission does not hold it against anyone then.
  if (!q.status?.hard || same(q)) return;
  const deadline = Date.now() + timeoutMs;
  while (!same(q)) {
    if (Date.now() > deadline) throw new KubeError('server', `quota ${q.metadata?.namespace}/${q.metadata?.name} was not updated by the quota controller within ${timeoutMs / 1000}s; is kube-controller-manager running?`);
    await new Promise((r) => setTimeout(r, 100));
    const name = `${q.metadata?.namespace}/${q.metadata?.name}`;
    const next = await withRetry(() => cluster.read(RESOURCE_QUOTA, q.metadata?.name ?? '', q.metadata?.namespace));
    if (!next) throw new KubeError('not-found', `quota ${name} disappeared while waiting for it to take effect`);
    q = next;
  }
}

export interface PreflightProblem {
  object: string;
  /** Where the object came from in the lab, e.g. `node "db"`. */
  source: string;
  /** The same place as a path into the lab, with the field when the refusal names one: ['nodes', 2, 'image']. */
  path: (string | number)[];
  message: string;
}

/**
 * Kubernetes field paths in a refusal, mapped to the lab field they come from. Order matters:
 * the first match wins, so specific paths come before general words.
 */
const FIELD_OF: [RegExp, { nodes?: string; volumes?: string }][] = [
  [/containers\[\d+\]\.image|\bimage\b/i, { nodes: 'image' }],
  // A VM's (KubeVirt's refusals name the VirtualMachine's fields): its hostname is the node's
  // name, its scratch disk and cores come from the node's resources.
  [/\.hostname\b/, { nodes: 'name' }],
  [/emptyDisk|cpu\.cores/, { nodes: 'resources' }],
  [/volumeMounts|mountPath/i, { nodes: 'volumes' }],
  [/containers\[\d+\]\.ports|\.ports\[|\bports?\b|targetPort/i, { nodes: 'ports' }],
  [/\benv\[|\benv\b/i, { nodes: 'env' }],
  [/\b(command|args)\b/i, { nodes: 'command' }],
  [/storage|resources\.requests\.storage/i, { volumes: 'size' }],
  [/requests|limits|\bcpu\b|\bmemory\b|exceeded quota/i, { nodes: 'resources' }],
];

/** The lab path of an object's refusal: its source element, and the field when the message names one. */
function problemPath(obj: KubeObject, message: string): (string | number)[] {
  const src = obj.metadata.annotations?.[ANNOTATION.source];
  const m = src ? /^(nodes|volumes|exposures)\[(\d+)\]$/.exec(src) : null;
  if (!m) return [];
  const collection = m[1] as 'nodes' | 'volumes' | 'exposures';
  const base: (string | number)[] = [collection, Number(m[2])];
  if (collection === 'exposures') return base;
  for (const [re, fields] of FIELD_OF) {
    const field = fields[collection];
    if (field && re.test(message)) return [...base, field];
  }
  return base;
}

export class PreflightError extends KubeError {
  constructor(readonly problems: PreflightProblem[]) {
    super('invalid', `preflight failed, nothing was written:\n${problems.map((p) => `  ${p.source}: ${p.object}: ${p.message}`).join('\n')}`);
  }
}

/** Names the lab element an object was compiled from, using the source annotation. */
export type SourceNamer = (obj: KubeObject) => string;

export function sourceNamer(lab: { nodes: { name: string }[]; volumes: { name: string }[]; exposures: { node: string; port: number }[] }): SourceNamer {
  return (obj) => {
    const src = obj.metadata.annotations?.[ANNOTATION.source];
    const m = src ? /^(nodes|volumes|exposures)\[(\d+)\]$/.exec(src) : null;
    if (!m) return 'lab';
    const i = Number(m[2]);
    if (m[1] === 'nodes') return `node "${lab.nodes[i]?.name}"`;
    if (m[1] === 'volumes') return `volume "${lab.volumes[i]?.name}"`;
    const e = lab.exposures[i];
    return `exposure ${e?.node}:${e?.port}`;
  };
}

/**
 * Everything that can be checked without writing: OpenAPI schemas, APIs served, then a
 * server-side dry-run of every object. A namespace that does not exist yet cannot hold
 * dry-run objects, so those are dry-run in `default`, which every cluster has; admission
 * that depends on the namespace itself (its quota) is the only thing this cannot foresee.
 */
export async function preflight(cluster: Cluster, objects: KubeObject[], nameSource: SourceNamer, opts: ApplyOptions = {}): Promise<void> {
  // The OpenAPI models are hundreds of modules: loaded by the commands that write, not by every
  // command that merely imports the engine (status, releases), which must start fast.
  const { validateObject } = await import('../../common/compile/openapi');
  const problems: PreflightProblem[] = [];
  for (const o of objects) {
    for (const message of validateObject(o)) problems.push({ object: objectRef(o), source: nameSource(o), path: problemPath(o, message), message });
  }
  if (problems.length > 0) throw new PreflightError(problems);

  await requireApis(cluster, objects);

  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const existing = new Set<string>();
  for (const ns of namespaces) if (await cluster.read(NAMESPACE, ns)) existing.add(ns);

  // In an existing namespace each dry-run is admitted against the quota that is there now. When
  // the objects bring their own new quota, it is applied first (applyPhases), so a refusal by
  // the old quota says nothing about the real apply; the compiler sizes the new one to fit.
  const newQuota = new Map(objects.filter((o) => o.kind === 'ResourceQuota').map((o) => [o.metadata.namespace, o.metadata.name]));
  const oldQuotaOnly = (o: KubeObject, e: KubeError) => newQuota.has(o.metadata.namespace) && quotaRefusing(e) === newQuota.get(o.metadata.namespace);

  const semaphore = opts.semaphore ?? new Semaphore(8);
  await Promise.all(
    objects.map(async (o) => {
      const ns = o.metadata.namespace;
      const probe: KubeObject = ns && !existing.has(ns) ? { ...o, metadata: { ...o.metadata, namespace: 'default' } } : o;
      try {
        await applyObject(cluster, probe, { ...opts, semaphore, dryRun: true });
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        const e = err;
        if (e.kind === 'unreachable' || e.kind === 'unauthorized') throw e;
        if (oldQuotaOnly(o, e)) return;
        const message = e.message.replace(/^dry-run of [^:]+: /, '');
        problems.push({ object: objectRef(o), source: nameSource(o), path: problemPath(o, message), message });
      }
    }),
  );
  if (problems.length > 0) throw new PreflightError(problems);
}
