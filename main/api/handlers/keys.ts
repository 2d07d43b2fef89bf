/**
 * Students' SSH keys in the class dashboard: list, add, revoke. Thin calls into
 * main/gateway/key-store.ts, the same the CLI's `labforge keys` makes; bad keys come back as
 * `invalid` with the same message, and nothing is stored.
 */
import { addKey, listKeys, revokeKeys, type StoredKey } from '../../gateway/key-store';
import type { ClusterProvider } from '../clusters';
import type { Handler } from '../dispatch';
import type { WireSshKey } from '../keys-schemas';
import { engine } from './engine-call';

export const wireKey = (k: StoredKey): WireSshKey => ({
  student: k.student,
  type: k.type,
  fingerprint: k.fingerprint,
  comment: k.comment,
  addedAt: k.addedAt,
  ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
  expired: k.expired,
});

export function keysHandlers(deps: { clusters: ClusterProvider }) {
  const list: Handler<'keys.list'> = async ({ context, className, student }) =>
    engine(async () => ({ keys: (await listKeys(await deps.clusters.get(context), className, student)).map(wireKey) }));
  const add: Handler<'keys.add'> = async ({ context, className, student, key, expires }) =>
    engine(async () => wireKey(await addKey(await deps.clusters.get(context), { className, student, key, ...(expires ? { expires } : {}) })));
  const revoke: Handler<'keys.revoke'> = async ({ context, className, student, fingerprint }) =>
    engine(async () => ({ revoked: (await revokeKeys(await deps.clusters.get(context), className, student, { fingerprint })).map(wireKey) }));
  return { 'keys.list': list, 'keys.add': add, 'keys.revoke': revoke };
}
