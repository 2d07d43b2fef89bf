import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '../class/keys';
import { SYSTEM_NAMESPACE } from '../engine/release-record';
import { MemoryCluster } from '../../test/helpers/in-memory-cluster';
import { ensureHostKey, HOST_KEY_SECRET } from './host-key';
import { SECRET } from './key-store';

/** What earlier versions could store: an ssh2-made key whose public part lost its leading zero byte. */
function malformedKey(): string {
  for (let i = 0; i < 20_000; i++) {
    const k = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'labforge-gateway' });
    if (!parsePublicKey(k.public).ok) return k.private;
  }
  throw new Error('ssh2 made no malformed key in 20 000 tries; its generator may be fixed, and this test with it');
}

describe('gateway host key', () => {
  it('is made once and then read back the same', async () => {
    const c = new MemoryCluster();
    const first = await ensureHostKey(c);
    expect(parsePublicKey(first.publicKey).ok).toBe(true);
    expect((await ensureHostKey(c)).fingerprint).toBe(first.fingerprint);
  });

  it('replaces a stored key no OpenSSH client can accept, once, and keeps the replacement', async () => {
    const c = new MemoryCluster();
    c.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: HOST_KEY_SECRET, namespace: SYSTEM_NAMESPACE }, type: 'Opaque', data: { ssh_host_ed25519_key: Buffer.from(malformedKey()).toString('base64') } } as never);
    const repaired = await ensureHostKey(c);
    expect(parsePublicKey(repaired.publicKey).ok).toBe(true);
    const again = await ensureHostKey(c);
    expect(again.fingerprint).toBe(repaired.fingerprint);
    const stored = await c.read(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE);
    expect(Buffer.from(stored!.data!['ssh_host_ed25519_key']!, 'base64').toString()).toBe(repaired.privateKey);
  });

  it('still refuses a Secret that holds no key at all, naming what to do', async () => {
    const c = new MemoryCluster();
    c.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: HOST_KEY_SECRET, namespace: SYSTEM_NAMESPACE }, type: 'Opaque', data: { ssh_host_ed25519_key: Buffer.from('not a key').toString('base64') } } as never);
    await expect(ensureHostKey(c)).rejects.toThrow(/does not hold a usable key.*delete it/);
  });
});
