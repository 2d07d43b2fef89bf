/**
 * The gateway's host key: generated once, kept in a Secret in labforge-system, so a restarted
 * gateway, a second one, or the in-cluster one all show students the same identity and their
 * known_hosts keeps matching. Two gateways starting at once both try to create it; the one
 * that loses the race reads the winner's.
 */
import ssh2 from 'ssh2';
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import type { Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE } from '../kube/kinds';
import { SYSTEM_NAMESPACE } from '../engine/release-record';
import { fingerprintOf, parsePublicKey } from '../class/keys';
import { SECRET, type SecretObject } from './key-store';
import { generateEd25519, publicLineOfPrivateKey } from './ssh-keygen';

// ssh2 is CommonJS: its default export works under Node's ESM loader and bundlers alike.
const { utils } = ssh2;

export const HOST_KEY_SECRET = 'labforge-ssh-host-key';
const DATA = 'ssh_host_ed25519_key';

export interface HostKey {
  /** OpenSSH private key text, for ssh2's `hostKeys`. */
  privateKey: string;
  /** `SHA256:…` of the public key, for the log and the docs' known_hosts check. */
  fingerprint: string;
  /** The public key line (for known_hosts). */
  publicKey: string;
}

/**
 * A stored key whose public half is malformed: what ssh2's generator made about once in 256
 * times in earlier versions (see ssh-keygen.ts). ssh2 refuses to load it, so no gateway ever
 * served it and no student's known_hosts holds it.
 */
class MalformedHostKey extends Error {}

function fromSecret(secret: SecretObject): HostKey {
  const text = secret.data?.[DATA];
  if (!text) throw new KubeError('invalid', `Secret ${SYSTEM_NAMESPACE}/${HOST_KEY_SECRET} has no ${DATA}; delete it to have a new host key made (students will see a host key change)`);
  const privateKey = Buffer.from(text, 'base64').toString('utf8');
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    const stored = publicLineOfPrivateKey(privateKey);
    const checked = stored === undefined ? undefined : parsePublicKey(stored);
    if (checked && !checked.ok) throw new MalformedHostKey(checked.message);
    throw new KubeError('invalid', `Secret ${SYSTEM_NAMESPACE}/${HOST_KEY_SECRET} does not hold a usable key (${parsed.message}); delete it to have a new one made`);
  }
  const pub = parsed.getPublicSSH();
  return { privateKey, fingerprint: fingerprintOf(pub), publicKey: `${parsed.type} ${pub.toString('base64')}` };
}

function newHostKeyData(): string {
  return Buffer.from(generateEd25519('labforge-gateway').private).toString('base64');
}

/**
 * Replaces a malformed host key that earlier versions could store. Nobody trusts it (see
 * MalformedHostKey), so replacing it breaks nobody. The patch tests the old value,
 * so of two gateways repairing at once one wins and the other reads its key.
 */
async function repair(cluster: Cluster, secret: SecretObject): Promise<HostKey> {
  const old = secret.data?.[DATA];
  try {
    const patched = await cluster.patch(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE, [
      { op: 'test', path: `/data/${DATA}`, value: old },
      { op: 'replace', path: `/data/${DATA}`, value: newHostKeyData() },
    ]);
    return fromSecret(patched as SecretObject);
  } catch (err) {
    const now = await cluster.read(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE);
    if (now && now.data?.[DATA] !== old) return fromSecret(now);
    throw err;
  }
}

/** Reads the host key, making it (and labforge-system) the first time. */
export async function ensureHostKey(cluster: Cluster): Promise<HostKey> {
  try {
    const existing = await cluster.read(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE);
    if (existing) {
      try {
        return fromSecret(existing);
      } catch (err) {
        if (err instanceof MalformedHostKey) return await repair(cluster, existing);
        throw err;
      }
    }
    if (!(await cluster.read(NAMESPACE, SYSTEM_NAMESPACE))) {
      await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY } } }).catch((err: unknown) => {
        if (!(err instanceof KubeError && err.kind === 'conflict')) throw err;
      });
    }
    const secret: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: HOST_KEY_SECRET, namespace: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: 'ssh-host-key' } },
      type: 'Opaque',
      data: { [DATA]: newHostKeyData() },
    };
    try {
      return fromSecret(await cluster.create(secret));
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'conflict')) throw err;
      const winner = await cluster.read(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE);
      if (!winner) throw err;
      return fromSecret(winner);
    }
  } catch (err) {
    throw err instanceof KubeError ? err.in(`reading the gateway's host key (Secret ${SYSTEM_NAMESPACE}/${HOST_KEY_SECRET})`) : err;
  }
}
