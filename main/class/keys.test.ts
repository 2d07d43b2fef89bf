import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateEd25519 } from '../gateway/ssh-keygen';
import { isExpired, parseExpiry, parsePublicKey } from './keys';

// Ed25519 from our generator: ssh2's drops a leading zero byte about once in 256 keys.
const ed = generateEd25519('ada@laptop');
const rsa2048 = utils.generateKeyPairSync('rsa', { bits: 2048 });
const rsa1024 = utils.generateKeyPairSync('rsa', { bits: 1024 });
const ecdsa = utils.generateKeyPairSync('ecdsa', { bits: 384 });

describe('parsePublicKey', () => {
  it('accepts ed25519, ECDSA and RSA-2048 public keys, with their fingerprint and size', () => {
    const k = parsePublicKey(`${ed.public}\n`);
    expect(k.ok && k.key).toMatchObject({ type: 'ssh-ed25519', bits: 256, comment: 'ada@laptop' });
    if (k.ok) expect(k.key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const r = parsePublicKey(rsa2048.public);
    expect(r.ok && r.key.bits).toBe(2048);
    const e = parsePublicKey(ecdsa.public);
    expect(e.ok && e.key.type).toBe('ecdsa-sha2-nistp384');
  });

  it('refuses RSA under 2048 bits', () => {
    const r = parsePublicKey(rsa1024.public);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/1024 bits; at least 2048/);
  });

  it('refuses a pasted private key without echoing it', () => {
    for (const priv of [ed.private, rsa2048.private]) {
      const r = parsePublicKey(priv);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(/PRIVATE key/);
        expect(r.message).not.toContain(priv.split('\n')[1]!.slice(0, 20));
      }
    }
  });

  it('refuses malformed lines: bad base64, a cut blob, a type mismatch, DSA, two keys, options', () => {
    const [type, b64] = ed.public.split(' ') as [string, string];
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['hello world', /not an SSH public key type/],
      [`${type} not*base64`, /not valid base64/],
      [`${type} ${b64.slice(0, 40)}`, /not valid base64|does not hold/],
      [`ssh-rsa ${b64}`, /does not hold a ssh-rsa key/],
      ['ssh-dss AAAAB3NzaC1kc3MAAACBAP', /DSA keys/],
      [`${ed.public}\n${ed.public}`, /exactly one/],
      [`no-pty ${ed.public}`, /options are not accepted/],
    ];
    for (const [input, message] of cases) {
      const r = parsePublicKey(input);
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.message, input).toMatch(message);
    }
  });
});

describe('parseExpiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('takes durations and future dates', () => {
    expect(parseExpiry('14d', now)).toEqual({ ok: true, at: '2026-01-15T00:00:00.000Z' });
    expect(parseExpiry('90m', now)).toEqual({ ok: true, at: '2026-01-01T01:30:00.000Z' });
    expect(parseExpiry('2026-02-01T12:00Z', now)).toEqual({ ok: true, at: '2026-02-01T12:00:00.000Z' });
  });
  it('refuses the past, nonsense and more than a year', () => {
    expect(parseExpiry('2025-12-31', now)).toMatchObject({ ok: false, message: expect.stringMatching(/in the past/) });
    expect(parseExpiry('soon', now)).toMatchObject({ ok: false, message: expect.stringMatching(/neither a duration/) });
    expect(parseExpiry('400d', now)).toMatchObject({ ok: false, message: expect.stringMatching(/within a year/) });
  });
  it('isExpired', () => {
    expect(isExpired(undefined)).toBe(false);
    expect(isExpired('2026-01-01T00:00:00Z', now.getTime())).toBe(true);
    expect(isExpired('2026-01-02T00:00:00Z', now.getTime())).toBe(false);
  });
});
