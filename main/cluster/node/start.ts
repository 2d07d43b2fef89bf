// Brings the real node up after the control plane: host preparation, configuration files, the
// local registry (with the node's images pushed to it), containerd, kubelet, kube-proxy, the
// policy enforcer (kube-router, once the node is registered), then the cluster DNS as a pod;
// returns once the node is Ready and CoreDNS answers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pki } from '../certs';
import { ensureComponent } from '../component-runner';
import { SERVICE_CIDR, type ComponentName } from '../components';
import type { HttpCluster } from '../../kube/http-cluster';
import { applyObject } from '../../kube/apply';
import { kindOf } from '../../kube/cluster';
import { NODE } from '../../kube/kinds';
import { completePorts } from '../net';
import type { Layout } from '../paths';
import { forgetProcess, type ClusterState } from '../state';
import { isOurs, stopProcess } from '../process';
import { waitFor } from '../wait';
import { MIRRORED_REGISTRIES, REAL_NODE, cniConflist, containerdConfig, kubeProxyConfig, kubeletConfig, registryHostsToml } from './config';
import {
  NODE_COMPONENTS, NODE_PORT_KEYS, locateNodeBinaries, nodeComponentSpecs, nodeFiles, registryConfigYaml,
  type NodeComponentName, type NodeFiles, type NodeIdentity, type NodePorts,
} from './components';
import { exposeApiToPods, prepareHost, upstreamResolvConf } from './host';
import { SYSTEM_IMAGES } from './image-recipes';
import { provideImages, pushCachedImages } from './images';
import { placementTaints, REAL_TAINT } from './placement';
import { systemPodObjects } from './system-pods';

const TIMEOUTS: Record<NodeComponentName, { start: number; running: number }> = {
  registry: { start: 20_000, running: 10_000 },
  containerd: { start: 30_000, running: 10_000 },
  kubelet: { start: 90_000, running: 30_000 },
  'kube-proxy': { start: 60_000, running: 20_000 },
  'kube-router': { start: 60_000, running: 20_000 },
};

export interface StartNodeContext {
  layout: Layout;
  state: ClusterState;
  pki: Pki;
  cluster: HttpCluster;
  apiserverPort: number;
  kubeconfigOf: (id: NodeIdentity) => string;
  log: (line: string) => void;
}

/**
 * Writes a file only when its content changes: kube-proxy watches its configuration and exits
 * when the file is written, even with the same text.
 */
async function writeIfChanged(file: string, text: string): Promise<boolean> {
  if ((await readFile(file, 'utf8').catch(() => undefined)) === text) return false;
  await writeFile(file, text);
  return true;
}

/** Writes the node's configuration files; returns the components whose configuration changed (each reads it at start only). */
async function writeNodeConfigs(files: NodeFiles, ports: NodePorts, pki: Pki, layout: Layout, kubeProxyKubeconfig: string): Promise<NodeComponentName[]> {
  const d = files.dirs;
  for (const dir of [d.containerdRoot, d.containerdState, d.registryHosts, d.cniConf, d.kubeletRoot, d.podLogs, join(layout.stateDir, 'registry')]) {
    await mkdir(dir, { recursive: true });
  }
  const changed: NodeComponentName[] = [];
  if (await writeIfChanged(files.registryConfig, registryConfigYaml(ports.registry, join(layout.stateDir, 'registry')))) changed.push('registry');
  let containerd = await writeIfChanged(files.containerdConfig, containerdConfig(d, ports.containerdMetrics));
  for (const registry of MIRRORED_REGISTRIES) {
    await mkdir(join(d.registryHosts, registry), { recursive: true });
    // containerd reads hosts.toml per pull: no restart for these.
    await writeIfChanged(join(d.registryHosts, registry, 'hosts.toml'), registryHostsToml(registry, `127.0.0.1:${ports.registry}`));
  }
  containerd = (await writeIfChanged(join(d.cniConf, '10-labforge.conflist'), cniConflist(d.cniIpam))) || containerd;
  if (containerd) changed.push('containerd');
  if (await writeIfChanged(files.kubeletConfig, kubeletConfig({
    caCert: pki.caCert, servingCert: pki.kubeletCert, servingKey: pki.kubeletKey,
    port: ports.kubelet, healthzPort: ports.kubeletHealthz, dirs: d, resolvConf: upstreamResolvConf(),
  }))) changed.push('kubelet');
  if (await writeIfChanged(files.kubeProxyConfig, kubeProxyConfig(kubeProxyKubeconfig, ports.kubeProxyHealthz, ports.kubeProxyMetrics))) changed.push('kube-proxy');
  return changed;
}

export async function startRealNode(ctx: StartNodeContext): Promise<ComponentName[]> {
  const { layout: l, state, log } = ctx;
  const bins = await locateNodeBinaries(log);
  const ports: NodePorts = await completePorts(NODE_PORT_KEYS, state.realNode?.ports);
  state.realNode = { binDir: bins.binDir, ports };
  await prepareHost();
  await exposeApiToPods(ctx.apiserverPort);
  const files = nodeFiles(l.stateDir, l.run, l.config, ctx.kubeconfigOf);
  const changed = await writeNodeConfigs(files, ports, ctx.pki, l, ctx.kubeconfigOf('kube-proxy'));
  for (const name of changed) {
    const rec = state.components[name];
    if (!rec || !isOurs(rec)) continue;
    log(`${name}: configuration changed; restarting it`);
    await stopProcess(rec, name === 'containerd' ? 10_000 : 5000);
    await forgetProcess(l, state, name);
  }
  const specs = nodeComponentSpecs(bins, files, ports, SERVICE_CIDR);
  const registry = `127.0.0.1:${ports.registry}`;

  const started: ComponentName[] = [];
  for (const name of NODE_COMPONENTS) {
    if (name === 'kube-router') {
      // The enforcer reads its own node object at start and needs its role first.
      for (const obj of systemPodObjects(ctx.apiserverPort)) await applyObject(ctx.cluster, obj);
      await waitNodeReady(ctx.cluster);
    }
    if (await ensureComponent(l, state, name, specs[name], TIMEOUTS[name], log)) started.push(name);
    if (name === 'registry') {
      // The sandbox and system images first (seconds); then whatever lab images were built before.
      await provideImages(registry, SYSTEM_IMAGES, bins.binDir, log);
      const pushed = await pushCachedImages(registry, bins.binDir, log);
      if (pushed) log(`pushed ${pushed} cached image tags to the local registry`);
    }
  }
  await reconcileRealNodeTaints(ctx.cluster, placementTaints(state.placement ?? 'real', true).real, log);
  await waitSystemPods(ctx.cluster);
  return started;
}

/** The real node repels ordinary pods when the placement is `simulated` (placement.ts); kubelet keeps a taint it did not set. */
async function reconcileRealNodeTaints(cluster: HttpCluster, taints: (typeof REAL_TAINT)[], log: (line: string) => void) {
  const node = await cluster.read(NODE, REAL_NODE.name);
  const have = (node?.spec?.taints ?? []).filter((t) => t.key === REAL_TAINT.key);
  if (have.length === taints.length) return;
  const others = (node?.spec?.taints ?? []).filter((t) => t.key !== REAL_TAINT.key);
  log(`${taints.length ? 'tainting' : 'untainting'} node ${REAL_NODE.name}`);
  await cluster.patch(NODE, REAL_NODE.name, undefined, [{ op: 'add', path: '/spec/taints', value: [...others, ...taints] }]);
}

async function waitNodeReady(cluster: HttpCluster) {
  await waitFor(`node ${REAL_NODE.name} to be Ready`, 120_000, async () => {
    const node = await cluster.read(NODE, REAL_NODE.name);
    return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  }, 500);
}

const POD = kindOf<{ metadata?: { name?: string }; status?: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] } }>('v1', 'Pod');

/** CoreDNS answers: a lab published right after `up` gets names (the enforcer is a host process, already running). */
async function waitSystemPods(cluster: HttpCluster) {
  let last = '';
  try {
    await waitFor('CoreDNS to be Ready', 180_000, async () => {
      const pods = (await cluster.list(POD, { namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' })).items;
      const ready = (p: (typeof pods)[number]) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      last = pods.map((p) => `${p.metadata?.name}: ${ready(p) ? 'ready' : p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? p.status?.phase ?? 'pending'}`).join(', ');
      return pods.length > 0 && pods.every(ready) ? true : undefined;
    }, 500);
  } catch (err) {
    throw new Error(`${(err as Error).message}${last ? ` (${last})` : ''}`);
  }
}
