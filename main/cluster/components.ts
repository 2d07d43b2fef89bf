// Command lines of the six cluster processes, in start order, and how each one is health-checked.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { Binaries } from './binaries';
import { CLIENT_IDENTITIES, tokenFor, type ClientIdentity, type Pki } from './certs';
import { KWOK_CRDS, KWOK_NODE_ANNOTATION } from './manifests';
import { NODE_COMPONENTS, type NodeComponentName } from './node/components';
import { APP_ROOT } from '../paths';
import type { Layout } from './paths';
import type { TlsFiles } from './net';

/** The control plane's processes, in start order; the real node's follow them (node/components.ts). */
export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'agent'] as const;
export type ControlPlaneComponent = (typeof COMPONENTS)[number];
export type ComponentName = ControlPlaneComponent | NodeComponentName;
export const ALL_COMPONENTS: readonly ComponentName[] = [...COMPONENTS, ...NODE_COMPONENTS];

export interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  agent: number;
  /** The agent's KubeVirt VNC stand-in (TLS, behind the aggregation layer). */
  kubevirtVnc: number;
}
export const PORT_KEYS = ['etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'agent', 'kubevirtVnc'] as const satisfies readonly (keyof Ports)[];

export interface HealthCheck {
  name: string;
  url: string;
  tls?: TlsFiles;
}

export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
  /** Extra environment on top of childEnv(). */
  env: Record<string, string>;
  /** The port `status` shows for it. */
  port: number;
  checks: HealthCheck[];
}

export interface SpecContext {
  bins: Binaries;
  pki: Pki;
  layout: Layout;
  ports: Ports;
  /** host:port of the VNC server (pod port 5900's target; also the display of the VM stand-in). */
  vnc: string;
}

export const SERVICE_CIDR = '10.96.0.0/16';
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export function kubeconfigFile(layout: Layout, id: ClientIdentity): string {
  return id === 'admin' ? layout.kubeconfig : join(layout.config, `${id}.kubeconfig`);
}
/** kube-apiserver's admission configuration and the placement plugins' files (node/placement.ts). */
export function admissionFiles(layout: Layout) {
  return {
    admission: join(layout.config, 'admission.yaml'),
    nodeSelector: join(layout.config, 'pod-node-selector.yaml'),
    tolerations: join(layout.config, 'pod-toleration-restriction.yaml'),
  };
}
export function kwokConfigFile(layout: Layout): string {
  return join(layout.config, 'kwok.yaml');
}

/** A self-contained kubeconfig (CA and bearer token embedded; see writeTokens in ./certs) for one client identity. */
export function kubeconfigYaml(pki: Pki, id: ClientIdentity, apiserverPort: number): string {
  const user = CLIENT_IDENTITIES[id].cn;
  const b64 = (file: string) => readFileSync(file).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'labforge', cluster: { server: `https://127.0.0.1:${apiserverPort}`, 'certificate-authority-data': b64(pki.caCert) } }],
    users: [{ name: user, user: { token: tokenFor(pki, id) } }],
    contexts: [{ name: 'labforge', context: { cluster: 'labforge', user } }],
    'current-context': 'labforge',
  });
}

/**
 * The agent's sources, found from the checkout's root rather than from this module: the CLI runs
 * bundled from out/main/, where no .ts files sit beside it.
 */
function agentSourceDir(): string {
  return join(APP_ROOT, 'main', 'cluster', 'agent');
}

function agentEntry(): string {
  return join(agentSourceDir(), 'main.ts');
}
/** Fingerprint of the agent's code, part of its command line so `up` restarts it after a change. */
function agentCodeHash(): string {
  const dir = agentSourceDir();
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) h.update(readFileSync(join(dir, f)));
  for (const f of ['manifests.ts', 'process.ts']) h.update(readFileSync(join(dir, '..', f)));
  // It reaches the cluster through main/kube/, so a change there is a change of its code too.
  const kube = join(dir, '..', '..', 'kube');
  for (const f of readdirSync(kube).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) h.update(readFileSync(join(kube, f)));
  return h.digest('hex').slice(0, 12);
}
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export function componentSpecs({ bins, pki, layout, ports, vnc }: SpecContext): Record<ControlPlaneComponent, ComponentSpec> {
  const loop = '127.0.0.1';
  const serveTls: TlsFiles = { ca: pki.caCert };
  const adminTls: TlsFiles = { ca: pki.caCert, cert: pki.clients.admin.cert, key: pki.clients.admin.key };
  const etcdUrl = `http://${loop}:${ports.etcd}`;
  const peerUrl = `http://${loop}:${ports.etcdPeer}`;
  const api = `https://${loop}:${ports.apiserver}`;
  const componentAuth = (id: ClientIdentity) => {
    const kc = kubeconfigFile(layout, id);
    return [`--kubeconfig=${kc}`, `--authentication-kubeconfig=${kc}`, `--authorization-kubeconfig=${kc}`];
  };
  const servingFlags = [`--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--bind-address=${loop}`];

  return {
    etcd: {
      name: 'etcd',
      command: bins.paths.etcd,
      args: [
        '--name=labforge',
        `--data-dir=${layout.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=labforge=${peerUrl}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync=true',
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ],
      env: {},
      port: ports.etcd,
      checks: [{ name: 'health', url: `${etcdUrl}/health` }],
    },
    'kube-apiserver': {
      name: 'kube-apiserver',
      command: bins.paths['kube-apiserver'],
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${loop}`,
        `--advertise-address=${loop}`,
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=Node,RBAC',
        // These are all on by default; naming them documents that labs depend on them.
        // PodNodeSelector and PodTolerationRestriction let a namespace choose between the real
        // node and kwok's (node/placement.ts).
        '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota,NodeRestriction,PodNodeSelector,PodTolerationRestriction',
        `--admission-control-config-file=${admissionFiles(layout).admission}`,
        `--service-account-issuer=${SA_ISSUER}`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        // kwok serves the "kubelet" API on the node's InternalIP (127.0.0.1) with a cert from our CA.
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-certificate-authority=${pki.caCert}`,
        `--kubelet-client-certificate=${pki.clients['apiserver-kubelet-client'].cert}`,
        `--kubelet-client-key=${pki.clients['apiserver-kubelet-client'].key}`,
        // Request-header authentication (front proxy) so aggregated servers and the controllers'
        // delegated authentication find a complete extension-apiserver-authentication ConfigMap.
        `--requestheader-client-ca-file=${pki.caCert}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.clients['front-proxy-client'].cert}`,
        `--proxy-client-key-file=${pki.clients['front-proxy-client'].key}`,
        `--cert-dir=${join(layout.run, 'apiserver-certs')}`,
        `--token-auth-file=${pki.tokens}`,
        '--profiling=false',
        '--v=1',
      ],
      env: {},
      port: ports.apiserver,
      checks: [
        { name: 'livez', url: `${api}/livez`, tls: adminTls },
        { name: 'readyz', url: `${api}/readyz`, tls: adminTls },
      ],
    },
    'kube-controller-manager': {
      name: 'kube-controller-manager',
      command: bins.paths['kube-controller-manager'],
      args: [
        ...componentAuth('kube-controller-manager'),
        '--leader-elect=false',
        '--controllers=*',
        '--use-service-account-credentials=true',
        `--root-ca-file=${pki.caCert}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--secure-port=${ports.controllerManager}`,
        ...servingFlags,
        '--profiling=false',
        '--v=1',
      ],
      env: {},
      port: ports.controllerManager,
      checks: [{ name: 'healthz', url: `https://${loop}:${ports.controllerManager}/healthz`, tls: serveTls }],
    },
    'kube-scheduler': {
      name: 'kube-scheduler',
      command: bins.paths['kube-scheduler'],
      args: [
        ...componentAuth('kube-scheduler'),
        '--leader-elect=false',
        `--secure-port=${ports.scheduler}`,
        ...servingFlags,
        '--profiling=false',
        '--v=1',
      ],
      env: {},
      port: ports.scheduler,
      checks: [
        { name: 'livez', url: `https://${loop}:${ports.scheduler}/livez`, tls: serveTls },
        { name: 'readyz', url: `https://${loop}:${ports.scheduler}/readyz`, tls: serveTls },
      ],
    },
    kwok: {
      name: 'kwok',
      command: bins.paths.kwok,
      args: [
        `--kubeconfig=${kubeconfigFile(layout, 'kwok')}`,
        `--config=${kwokConfigFile(layout)}`,
        `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
        `--node-ip=${loop}`,
        `--node-port=${ports.kwok}`,
        `--server-address=${loop}:${ports.kwok}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        '--node-lease-duration-seconds=40',
        `--enable-crds=${KWOK_CRDS.join(',')}`,
      ],
      // kwok would also read ~/.kwok/kwok.yaml; point its work dir into our state instead.
      env: { KWOK_WORKDIR: join(layout.stateDir, 'kwok-work') },
      port: ports.kwok,
      checks: [{ name: 'healthz', url: `https://${loop}:${ports.kwok}/healthz`, tls: serveTls }],
    },
    agent: {
      name: 'agent',
      command: process.execPath,
      args: [
        '--import', tsxLoader(),
        agentEntry(),
        `--kubeconfig=${kubeconfigFile(layout, 'agent')}`,
        `--volumes=${layout.volumes}`,
        `--port=${ports.agent}`,
        `--kubevirt-vnc-port=${ports.kubevirtVnc}`,
        `--kubevirt-vnc-cert=${pki.kubevirtVncCert}`,
        `--kubevirt-vnc-key=${pki.kubevirtVncKey}`,
        `--vnc=${vnc}`,
        `--code=${agentCodeHash()}`,
      ],
      env: {},
      port: ports.agent,
      checks: [
        { name: 'healthz', url: `http://${loop}:${ports.agent}/healthz` },
        { name: 'kubevirt-vnc', url: `https://${loop}:${ports.kubevirtVnc}/healthz`, tls: serveTls },
      ],
    },
  };
}
