/**
 * What the API server stores when it creates a compiled object: its values and every default
 * (imagePullPolicy, volumeMode, the storage class, a namespace's name label…). Publish reads it
 * once per class, from one student's objects, so that an object whose create-time field entry
 * also holds those defaults can still be recognised as up to date (ownsExactly in
 * ./managed-fields), rather than adopted and applied once more on the re-publish after a create.
 *
 * Each object is sent as a server-side apply dry run of a copy under a name of its own: the real
 * object may exist (a re-publish), and a dry run over an existing object returns it merged with
 * what it holds now, fields a newer release dropped included, which is no default at all.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../common/compile/types';
import { applyObject } from './apply';
import type { Cluster } from './cluster';
import type { RetryOptions, Semaphore } from './retry';

/**
 * The key of an object among one student's: its type and name, or only its type when it is
 * cluster-scoped (a student's Namespace has a name of its own, its objects do not).
 */
export const defaultsKey = (o: KubeObject) => (o.metadata.namespace === undefined ? `${o.apiVersion}/${o.kind}` : `${o.apiVersion}/${o.kind}/${o.metadata.name}`);

/**
 * A name for the dry-run copy: valid wherever the original is (a DNS label of at most 63
 * characters that starts as it does), and taken by nothing (random), so the dry run is a create.
 */
function probeName(name: string): string {
  return `${name.slice(0, 48).replace(/[-.]+$/, '')}-dflt${randomBytes(4).toString('hex')}`;
}

/**
 * The server's stored form of each of `objects` (one student's), by defaultsKey. A namespaced
 * object is dry-run in its own namespace, whose admission (a webhook selecting namespaces) is
 * the one the real object sees; when that refuses it (the namespace's quota is sized to the
 * lab, so one more Service or volume is over it), in `default`, as the preflight does for a
 * namespace that does not exist yet. An object no dry run admits, or whose key is not unique,
 * is left out: it is held to the strict rule (every owned field compiled).
 */
export async function serverDefaults(cluster: Cluster, objects: KubeObject[], opts: { semaphore?: Semaphore; retry?: RetryOptions } = {}): Promise<Map<string, KubeObject>> {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(defaultsKey(o), (counts.get(defaultsKey(o)) ?? 0) + 1);
  const unique = objects.filter((o) => counts.get(defaultsKey(o)) === 1);
  const dryRun = (o: KubeObject, namespace: string | undefined) =>
    applyObject(cluster, { ...o, metadata: { ...o.metadata, name: probeName(o.metadata.name), ...(namespace !== undefined ? { namespace } : {}) } }, { ...opts, dryRun: true });
  const found = await Promise.all(
    unique.map(async (o): Promise<[string, KubeObject] | undefined> => {
      try {
        return [defaultsKey(o), await dryRun(o, o.metadata.namespace)];
      } catch {
        if (o.metadata.namespace === undefined || o.metadata.namespace === 'default') return undefined;
        try {
          return [defaultsKey(o), await dryRun(o, 'default')];
        } catch {
          return undefined;
        }
      }
    }),
  );
  return new Map(found.filter((x): x is [string, KubeObject] => x !== undefined));
}
