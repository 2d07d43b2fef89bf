/**
 * Students' SSH keys in the class dashboard: list, add, revoke. Thin calls into
 * main/gateway/key-store.ts, the same the CLI's `labforge keys` makes; bad keys come back as
 * `invalid` with the same message, and nothing is stored.
 */
import { addKey, listKeys, revokeKeys, type StoredKey } from '../../gateway/key-store';
import { overClass } from '../../engine/zones';
import { sharedZoneConnector, type ClusterProvider } from '../clusters';
import type { Handler } from '../dispatch';
import type { WireSshKey } from '../../../common/api/keys-schemas';
import { engine } from './engine-call';

const wireKey = (k: StoredKey): WireSshKey => ({
  student: k.student,
  type: k.type,
  fingerprint: k.fingerprint,
  comment: k.comment,
  addedAt: k.addedAt,
  ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
  expired: k.expired,
});

export function keysHandlers(deps: { clusters: ClusterProvider }) {
  const zones = sharedZoneConnector(deps.clusters);
  // A student's keys live in their namespace, so in their zone when the class has zones.
  const list: Handler<'keys.list'> = async ({ context, className, student }) =>
    engine(async () => ({ keys: (await overClass(await deps.clusters.get(context), className, zones, (p) => listKeys(p.cluster, className, student), student ? { student } : undefined)).flat().map(wireKey) }));
  const add: Handler<'keys.add'> = async ({ context, className, student, key, expires }) =>
    engine(async () => {
      const [added] = await overClass(await deps.clusters.get(context), className, zones, (p) => addKey(p.cluster, { className, student, key, ...(expires ? { expires } : {}) }), { student });
      return wireKey(added!);
    });
  const revoke: Handler<'keys.revoke'> = async ({ context, className, student, fingerprint }) =>
    engine(async () => ({ revoked: (await overClass(await deps.clusters.get(context), className, zones, (p) => revokeKeys(p.cluster, className, student, { fingerprint }), { student })).flat().map(wireKey) }));
  return { 'keys.list': list, 'keys.add': add, 'keys.revoke': revoke };
}
