/**
 * One operation at a time on a class (publish, teardown, reset), whichever machine runs it.
 *
 * Two publishes of one class used to run side by side: `--students 10 --prune` deleted the
 * namespaces `--students 50` had just written, and both exited 0. The lock is a
 * coordination.k8s.io Lease in labforge-system, `labforge-class-<class>`, so it is visible
 * (`kubectl -n labforge-system get lease`), names its holder (`holderIdentity`: the operation,
 * user, host and process) and expires: the holder renews it every LOCK_DURATION_S / 3 seconds
 * while it runs, and a holder that was killed stops renewing, so after LOCK_DURATION_S the next
 * operation takes it over. Writes are conditional on the version read (server-side apply with
 * `resourceVersion`), so of two machines taking a free or expired lock at once exactly one wins.
 *
 * An operation that finds the lock held watches it for one renewal interval (and a little): a
 * holder that renews is alive, and the operation is refused, told who holds the class. A holder
 * that does not renew is gone (a killed CLI, a closed laptop): the operation waits for the lock
 * to expire and takes it over, so re-running a killed publish at once works, after at most
 * LOCK_DURATION_S.
 * A holder that finds its lock taken from it (it could not renew in time) is told through the
 * lock's signal and stops starting work. Expiry compares the Lease's `renewTime` with this
 * machine's clock: clocks more than a few seconds apart shorten or lengthen the wait, nothing
 * else.
 */
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LABEL, MANAGED_BY, type KubeObject } from '../../common/compile';
import { escapeControl } from '../../common/lab/escape';
import { kindOf, type Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { SYSTEM_NAMESPACE } from './release-record';
import { ensureSystemNamespace } from './reconcile-settings';

/**
 * Seconds a lock lasts without renewal: how long a killed operation blocks the next one. Renewed
 * every third of it, so an API server away for up to about two thirds of it costs no lock.
 */
const LOCK_DURATION_S = 15;
/** How long past a renewal interval a holder may be late before it counts as gone. */
const RENEW_GRACE_MS = 2000;
const POLL_MS = 500;

interface LeaseObject extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}
const LEASE = kindOf<LeaseObject>('coordination.k8s.io/v1', 'Lease');

export const classLockName = (className: string) => `labforge-class-${className}`;

/** A Lease's times are MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class ClassBusyError extends KubeError {
  constructor(
    readonly className: string,
    readonly holder: string,
    readonly since: string | undefined,
    readonly expiresInS: number,
  ) {
    super(
      'conflict',
      `class ${className} is busy: ${escapeControl(holder)} holds it${since ? ` since ${escapeControl(since)}` : ''}; try again when that has finished. ` +
        `(Its lock, Lease ${SYSTEM_NAMESPACE}/${classLockName(className)}, expires ${expiresInS} s from now unless its holder renews it; a holder that was stopped no longer does.)`,
    );
  }
}

export interface ClassLock {
  /** Aborted when the lock was lost (not renewed in time and taken over): stop starting work. */
  readonly signal: AbortSignal;
  readonly holder: string;
  /** Stops renewing and frees the lock (only if it is still this holder's). */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Who holds it, in words; default: `labforge <operation>, <user>@<host>, pid <pid>`. */
  holder?: string;
  durationS?: number;
  now?: () => Date;
  /** Told once when the lock is held and its holder is being watched (or waited out). */
  onWait?: (message: string) => void;
}

function defaultHolder(operation: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's random uid): the pid still tells processes apart.
  }
  return `labforge ${operation}, ${user}@${hostname()}, pid ${process.pid}`;
}

/** Whether a lease is held now: a holder, renewed less than its duration ago. */
function heldFor(lease: LeaseObject, now: Date): number {
  const s = lease.spec ?? {};
  if (!s.holderIdentity || !s.renewTime) return 0;
  const until = Date.parse(s.renewTime) + (s.leaseDurationSeconds ?? LOCK_DURATION_S) * 1000;
  return Number.isNaN(until) ? 0 : Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}

/**
 * Takes the class's lock or throws ClassBusyError naming who holds it. The holder identity gets
 * a random suffix, so two operations of one process are two holders.
 */
export async function acquireClassLock(cluster: Cluster, className: string, operation: string, opts: LockOptions = {}): Promise<ClassLock> {
  const now = opts.now ?? (() => new Date());
  const durationS = opts.durationS ?? LOCK_DURATION_S;
  const holder = `${opts.holder ?? defaultHolder(operation)} [${randomBytes(3).toString('hex')}]`;
  const name = classLockName(className);
  const lease = (spec: LeaseObject['spec'], resourceVersion?: string): LeaseObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: SYSTEM_NAMESPACE,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: 'class-lock', [LABEL.class]: className },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec,
  });

  let current: LeaseObject | undefined;
  // While held: the renewTime first seen, and when; a change means the holder is alive.
  let watched: { renewTime: string | undefined; since: number } | undefined;
  for (let conflicts = 0; ; ) {
    current = await cluster.read(LEASE, name, SYSTEM_NAMESPACE);
    const t = now();
    if (current && heldFor(current, t) > 0) {
      const s = current.spec!;
      const busy = () => new ClassBusyError(className, s.holderIdentity!, s.acquireTime, heldFor(current!, t));
      if (!watched) {
        watched = { renewTime: s.renewTime, since: Date.now() };
        opts.onWait?.(`class ${className} is held by ${escapeControl(s.holderIdentity!)}; waiting to see whether it is still running`);
      } else if (s.renewTime !== watched.renewTime) {
        throw busy();
      }
      // Past a renewal interval without one, the holder is gone: wait for the lease to expire.
      const renewMs = ((s.leaseDurationSeconds ?? durationS) * 1000) / 3;
      const gone = Date.now() - watched.since > renewMs + RENEW_GRACE_MS;
      if (Date.now() - watched.since > (s.leaseDurationSeconds ?? durationS) * 1000 + renewMs + RENEW_GRACE_MS) throw busy();
      await new Promise((r) => setTimeout(r, gone ? Math.min(POLL_MS * 2, heldFor(current!, t) * 1000) : POLL_MS));
      continue;
    }
    const spec = { holderIdentity: holder, leaseDurationSeconds: durationS, acquireTime: microTime(t), renewTime: microTime(t), leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (current ? 1 : 0) };
    try {
      if (!current) {
        await ensureSystemNamespace(cluster);
        current = (await cluster.create(lease(spec))) as LeaseObject;
      } else {
        // Free or expired: taken only if nobody wrote it since it was read.
        current = (await cluster.apply(lease(spec, current.metadata.resourceVersion))) as LeaseObject;
      }
      break;
    } catch (err) {
      // Another machine wrote it first: read again, and be told who (or take it if they let go).
      if (err instanceof KubeError && err.kind === 'conflict' && ++conflicts < 3) continue;
      throw err instanceof KubeError ? err.in(`taking the lock of class ${className}`) : err;
    }
  }

  const lost = new AbortController();
  let version = current.metadata.resourceVersion;
  let stopped = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    try {
      const updated = (await cluster.apply(lease({ ...current!.spec, renewTime: microTime(now()) }, version))) as LeaseObject;
      version = updated.metadata.resourceVersion;
    } catch (err) {
      // A conflict means someone else wrote the lease: after an expiry, another holder.
      if (err instanceof KubeError && err.kind === 'conflict') {
        const seen = await cluster.read(LEASE, name, SYSTEM_NAMESPACE).catch(() => undefined);
        if (seen?.spec?.holderIdentity !== holder) {
          lost.abort(new ClassBusyError(className, seen?.spec?.holderIdentity ?? 'another operation', seen?.spec?.acquireTime, seen ? heldFor(seen, now()) : 0));
          return;
        }
        version = seen.metadata.resourceVersion;
      }
      // Anything else (a server restart) is tried again at the next tick, within the duration.
    }
  };
  const timer = setInterval(() => {
    if (!stopped && !lost.signal.aborted) renewing = renew();
  }, (durationS * 1000) / 3);
  timer.unref();

  return {
    signal: lost.signal,
    holder,
    async release() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await renewing;
      if (lost.signal.aborted) return;
      // Freed, not deleted: a delete could remove a lease another holder took in between.
      try {
        await cluster.apply(lease({ ...current!.spec, holderIdentity: '', renewTime: microTime(now()) }, version));
      } catch {
        // Someone else holds it now, or the server is away: an unrenewed lock expires anyway.
      }
    },
  };
}

/** Runs `fn` holding the class's lock, and frees it however `fn` ends. */
export async function withClassLock<T>(cluster: Cluster, className: string, operation: string, fn: (signal: AbortSignal) => Promise<T>, opts?: LockOptions): Promise<T> {
  const lock = await acquireClassLock(cluster, className, operation, opts);
  try {
    return await fn(lock.signal);
  } finally {
    await lock.release();
  }
}
