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
import { fingerprintOf } from '../class/keys';
import { SECRET, type SecretObject } from './key-store';

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

function fromSecret(secret: SecretObject): HostKey {
  const text = secret.data?.[DATA];
  if (!text) throw new KubeError('invalid', `Secret ${SYSTEM_NAMESPACE}/${HOST_KEY_SECRET} has no ${DATA}; delete it to have a new host key made (students will see a host key change)`);
  const privateKey = Buffer.from(text, 'base64').toString('utf8');
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new KubeError('invalid', `Secret ${SYSTEM_NAMESPACE}/${HOST_KEY_SECRET} does not hold a usable key (${parsed.message}); delete it to have a new one made`);
  const pub = parsed.getPublicSSH();
  return { privateKey, fingerprint: fingerprintOf(pub), publicKey: `${parsed.type} ${pub.toString('base64')}` };
}

/** Reads the host key, making it (and labforge-system) the first time. */
export async function ensureHostKey(cluster: Cluster): Promise<HostKey> {
  try {
    const existing = await cluster.read(SECRET, HOST_KEY_SECRET, SYSTEM_NAMESPACE);
    if (existing) return fromSecret(existing);
    if (!(await cluster.read(NAMESPACE, SYSTEM_NAMESPACE))) {
      await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY } } }).catch((err: unknown) => {
        if (!(err instanceof KubeError && err.kind === 'conflict')) throw err;
      });
    }
    const generated = utils.generateKeyPairSync('ed25519', { comment: 'labforge-gateway' });
    const secret: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: HOST_KEY_SECRET, namespace: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: 'ssh-host-key' } },
      type: 'Opaque',
      data: { [DATA]: Buffer.from(generated.private).toString('base64') },
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
