// The cluster's PKI, made with the openssl CLI: one CA, serving certificates for the loopback
// components, client certificates per identity, an RSA key pair for service-account tokens, and
// a bearer token per kubeconfig identity. Generated once per state directory and reused on every
// later `up`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REAL_NODE } from './node/config';

const run = promisify(execFile);

/** The Service the `v1.subresources.kubevirt.io` APIService points at (manifests.ts). */
export const KUBEVIRT_VNC_SERVICE = { namespace: 'kube-system', name: 'labforge-kubevirt-vnc' } as const;

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  /** kube-apiserver serving pair (SANs: loopback and kubernetes.default.svc names). */
  apiserverCert: string;
  apiserverKey: string;
  /** Serving pair for the other loopback servers (controller-manager, scheduler, kwok). */
  servingCert: string;
  servingKey: string;
  /** Serving pair of the KubeVirt VNC stand-in (kubevirt-vnc.ts): the aggregator checks the service's DNS name. */
  kubevirtVncCert: string;
  kubevirtVncKey: string;
  /** kubelet's serving pair on the real node: the API server verifies it for exec, logs and port-forward. */
  kubeletCert: string;
  kubeletKey: string;
  saKey: string;
  saPub: string;
  clients: Record<ClientIdentity, { cert: string; key: string }>;
  /** kube-apiserver's static token file: one bearer token per kubeconfig identity (see tokenFor). */
  tokens: string;
}

/** Identities that talk to the apiserver with client certificates. */
export const CLIENT_IDENTITIES = {
  admin: { cn: 'labforge-admin', o: 'system:masters' },
  'kube-controller-manager': { cn: 'system:kube-controller-manager', o: undefined },
  'kube-scheduler': { cn: 'system:kube-scheduler', o: undefined },
  kwok: { cn: 'kwok-controller', o: 'system:masters' },
  agent: { cn: 'labforge-agent', o: 'system:masters' },
  /** The real node's kubelet: the Node authorizer and NodeRestriction know it by this name and group. */
  kubelet: { cn: `system:node:${REAL_NODE.name}`, o: 'system:nodes' },
  /** kube-proxy: bound to the built-in system:node-proxier role by this user name. */
  'kube-proxy': { cn: 'system:kube-proxy', o: undefined },
  /** kube-router, the real node's NetworkPolicy enforcer: a ClusterRole of its own (node/system-pods.ts). */
  'kube-router': { cn: 'labforge:kube-router', o: undefined },
  /** The apiserver's identity towards the kubelets (kwok's and the real node's) for exec, port-forward and logs. */
  'apiserver-kubelet-client': { cn: 'kube-apiserver-kubelet-client', o: 'system:masters' },
  /** The apiserver's identity towards aggregated API servers (request-header authentication). */
  'front-proxy-client': { cn: 'front-proxy-client', o: undefined },
} as const;
export type ClientIdentity = keyof typeof CLIENT_IDENTITIES;

/**
 * Identities that get a kubeconfig. The other two are the API server's own outgoing identities,
 * which only ever present their certificates.
 */
export const KUBECONFIG_IDENTITIES = (Object.keys(CLIENT_IDENTITIES) as ClientIdentity[]).filter((id) => id !== 'apiserver-kubelet-client' && id !== 'front-proxy-client');

export function pkiPaths(dir: string): Pki {
  const clients = Object.fromEntries(
    Object.keys(CLIENT_IDENTITIES).map((id) => [id, { cert: join(dir, `client-${id}.crt`), key: join(dir, `client-${id}.key`) }]),
  ) as Pki['clients'];
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    kubevirtVncCert: join(dir, 'kubevirt-vnc.crt'),
    kubevirtVncKey: join(dir, 'kubevirt-vnc.key'),
    kubeletCert: join(dir, 'kubelet.crt'),
    kubeletKey: join(dir, 'kubelet.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    clients,
    tokens: join(dir, 'tokens.csv'),
  };
}

const DAYS = '3650';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates whatever part of the PKI is missing (all of it on a fresh state directory). */
export async function ensurePki(dir: string): Promise<Pki> {
  const p = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const have = (...files: string[]) => files.every((f) => existsSync(f));
  if (!have(p.caCert, p.caKey)) {
    // A new CA invalidates everything signed by the old one.
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await req(dir, 'ca', p.caKey, p.caCert, '/CN=labforge-local-ca', [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
    ]);
  }
  const signed = ['-CA', p.caCert, '-CAkey', p.caKey];
  const serverExt = (sans: string) => [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth',
    `subjectAltName = ${sans}`,
  ];
  const jobs: Array<Promise<unknown>> = [];
  if (!have(p.apiserverCert, p.apiserverKey)) {
    jobs.push(req(dir, 'apiserver', p.apiserverKey, p.apiserverCert, '/CN=kube-apiserver', serverExt(
      // The real node's address: its pods reach the API there (node/host.ts, exposeApiToPods).
      `IP:127.0.0.1,IP:10.96.0.1,IP:${REAL_NODE.ip},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local`,
    ), signed));
  }
  if (!have(p.servingCert, p.servingKey)) {
    jobs.push(req(dir, 'serving', p.servingKey, p.servingCert, '/CN=labforge-loopback', serverExt('IP:127.0.0.1,DNS:localhost'), signed));
  }
  if (!have(p.kubevirtVncCert, p.kubevirtVncKey)) {
    // The aggregator dials the APIService's service and verifies the name `<service>.<namespace>.svc`.
    jobs.push(req(dir, 'kubevirt-vnc', p.kubevirtVncKey, p.kubevirtVncCert, `/CN=${KUBEVIRT_VNC_SERVICE.name}`, serverExt(
      `DNS:${KUBEVIRT_VNC_SERVICE.name}.${KUBEVIRT_VNC_SERVICE.namespace}.svc,IP:127.0.0.1,DNS:localhost`,
    ), signed));
  }
  if (!have(p.kubeletCert, p.kubeletKey)) {
    jobs.push(req(dir, 'kubelet', p.kubeletKey, p.kubeletCert, `/CN=${REAL_NODE.name}`, serverExt(`IP:${REAL_NODE.ip},DNS:${REAL_NODE.name}`), signed));
  }
  for (const [id, who] of Object.entries(CLIENT_IDENTITIES)) {
    const files = p.clients[id as ClientIdentity];
    if (have(files.cert, files.key)) continue;
    const subj = `${who.o ? `/O=${who.o}` : ''}/CN=${who.cn}`;
    jobs.push(req(dir, `client-${id}`, files.key, files.cert, subj, [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = clientAuth',
    ], signed));
  }
  if (!have(p.saKey, p.saPub)) {
    jobs.push((async () => {
      await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p.saKey]);
      await run('openssl', ['pkey', '-in', p.saKey, '-pubout', '-out', p.saPub]);
    })());
  }
  jobs.push(writeTokens(p.tokens));
  await Promise.all(jobs);
  return p;
}

/**
 * The kubeconfigs authenticate with bearer tokens rather than client certificates. Every request
 * that presents a client certificate has its chain verified by the API server, per request and
 * not per connection (kubernetes/kubernetes#90533): 12% of kube-apiserver's CPU in a profile of
 * a 50-student publish here (docs/benchmarks.md). A static token's authentication is a table
 * lookup. The identities are the same: the user, and the group that was the certificate's O.
 */
async function writeTokens(file: string): Promise<void> {
  // A state directory from before an identity existed gets a token for it; existing ones stay.
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const have = new Set(existing.split('\n').map((l) => l.split(',')[2]).filter(Boolean));
  const missing = KUBECONFIG_IDENTITIES.filter((id) => !have.has(id));
  if (missing.length === 0) return;
  const lines = missing.map((id) => {
    const who: { cn: string; o: string | undefined } = CLIENT_IDENTITIES[id];
    // token,user,uid,"groups" (kube-apiserver --token-auth-file); the uid is our identity's key.
    return `${randomBytes(32).toString('base64url')},${who.cn},${id}${who.o ? `,"${who.o}"` : ''}`;
  });
  await writeFile(file, `${existing}${lines.join('\n')}\n`, { mode: 0o600 });
}

/** The bearer token of one kubeconfig identity, from the token file ensurePki wrote. */
export function tokenFor(pki: Pki, id: ClientIdentity): string {
  for (const line of readFileSync(pki.tokens, 'utf8').split('\n')) {
    const [token, , uid] = line.split(',');
    if (uid === id && token) return token;
  }
  throw new Error(`${pki.tokens} has no token for ${id}; remove the file and run \`labforge cluster up\` again to write a new one`);
}

/** One `openssl req -x509` call with a throwaway config holding exactly the extensions we want. */
async function req(dir: string, name: string, keyOut: string, certOut: string, subj: string, ext: string[], extra: string[] = []) {
  const cnf = join(dir, `.${name}.cnf`);
  await writeFile(cnf, ['[req]', 'distinguished_name = dn', '[dn]', '[ext]', ...ext, ''].join('\n'));
  try {
    await run('openssl', [
      'req', '-x509', ...EC, '-keyout', keyOut, '-out', certOut, '-days', DAYS, '-subj', subj,
      '-config', cnf, '-extensions', 'ext', '-set_serial', `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '1')}`,
      ...extra,
    ]);
  } finally {
    await rm(cnf, { force: true });
  }
}
