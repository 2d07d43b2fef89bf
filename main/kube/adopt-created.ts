/**
 * Before an object publish created by POST is applied again: its create-time fields become the
 * apply's (see ./managed-fields), so the apply removes what a new release dropped.
 */
import type { KubeObject } from '../../common/compile/types';
import type { Cluster } from './cluster';
import { KubeError } from './errors';
import { kindOfObject } from './kinds';
import { adoptionPatch, FIELD_MANAGER, hasCreatedFields } from './managed-fields';
import { withRetry, type RetryOptions, type Semaphore } from './retry';

/** Tries in all when the object changes between the read and the patch (a controller's status write). */
const ATTEMPTS = 5;

/**
 * Adopts the create-time fields of `obj` (as last read, with its managedFields), if it has any.
 * One patch, tested against the entries it was computed from; when they moved in between, the
 * object is read again and the patch recomputed.
 */
export async function adoptCreated(cluster: Cluster, obj: KubeObject, opts: { semaphore?: Semaphore; retry?: RetryOptions } = {}): Promise<void> {
  const kind = kindOfObject(obj);
  const { name, namespace } = obj.metadata;
  const run = <T>(f: () => Promise<T>) => withRetry(() => (opts.semaphore ? opts.semaphore.run(f) : f()), opts.retry);
  let current: KubeObject | undefined = obj;
  for (let attempt = 1; current; attempt++) {
    const ops = adoptionPatch(current, FIELD_MANAGER);
    if (!ops) return;
    try {
      await run(() => cluster.patch(kind, name, namespace, ops));
      return;
    } catch (err) {
      const moved = err instanceof KubeError && (err.kind === 'invalid' || err.kind === 'not-found' || err.kind === 'conflict');
      if (!moved || attempt >= ATTEMPTS) throw err instanceof KubeError ? err.in(`adopting the created fields of ${obj.kind}/${name}`) : err;
      current = await run(() => cluster.read<KubeObject>(kind, name, namespace));
    }
  }
}

/** Adopts every object of `objects` that has create-time fields, concurrently (bounded by the semaphore). */
export async function adoptAllCreated(cluster: Cluster, objects: KubeObject[], opts: { semaphore?: Semaphore; retry?: RetryOptions } = {}): Promise<void> {
  await Promise.all(objects.filter((o) => hasCreatedFields(o, FIELD_MANAGER)).map((o) => adoptCreated(cluster, o, opts)));
}
