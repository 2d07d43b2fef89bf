/**
 * Ed25519 key pairs in OpenSSH's own formats, made with node:crypto.
 *
 * Why not ssh2's `utils.generateKeyPairSync('ed25519')`: it strips leading zero bytes from the
 * 32-byte public key, so about one key in 256 comes out 31 bytes long. OpenSSH rejects such a
 * key, and a gateway host key made that way would be broken for as long as its Secret lives.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readWireString } from '../class/keys';

export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` … (openssh-key-v1, unencrypted). */
  private: string;
  /** One authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  public: string;
}

const TYPE = 'ssh-ed25519';
/** openssh-key-v1 pads the private section to the cipher's block size; "none" uses 8. */
const BLOCK = 8;

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/**
 * The public key line stored in the clear part of an openssh-key-v1 private key, without
 * checking it: lets a caller say what is wrong with a key a stricter parser refused.
 */
export function publicLineOfPrivateKey(text: string): string | undefined {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return undefined;
  const buf = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let at = MAGIC.length;
  for (let i = 0; i < 3; i++) {
    const r = readWireString(buf, at); // cipher, kdf, kdf options
    if (!r) return undefined;
    at = r[1];
  }
  if (at + 4 > buf.length || buf.readUInt32BE(at) < 1) return undefined;
  const blob = readWireString(buf, at + 4);
  const type = blob && readWireString(blob[0], 0);
  if (!blob || !type) return undefined;
  return `${type[0].toString('latin1')} ${blob[0].toString('base64')}`;
}

/** The public key blob: string "ssh-ed25519", string key (always 32 bytes). */
export function ed25519PublicBlob(publicKey: Buffer): Buffer {
  if (publicKey.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, not ${publicKey.length}`);
  return Buffer.concat([sshString(TYPE), sshString(publicKey)]);
}

/** A new Ed25519 key pair; `comment` goes into both forms, as ssh-keygen does. */
export function generateEd25519(comment = ''): OpenSshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // JWK gives the raw 32-byte public point (x) and seed (d) without parsing DER by hand.
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const blob = ed25519PublicBlob(pub);

  const check = randomBytes(4);
  const section = [check, check, sshString(TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)];
  let body = Buffer.concat(section);
  const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
  body = Buffer.concat([body, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);

  const whole = Buffer.concat([
    MAGIC,
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    uint32(1), // number of keys
    sshString(blob),
    sshString(body),
  ]);
  const lines = whole.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    private: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    public: `${TYPE} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  };
}
