/**
 * Students' SSH public keys: what the roster's `ssh_key` column, `labforge keys add` and the
 * app accept, checked once here so every way in refuses the same things with the same words.
 *
 * A key is one OpenSSH `authorized_keys` line without options: `<type> <base64 blob> [comment]`.
 * The blob is decoded and its inner type must match the outer one (a line edited by hand that
 * no longer fits is caught here, not at the first login). Refused: private keys pasted by
 * mistake (their text never goes into a message), RSA under 2048 bits, DSA (OpenSSH itself
 * dropped it), and anything that is not a public key.
 */
import { createHash } from 'node:crypto';

export interface PublicKey {
  /** The SSH key type, e.g. `ssh-ed25519`. */
  type: string;
  /** The wire-format key blob (what the client offers at login). */
  blob: Buffer;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  /** Key size in bits (RSA: the modulus; the others: their curve). */
  bits: number;
  comment: string;
  /** The canonical one-line form: type, blob and comment. */
  line: string;
}

export type KeyParse = { ok: true; key: PublicKey } | { ok: false; message: string };

/** Key types the gateway verifies signatures for (ssh2's set, minus DSA). */
const TYPES: Record<string, { bits?: number }> = {
  'ssh-ed25519': { bits: 256 },
  'ssh-rsa': {},
  'ecdsa-sha2-nistp256': { bits: 256 },
  'ecdsa-sha2-nistp384': { bits: 384 },
  'ecdsa-sha2-nistp521': { bits: 521 },
};
const MIN_RSA_BITS = 2048;
/** An RSA-16384 key with a long comment still fits; anything longer is not a key. */
const MAX_KEY_TEXT = 16 * 1024;
const MAX_COMMENT = 256;

const PRIVATE_MARKERS = [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, /PuTTY-User-Key-File-\d/, /^openssh-key-v1/];

/** `SHA256:…` of a key blob, the way OpenSSH prints fingerprints. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** One SSH wire string (uint32 length + bytes) at `at`, and where the next field starts; undefined past the end. */
export function readWireString(buf: Buffer, at: number): [Buffer, number] | undefined {
  if (at + 4 > buf.length) return undefined;
  const len = buf.readUInt32BE(at);
  if (len > buf.length - at - 4) return undefined;
  return [buf.subarray(at + 4, at + 4 + len), at + 4 + len];
}

/** Reads `count` SSH wire strings from the start of a blob; undefined past its end. */
function wireStrings(blob: Buffer, count: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const r = readWireString(blob, at);
    if (!r) return undefined;
    out.push(r[0]);
    at = r[1];
  }
  return out;
}

/** Bits of an SSH mpint (big-endian, a leading zero byte when the top bit is set). */
function mpintBits(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

export function parsePublicKey(input: string): KeyParse {
  const fail = (message: string): KeyParse => ({ ok: false, message });
  if (input.length > MAX_KEY_TEXT) return fail(`the key is longer than ${MAX_KEY_TEXT / 1024} KiB; a public key is one line of at most a few thousand characters`);
  if (PRIVATE_MARKERS.some((m) => m.test(input.trim()))) {
    return fail('this is a PRIVATE key: never share it. Give the public key instead, the .pub file next to it (e.g. ~/.ssh/id_ed25519.pub), and keep the private one secret');
  }
  const lines = input.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return fail('the key is empty; give one line like "ssh-ed25519 AAAA… name@laptop" (the .pub file)');
  if (lines.length > 1) return fail(`${lines.length} lines given; give exactly one public key per call`);
  const line = lines[0]!;
  if (line.startsWith('---- BEGIN SSH2 PUBLIC KEY')) return fail('this is an RFC 4716 (SSH2) public key; convert it to the OpenSSH form with `ssh-keygen -i -f FILE`');
  const [type = '', b64 = '', ...rest] = line.split(/\s+/);
  if (type === 'ssh-dss') return fail('DSA keys are no longer accepted (OpenSSH dropped them); make an Ed25519 key with `ssh-keygen -t ed25519`');
  if (!(type in TYPES)) {
    if (/^(no-|command=|from=|environment=|restrict|permitopen=|cert-authority)/.test(type)) return fail('authorized_keys options are not accepted; give the plain public key line (type, key, comment)');
    if (type.startsWith('sk-')) return fail('security-key (FIDO) keys are not supported by the gateway; use an Ed25519 or ECDSA key');
    return fail(`"${type.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}" is not an SSH public key type; expected ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (the .pub file)`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return fail(`the ${type} key data is not valid base64; copy the whole line of the .pub file`);
  const blob = Buffer.from(b64, 'base64');
  const parts = wireStrings(blob, type === 'ssh-ed25519' ? 2 : 3);
  if (!parts || parts[0]!.toString('latin1') !== type) return fail(`the key data does not hold a ${type} key (the line is cut or edited); copy the whole line of the .pub file`);
  let bits = TYPES[type]!.bits ?? 0;
  if (type === 'ssh-rsa') {
    bits = mpintBits(parts[2]!);
    if (bits < MIN_RSA_BITS) return fail(`this RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed. Make a new key with \`ssh-keygen -t ed25519\``);
  } else if (type === 'ssh-ed25519') {
    if (parts[1]!.length !== 32) return fail('the ssh-ed25519 key data has the wrong length; copy the whole line of the .pub file');
  } else if (parts[1]!.toString('latin1') !== type.slice('ecdsa-sha2-'.length)) {
    return fail(`the key data does not hold a ${type} key; copy the whole line of the .pub file`);
  }
  const comment = rest.join(' ').replace(/[^\x20-\x7e]/g, '').slice(0, MAX_COMMENT);
  const canonical = Buffer.from(blob.toString('base64'), 'base64');
  return { ok: true, key: { type, blob: canonical, fingerprint: fingerprintOf(canonical), bits, comment, line: `${type} ${canonical.toString('base64')}${comment ? ` ${comment}` : ''}` } };
}

const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };
/** A key may be given for at most a year; a class rarely runs longer. */
const MAX_KEY_LIFETIME_SECONDS = 366 * 86_400;

/**
 * `--expires`: a duration (`30m`, `12h`, `14d`, `2w`) from `now`, or an ISO 8601 date/time in
 * the future. Returns the expiry as an ISO string, or an error message.
 */
export function parseExpiry(text: string, now: Date = new Date()): { ok: true; at: string } | { ok: false; message: string } {
  const t = text.trim();
  const d = /^(\d{1,6})([mhdw])$/.exec(t);
  let at: number;
  if (d) at = now.getTime() + Number(d[1]) * UNIT_SECONDS[d[2]!]! * 1000;
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t) && !Number.isNaN(Date.parse(t))) at = Date.parse(t);
  else return { ok: false, message: `expiry "${t.slice(0, 40)}" is neither a duration (30m, 12h, 14d, 2w) nor a date (2026-12-24 or 2026-12-24T18:00Z)` };
  if (at <= now.getTime()) return { ok: false, message: `expiry ${new Date(at).toISOString()} is in the past; give a later date or a duration like 14d` };
  if (at - now.getTime() > MAX_KEY_LIFETIME_SECONDS * 1000) return { ok: false, message: 'a key expires within a year at most; give a shorter duration' };
  return { ok: true, at: new Date(at).toISOString() };
}

/** Whether a key with this expiry is expired at `now` (no expiry: never). */
export function isExpired(expiresAt: string | undefined, now: number = Date.now()): boolean {
  return expiresAt !== undefined && Date.parse(expiresAt) <= now;
}
