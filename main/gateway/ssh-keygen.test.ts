import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { parsePublicKey } from '../class/keys';
import { ed25519PublicBlob, generateEd25519, publicLineOfPrivateKey } from './ssh-keygen';

const rawPublic = (line: string) => Buffer.from(line.split(' ')[1]!, 'base64').subarray(4 + 11 + 4);

function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (err) {
    return (err as { code?: string }).code !== 'ENOENT';
  }
  return true;
}

describe('generateEd25519', () => {
  it('keeps all 32 bytes of a public key that starts with a zero byte (ssh2 drops them)', () => {
    // About one key in 256 starts with 0x00; 10 000 tries miss one with odds below 1e-16.
    let pair = generateEd25519('zero');
    for (let i = 0; i < 10_000 && rawPublic(pair.public)[0] !== 0; i++) pair = generateEd25519('zero');
    const raw = rawPublic(pair.public);
    expect(raw[0]).toBe(0);
    expect(raw).toHaveLength(32);
    const parsed = parsePublicKey(pair.public);
    expect(parsed.ok).toBe(true);
    const viaSsh2 = ssh2.utils.parseKey(pair.private);
    if (viaSsh2 instanceof Error) throw viaSsh2;
    expect(viaSsh2.getPublicSSH().toString('base64')).toBe(pair.public.split(' ')[1]);
    // The gateway verifies a login's signature with ssh2: one student in 256 has such a key.
    const pub = ssh2.utils.parseKey(pair.public);
    if (pub instanceof Error) throw pub;
    const data = Buffer.from('session id');
    expect(pub.verify(data, viaSsh2.sign(data))).toBe(true);
  });

  it('makes keys our parser, ssh2 and a signature round trip all accept', () => {
    for (let i = 0; i < 300; i++) {
      const pair = generateEd25519(`k${i}@host`);
      const parsed = parsePublicKey(pair.public);
      if (!parsed.ok) throw new Error(`${parsed.message}: ${pair.public}`);
      expect(parsed.key.comment).toBe(`k${i}@host`);
      expect(publicLineOfPrivateKey(pair.private)).toBe(pair.public.replace(/ \S+$/, ''));
      const priv = ssh2.utils.parseKey(pair.private);
      if (priv instanceof Error) throw priv;
      expect(priv.comment).toBe(`k${i}@host`);
      const data = Buffer.from(`challenge ${i}`);
      const pub = ssh2.utils.parseKey(pair.public);
      if (pub instanceof Error) throw pub;
      expect(pub.verify(data, priv.sign(data))).toBe(true);
    }
  });

  it('writes a private key OpenSSH reads back to the same public key', (ctx) => {
    if (!hasSshKeygen()) ctx.skip('ssh-keygen (openssh-client) is not installed; .ci/run installs it');
    const dir = mkdtempSync(join(tmpdir(), 'labforge-keygen-'));
    try {
      for (let i = 0; i < 5; i++) {
        const pair = generateEd25519('gateway');
        const file = join(dir, `id_${i}`);
        writeFileSync(file, pair.private, { mode: 0o600 });
        const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
        expect(derived).toBe(pair.public);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds no public line in text that is not an openssh-key-v1 private key', () => {
    expect(publicLineOfPrivateKey('ssh-ed25519 AAAA')).toBeUndefined();
    expect(publicLineOfPrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')).toBeUndefined();
  });

  it('refuses to encode a public key that is not 32 bytes', () => {
    expect(() => ed25519PublicBlob(Buffer.alloc(31))).toThrow(/32 bytes, not 31/);
  });
});
