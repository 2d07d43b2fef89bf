// `cluster up`: start (or repair) the local control plane and make it ready for compiled labs.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateBinaries, type Binaries } from './binaries';
import { ensurePki, KUBECONFIG_IDENTITIES, KUBEVIRT_VNC_SERVICE, type Pki } from './certs';
import { storageClass } from './agent/volume-provisioner';
import {
  COMPONENTS, PORT_KEYS, admissionFiles, componentSpecs, kubeconfigFile, kubeconfigYaml, kwokConfigFile,
  type ComponentName, type ComponentSpec, type ControlPlaneComponent, type Ports,
} from './components';
import type { KubeObject } from '../../common/compile/types';
import { applyObject } from '../kube/apply';
import { httpStatus } from '../kube/errors';
import { kindOf } from '../kube/cluster';
import { connect, type HttpCluster } from '../kube/http-cluster';
import { NODE } from '../kube/kinds';
import {
  DEFAULT_NODES, DEFAULT_VNC_TARGET, FAKE_NODE_LABEL, VNC_PORT, clusterPortForward, fakeNode, ingressObjects,
  isCpuQuantity, isMemoryQuantity, kubevirtVncObjects, kwokConfigYaml, kwokCrds, nodeName, parseForward, parseTarget,
  type ForwardRule, type NodeShape,
} from './manifests';
import { ensureComponent } from './component-runner';
import { kubevirtCrds } from './kubevirt-crds';
import { completePorts, portIsFree } from './net';
import { REAL_NODE } from './node/config';
import { realNodeUnsupported } from './node/host';
import { admissionConfig, placementTaints, SIMULATED_TAINT, type Placement } from './node/placement';
import { startRealNode } from './node/start';
import { layout, resolveStateDir, type Layout } from './paths';
import { isOurs } from './process';
import { readState, withLock, writeState, type ClusterState } from './state';
import { archiveLogs, cleanUpNode, stopAll, stopOrphans } from './stop';
import { waitFor } from './wait';

export interface ClusterUpOptions {
  /** State directory; default `LABFORGE_CLUSTER_DIR` or `<repo>/.labforge/cluster`. */
  stateDir?: string;
  /** Fake node count and shape; unset values keep what the running cluster has (defaults 4 × 32 CPU, 128Gi, 110 pods). */
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  nodePods?: number;
  /** host:port that `kubectl port-forward <pod> 5900` reaches; default 127.0.0.1:5900. */
  vnc?: string;
  /** Extra forwards `POD_PORT=HOST:PORT`; when given they replace the saved set. */
  forwards?: Array<string | ForwardRule>;
  /**
   * Run the real node (containerd, kubelet, kube-proxy, CoreDNS, policy enforcement, a local
   * registry). Default: kept from the last `up`; on a new state directory, on for the default
   * cluster wherever the machine can run it (root, the Debian packages), off for others.
   */
  realNode?: boolean;
  /** Default node kind for pods of namespaces that do not choose (node/placement.ts). Default: kept, else `real`. */
  placement?: Placement;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ClusterUpResult {
  stateDir: string;
  kubeconfig: string;
  server: string;
  /** Everything was already running and ready; nothing was started. */
  alreadyRunning: boolean;
  /** Components this call started (all six on a fresh start). */
  started: ComponentName[];
  components: Record<ControlPlaneComponent, { pid: number; port: number }> & Partial<Record<ComponentName, { pid: number; port: number }>>;
  /** Where a pod of a namespace without placement annotations goes; the real node's name when it runs. */
  placement: Placement;
  realNode?: string;
  nodes: string[];
  vnc: string;
  forwards: ForwardRule[];
  durationMs: number;
}

const READY_TIMEOUT_MS: Record<ControlPlaneComponent, number> = {
  etcd: 30_000,
  'kube-apiserver': 120_000,
  'kube-controller-manager': 60_000,
  'kube-scheduler': 60_000,
  kwok: 60_000,
  agent: 60_000,
};

export async function clusterUp(opts: ClusterUpOptions = {}): Promise<ClusterUpResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const l = layout(resolveStateDir(opts.stateDir));
  // A cold build can take a quarter of an hour; another `up` waits for it rather than failing.
  return withLock(l, 30 * 60_000, async () => {
    const bins = await locateBinaries(log);
    let state = readState(l);
    if (state && state.binDir !== bins.binDir) {
      log(`binaries changed (${state.binDir} -> ${bins.binDir}); restarting every component`);
      await stopAll(l, state);
    }
    if (!state) {
      await stopOrphans(l);
      await freshStateDir(l, log);
    }
    const withRealNode = resolveRealNode(opts.realNode, state?.withRealNode, l.stateDir === resolveStateDir(), log);
    const pki = await ensurePki(l.pki);
    state = {
      version: 1,
      createdAt: state?.createdAt ?? new Date().toISOString(),
      binDir: bins.binDir,
      ports: await completePorts(PORT_KEYS, state?.ports),
      nodes: resolveNodes(opts, state?.nodes),
      vnc: formatTarget(opts.vnc ?? state?.vnc ?? DEFAULT_VNC_TARGET),
      forwards: opts.forwards ? opts.forwards.map((f) => (typeof f === 'string' ? parseForward(f) : f)) : state?.forwards ?? [],
      components: state?.components ?? {},
      withRealNode,
      placement: opts.placement ?? state?.placement ?? 'real',
      ...(state?.realNode ? { realNode: state.realNode } : {}),
    };
    if (state.forwards.some((f) => f.port === VNC_PORT)) throw new Error(`pod port ${VNC_PORT} is the VNC forward; set it with --vnc`);
    await mkdir(l.logs, { recursive: true });
    await mkdir(l.run, { recursive: true });

    // Which components need (re)starting? A port taken by someone else means a clean restart on new ports.
    const alive = (name: ComponentName) => {
      const rec = state.components[name];
      return !!rec && isOurs(rec);
    };
    const dead = COMPONENTS.filter((c) => !alive(c));
    if (dead.length > 0 && dead.length < COMPONENTS.length) log(`restarting: ${dead.join(', ')}`);
    let specs = componentSpecs({ bins, pki, layout: l, ports: state.ports, vnc: state.vnc });
    if (!(await portsFreeFor(dead, specs, state.ports))) {
      log('a port of this cluster is taken by another process; restarting everything on new ports');
      await stopAll(l, state);
      state.ports = await completePorts(PORT_KEYS, undefined);
      specs = componentSpecs({ bins, pki, layout: l, ports: state.ports, vnc: state.vnc });
    }
    await writeConfigs(l, pki, bins, state.ports);
    await writeState(l, state);

    const started: ComponentName[] = [];
    let cluster: HttpCluster | undefined;
    for (const name of COMPONENTS) {
      const timeouts = { start: READY_TIMEOUT_MS[name], running: name === 'kube-apiserver' ? READY_TIMEOUT_MS[name] : 20_000 };
      if (await ensureComponent(l, state, name, specs[name], timeouts, log)) started.push(name);
      if (name === 'kube-apiserver') {
        cluster = connect({ kubeconfig: l.kubeconfig });
        await applyApiObjects(cluster, bins, pki, state, log);
      }
    }
    if (!cluster) throw new Error('unreachable: apiserver step skipped');
    const nodePorts: Partial<Record<ComponentName, number>> = {};
    if (state.withRealNode) {
      const apiCluster = cluster;
      started.push(...(await startRealNode({
        layout: l, state, pki, cluster: apiCluster, apiserverPort: state.ports.apiserver,
        kubeconfigOf: (id) => kubeconfigFile(l, id), log,
      })));
      await writeState(l, state);
      const np = state.realNode!.ports;
      Object.assign(nodePorts, { registry: np.registry, containerd: np.containerdMetrics, kubelet: np.kubelet, 'kube-proxy': np.kubeProxyHealthz });
    }

    const nodes = await waitNodesReady(cluster, state.nodes.count);
    await waitApiServiceAvailable(cluster, KUBEVIRT_VNC_API_SERVICE);
    await waitDefaultServiceAccount(cluster);
    cluster.close();
    const durationMs = Date.now() - t0;
    log(started.length ? 'all components ready' : 'cluster already running');
    const components = Object.fromEntries([
      ...COMPONENTS.map((c) => [c, { pid: state.components[c]?.pid ?? 0, port: specs[c].port }]),
      ...Object.entries(nodePorts).map(([c, port]) => [c, { pid: state.components[c as ComponentName]?.pid ?? 0, port }]),
    ]) as ClusterUpResult['components'];
    return {
      stateDir: l.stateDir,
      kubeconfig: l.kubeconfig,
      server: `https://127.0.0.1:${state.ports.apiserver}`,
      alreadyRunning: started.length === 0,
      started,
      components,
      nodes,
      vnc: state.vnc,
      forwards: state.forwards,
      placement: state.placement ?? 'real',
      ...(state.withRealNode ? { realNode: REAL_NODE.name } : {}),
      durationMs,
    };
  });
}

function resolveRealNode(asked: boolean | undefined, saved: boolean | undefined, isDefaultCluster: boolean, log: (line: string) => void): boolean {
  const why = realNodeUnsupported();
  if (asked === true && why) throw new Error(`cannot run the real node here: ${why}`);
  const want = asked ?? saved ?? isDefaultCluster;
  if (want && why) {
    log(`no real node: ${why}; pods run on kwok's simulated nodes only (nothing in them runs)`);
    return false;
  }
  return want;
}

function resolveNodes(opts: ClusterUpOptions, saved: NodeShape | undefined): NodeShape {
  const base = saved ?? DEFAULT_NODES;
  const shape: NodeShape = {
    count: opts.nodes ?? base.count,
    cpu: opts.nodeCpu ?? base.cpu,
    memory: opts.nodeMemory ?? base.memory,
    pods: opts.nodePods ?? base.pods,
  };
  if (!Number.isInteger(shape.count) || shape.count < 1 || shape.count > 100) throw new Error(`--nodes must be 1..100 (got ${shape.count})`);
  if (!Number.isInteger(shape.pods) || shape.pods < 1) throw new Error(`--node-pods must be a positive integer (got ${shape.pods})`);
  if (!isCpuQuantity(shape.cpu)) throw new Error(`--node-cpu must be a CPU quantity such as 32 or 500m (got ${shape.cpu})`);
  if (!isMemoryQuantity(shape.memory)) throw new Error(`--node-memory must be a quantity such as 128Gi (got ${shape.memory})`);
  return shape;
}

function formatTarget(text: string): string {
  const t = parseTarget(text);
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}


async function portsFreeFor(dead: ControlPlaneComponent[], specs: Record<ControlPlaneComponent, ComponentSpec>, ports: Ports): Promise<boolean> {
  const needed = dead.map((c) => specs[c].port);
  if (dead.includes('etcd')) needed.push(ports.etcdPeer);
  for (const p of needed) if (!(await portIsFree(p))) return false;
  return true;
}

/** A state directory without a state file: stop what a lost state left running, archive any logs, then start from scratch. */
async function freshStateDir(l: Layout, log: (line: string) => void) {
  // Unmount before removing anything: a pod's volume mounts lead into host directories.
  await cleanUpNode(l, undefined, log);
  await archiveLogs(l);
  for (const entry of await readdir(l.stateDir).catch(() => [] as string[])) {
    if (entry !== '.lock') await rm(join(l.stateDir, entry), { recursive: true, force: true });
  }
}

async function writeConfigs(l: Layout, pki: Pki, bins: Binaries, ports: Ports) {
  await mkdir(l.config, { recursive: true });
  await mkdir(l.volumes, { recursive: true });
  for (const id of KUBECONFIG_IDENTITIES) {
    await writeFile(kubeconfigFile(l, id), kubeconfigYaml(pki, id, ports.apiserver), { mode: 0o600 });
  }
  await writeFile(kwokConfigFile(l), await kwokConfigYaml(bins.kwokStageDir));
  const files = admissionFiles(l);
  const texts = admissionConfig(files);
  for (const key of Object.keys(files) as (keyof typeof files)[]) await writeFile(files[key], texts[key]);
}

const CRD_ESTABLISH_TIMEOUT = 30_000;

/** CRDs, the forward rules, ingress objects and fake nodes; all idempotent (server-side apply). */
async function applyApiObjects(cluster: HttpCluster, bins: Binaries, pki: Pki, state: ClusterState, log: (line: string) => void) {
  const crds = [...(await kwokCrds(bins.kwokCrdDir)), ...kubevirtCrds];
  await Promise.all(crds.map((crd) => applyObject(cluster, crd)));
  await Promise.all(crds.map((crd) => waitEstablished(cluster, crd.metadata.name)));
  const vnc = parseTarget(state.vnc);
  const rules: ForwardRule[] = [{ port: VNC_PORT, host: vnc.host, targetPort: vnc.port }, ...state.forwards];
  const objects: KubeObject[] = [
    clusterPortForward(rules),
    ...ingressObjects,
    storageClass,
    ...kubevirtVncObjects(KUBEVIRT_VNC_SERVICE, state.ports.kubevirtVnc, await readFile(pki.caCert, 'utf8')),
  ];
  for (const obj of objects) await applyObject(cluster, obj);
  // With a real node, the kind of node the placement does not name repels pods (node/placement.ts).
  await reconcileNodes(cluster, state.nodes, placementTaints(state.placement ?? 'real', !!state.withRealNode).simulated, log);
}

const CRD = kindOf<{ status?: { conditions?: { type: string; status: string }[] } }>('apiextensions.k8s.io/v1', 'CustomResourceDefinition');

async function waitEstablished(cluster: HttpCluster, name: string) {
  await waitFor(`CRD ${name} to be established`, CRD_ESTABLISH_TIMEOUT, async () => {
    const crd = await cluster.read(CRD, name);
    return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  }, 100);
}

const API_SERVICE = kindOf<{ status?: { conditions?: { type: string; status: string; message?: string }[] } }>('apiregistration.k8s.io/v1', 'APIService');
const KUBEVIRT_VNC_API_SERVICE = 'v1.subresources.kubevirt.io';

/** The aggregator proxies to an APIService only once its own probe of the server's discovery succeeded. */
async function waitApiServiceAvailable(cluster: HttpCluster, name: string) {
  let last = '';
  try {
    await waitFor(`APIService ${name} to be Available`, 60_000, async () => {
      const c = (await cluster.read(API_SERVICE, name))?.status?.conditions?.find((x) => x.type === 'Available');
      last = c?.message ?? '';
      return c?.status === 'True' ? true : undefined;
    }, 200);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}${last ? `: ${last}` : ''}`);
  }
}

/** Creates missing fake nodes, updates capacity that changed, and deletes nodes beyond the count. */
async function reconcileNodes(cluster: HttpCluster, shape: NodeShape, taints: { key: string; value: string; effect: string }[], log: (line: string) => void) {
  const existing = new Map((await cluster.list(NODE, { labelSelector: `${FAKE_NODE_LABEL}=true` })).items.map((n) => [n.metadata?.name ?? '', n]));
  for (let i = 0; i < shape.count; i++) {
    const want = fakeNode(i, shape);
    want.spec = { taints };
    const have = existing.get(want.metadata.name);
    existing.delete(want.metadata.name);
    const resources = (want.status as { capacity: Record<string, string> }).capacity;
    if (!have) {
      log(`registering node ${want.metadata.name}`);
      try {
        // Created with its status, as a kubelet registers its node.
        await cluster.create(want);
      } catch (err) {
        if (httpStatus(err) !== 409) throw err;
      }
      continue;
    }
    const haveTaints = (have.spec?.taints ?? []).filter((t) => t.key === SIMULATED_TAINT.key);
    if (haveTaints.length !== taints.length) {
      log(`${taints.length ? 'tainting' : 'untainting'} node ${want.metadata.name}`);
      const others = (have.spec?.taints ?? []).filter((t) => t.key !== SIMULATED_TAINT.key);
      await cluster.patch(NODE, want.metadata.name, undefined, [{ op: 'add', path: '/spec/taints', value: [...others, ...taints] }]);
    }
    const cap = have.status?.capacity ?? {};
    if (Object.entries(resources).some(([k, v]) => cap[k] !== v)) {
      log(`resizing node ${want.metadata.name}`);
      await cluster.patch(NODE, want.metadata.name, undefined, [
        { op: 'add', path: '/status/capacity', value: resources },
        { op: 'add', path: '/status/allocatable', value: resources },
      ], 'status');
    }
  }
  for (const name of existing.keys()) {
    log(`removing node ${name}`);
    await cluster.delete(NODE, name);
  }
}

/** New nodes carry not-ready taints until kwok reports Ready and node-lifecycle lifts them. */
async function waitNodesReady(cluster: HttpCluster, count: number): Promise<string[]> {
  return waitFor(`${count} fake nodes to be Ready and untainted`, 90_000, async () => {
    const items = (await cluster.list(NODE, { labelSelector: `${FAKE_NODE_LABEL}=true` })).items;
    const ready = items.filter(
      (n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
        !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')) &&
        !n.spec?.unschedulable,
    );
    const names = ready.map((n) => n.metadata?.name ?? '').sort();
    const want = Array.from({ length: count }, (_, i) => nodeName(i)).sort();
    return names.length === want.length && names.every((n, i) => n === want[i]) ? names : undefined;
  });
}

/** The service-account controller is working once `default/default` exists. */
async function waitDefaultServiceAccount(cluster: HttpCluster) {
  await waitFor('the default ServiceAccount', 60_000, async () => ((await cluster.read(kindOf('v1', 'ServiceAccount'), 'default', 'default')) ? true : undefined));
}
