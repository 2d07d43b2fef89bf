// The real node's host processes, in start order: the local registry, containerd, kubelet,
// kube-proxy and kube-router as the NetworkPolicy enforcer (its documented agent mode, firewall
// only; CoreDNS runs as a pod: system-pods.ts). Same shape as the control plane's specs
// (../components.ts), so `up`, `status` and `down` treat them alike.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ComponentSpec, HealthCheck } from '../components';
import { runBuildScript } from '../build-script';
import { REAL_NODE, nodeDirs, kubeletArgs, type NodeDirs } from './config';
import { whichSync } from './host';

export const NODE_COMPONENTS = ['registry', 'containerd', 'kubelet', 'kube-proxy', 'kube-router'] as const;
export type NodeComponentName = (typeof NODE_COMPONENTS)[number];

export const NODE_BINARIES = ['kubelet', 'kube-proxy', 'coredns', 'kube-router', 'registry', 'pause'] as const;

export interface NodeBinaries {
  binDir: string;
  paths: Record<(typeof NODE_BINARIES)[number], string>;
  containerd: string;
}

/** The binaries of a bin folder found before (status reads them from the state file without building). */
export function nodeBinariesAt(binDir: string): NodeBinaries {
  const paths = Object.fromEntries(NODE_BINARIES.map((n) => [n, join(binDir, n)])) as NodeBinaries['paths'];
  return { binDir, paths, containerd: whichSync('containerd') ?? 'containerd' };
}

/** `LABFORGE_NODE_BIN`, else whatever build-node.sh prints (a no-op once its cache is complete). */
export async function locateNodeBinaries(log: (line: string) => void): Promise<NodeBinaries> {
  const fromEnv = process.env.LABFORGE_NODE_BIN;
  const binDir = fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : await runBuildScript('build-node.sh', log);
  const { paths } = nodeBinariesAt(binDir);
  const missing = NODE_BINARIES.filter((n) => !existsSync(paths[n]));
  if (missing.length) throw new Error(`missing node binaries in ${binDir}: ${missing.join(', ')} (run bash main/cluster/go/build-node.sh)`);
  const containerd = whichSync('containerd');
  if (!containerd) throw new Error('containerd is not installed (apt-get install containerd runc containernetworking-plugins)');
  return { binDir, paths, containerd };
}

export interface NodePorts {
  registry: number;
  containerdMetrics: number;
  kubelet: number;
  kubeletHealthz: number;
  kubeProxyHealthz: number;
  kubeProxyMetrics: number;
  kubeRouterHealthz: number;
}
export const NODE_PORT_KEYS = ['registry', 'containerdMetrics', 'kubelet', 'kubeletHealthz', 'kubeProxyHealthz', 'kubeProxyMetrics', 'kubeRouterHealthz'] as const satisfies readonly (keyof NodePorts)[];

export interface NodeFiles {
  dirs: NodeDirs;
  registryConfig: string;
  containerdConfig: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  kubeRouterKubeconfig: string;
}

export type NodeIdentity = 'kubelet' | 'kube-proxy' | 'kube-router';

export function nodeFiles(stateDir: string, run: string, config: string, kubeconfigOf: (id: NodeIdentity) => string): NodeFiles {
  return {
    dirs: nodeDirs(stateDir, run),
    registryConfig: join(config, 'registry.yaml'),
    containerdConfig: join(config, 'containerd.toml'),
    kubeletConfig: join(config, 'kubelet.yaml'),
    kubeletKubeconfig: kubeconfigOf('kubelet'),
    kubeProxyConfig: join(config, 'kube-proxy.yaml'),
    kubeRouterKubeconfig: kubeconfigOf('kube-router'),
  };
}

/** The distribution registry's configuration: loopback, plain HTTP, storage in the state directory. */
export function registryConfigYaml(port: number, storage: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storage)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
}

/**
 * kube-router as the NetworkPolicy enforcer only: iptables and ipsets over the pods of this node,
 * which this kernel supports (kube-network-policies needs nftables' queue expression, which it
 * lacks). Its service proxy and BGP router stay off: kube-proxy serves Services, the bridge plugin
 * the pod network, and the advisories against v2.1.0 concern the proxy (GHSA-phqm-jgc3-qf8g).
 */
export function kubeRouterArgs(kubeconfig: string, healthPort: number, serviceCidr: string): string[] {
  return [
    '--run-firewall=true',
    '--run-service-proxy=false',
    '--run-router=false',
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${REAL_NODE.name}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    `--health-port=${healthPort}`,
    '--metrics-port=0',
    '--v=1',
  ];
}

/** `serviceCidr`: the control plane's Service range (passed in: this module may not import the control plane's). */
export function nodeComponentSpecs(bins: NodeBinaries, files: NodeFiles, ports: NodePorts, serviceCidr: string): Record<NodeComponentName, ComponentSpec> {
  const http = (name: string, url: string): HealthCheck => ({ name, url });
  return {
    registry: {
      name: 'registry',
      command: bins.paths.registry,
      args: ['serve', files.registryConfig],
      env: { OTEL_TRACES_EXPORTER: 'none' },
      port: ports.registry,
      checks: [http('v2', `http://127.0.0.1:${ports.registry}/v2/`)],
    },
    containerd: {
      name: 'containerd',
      command: bins.containerd,
      args: ['--config', files.containerdConfig],
      env: {},
      port: ports.containerdMetrics,
      checks: [http('metrics', `http://127.0.0.1:${ports.containerdMetrics}/v1/metrics`)],
    },
    kubelet: {
      name: 'kubelet',
      command: bins.paths.kubelet,
      args: kubeletArgs(files.kubeletConfig, files.kubeletKubeconfig, files.dirs),
      env: {},
      port: ports.kubelet,
      checks: [http('healthz', `http://127.0.0.1:${ports.kubeletHealthz}/healthz`)],
    },
    'kube-proxy': {
      name: 'kube-proxy',
      command: bins.paths['kube-proxy'],
      args: [`--config=${files.kubeProxyConfig}`, '--v=1'],
      env: {},
      port: ports.kubeProxyHealthz,
      checks: [http('livez', `http://127.0.0.1:${ports.kubeProxyHealthz}/livez`)],
    },
    'kube-router': {
      name: 'kube-router',
      command: bins.paths['kube-router'],
      args: kubeRouterArgs(files.kubeRouterKubeconfig, ports.kubeRouterHealthz, serviceCidr),
      env: {},
      port: ports.kubeRouterHealthz,
      checks: [http('healthz', `http://127.0.0.1:${ports.kubeRouterHealthz}/healthz`)],
    },
  };
}
