// `cluster up`: start (or repair) the local control plane and make it ready for compiled labs.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateBinaries, type Binaries } from './binaries';
import { ensurePki, KUBECONFIG_IDENTITIES, KUBEVIRT_VNC_SERVICE, type Pki } from './certs';
import { storageClass } from './volume-provisioner';
import {
  COMPONENTS, PORT_KEYS, componentSpecs, kubeconfigFile, kubeconfigYaml, kwokConfigFile,
  type ComponentName, type ComponentSpec, type Ports,
} from './components';
import type { KubeObject } from '../../common/compile/types';
import { applyObject } from '../kube/apply';
import { httpStatus } from '../kube/errors';
import { kindOf } from '../kube/cluster';
import { connect, type HttpCluster } from '../kube/http-cluster';
import { NODE } from '../kube/kinds';
import {
  DEFAULT_NODES, DEFAULT_VNC_TARGET, FAKE_NODE_LABEL, VNC_PORT, clusterPortForward, fakeNode, ingressObjects,
  isCpuQuantity, isMemoryQuantity, kubevirtVncObjects, kwokConfigYaml, kwokCrds, nodeName, parseForward, parseTarget, virtualMachineCrd,
  type ForwardRule, type NodeShape,
} from './manifests';
import { freePorts, portIsFree, probe } from './net';
import { layout, resolveStateDir, type Layout } from './paths';
import { childEnv, isOurs, sleep, spawnDetached, stopProcess, tailFile, type ProcessRecord } from './process';
import { forgetProcess, logFile, pidFile, readState, recordProcess, withLock, writeState, type ClusterState } from './state';
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
  components: Record<ComponentName, { pid: number; port: number }>;
  nodes: string[];
  vnc: string;
  forwards: ForwardRule[];
  durationMs: number;
}

const READY_TIMEOUT_MS: Record<ComponentName, number> = {
  etcd: 30_000,
  'kube-apiserver': 120_000,
  'kube-controller-manager': 60_000,
  'kube-scheduler': 60_000,
  kwok: 60_000,
  'exec-sandbox': 60_000,
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
      await freshStateDir(l);
    }
    const pki = await ensurePki(l.pki);
    state = {
      version: 1,
      createdAt: state?.createdAt ?? new Date().toISOString(),
      binDir: bins.binDir,
      ports: await completePorts(state?.ports),
      nodes: resolveNodes(opts, state?.nodes),
      vnc: formatTarget(opts.vnc ?? state?.vnc ?? DEFAULT_VNC_TARGET),
      forwards: opts.forwards ? opts.forwards.map((f) => (typeof f === 'string' ? parseForward(f) : f)) : state?.forwards ?? [],
      components: state?.components ?? {},
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
      state.ports = await allocatePorts();
      specs = componentSpecs({ bins, pki, layout: l, ports: state.ports, vnc: state.vnc });
    }
    await writeConfigs(l, pki, bins, state.ports);
    await writeState(l, state);

    const started: ComponentName[] = [];
    let cluster: HttpCluster | undefined;
    for (const name of COMPONENTS) {
      const spec = specs[name];
      let rec = state.components[name];
      if (rec && isOurs(rec) && (rec.command !== spec.command || rec.args.join('\0') !== spec.args.join('\0'))) {
        log(`${name}: command line changed; restarting it`);
        await stopProcess(rec, name === 'etcd' ? 10_000 : 3000);
        await forgetProcess(l, state, name);
        rec = undefined;
      }
      if (rec && isOurs(rec)) {
        await waitReady(spec, rec, undefined, name === 'kube-apiserver' ? READY_TIMEOUT_MS[name] : 20_000);
      } else {
        if (rec) await forgetProcess(l, state, name);
        log(`starting ${name} on 127.0.0.1:${spec.port}`);
        const { record, exited } = spawnDetached(spec.command, spec.args, logFile(l, name), { env: childEnv(spec.env) });
        await recordProcess(l, state, name, record);
        await waitReady(spec, record, exited, READY_TIMEOUT_MS[name]);
        started.push(name);
      }
      if (name === 'kube-apiserver') {
        cluster = connect({ kubeconfig: l.kubeconfig });
        await applyApiObjects(cluster, bins, pki, state, log);
      }
    }
    if (!cluster) throw new Error('unreachable: apiserver step skipped');

    const nodes = await waitNodesReady(cluster, state.nodes.count);
    await waitApiServiceAvailable(cluster, KUBEVIRT_VNC_API_SERVICE);
    await waitDefaultServiceAccount(cluster);
    cluster.close();
    const durationMs = Date.now() - t0;
    log(started.length ? 'all components ready' : 'cluster already running');
    const components = Object.fromEntries(
      COMPONENTS.map((c) => [c, { pid: state.components[c]?.pid ?? 0, port: specs[c].port }]),
    ) as ClusterUpResult['components'];
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
      durationMs,
    };
  });
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

async function allocatePorts(): Promise<Ports> {
  const free = await freePorts(PORT_KEYS.length);
  return Object.fromEntries(PORT_KEYS.map((k, i) => [k, free[i]])) as unknown as Ports;
}

/** The saved ports plus fresh ones for components a newer version added (a state written before them). */
async function completePorts(saved: Partial<Ports> | undefined): Promise<Ports> {
  if (!saved) return allocatePorts();
  const missing = PORT_KEYS.filter((k) => typeof saved[k] !== 'number');
  const free = await freePorts(missing.length);
  return { ...saved, ...Object.fromEntries(missing.map((k, i) => [k, free[i]])) } as Ports;
}

async function portsFreeFor(dead: ComponentName[], specs: Record<ComponentName, ComponentSpec>, ports: Ports): Promise<boolean> {
  const needed = dead.map((c) => specs[c].port);
  if (dead.includes('etcd')) needed.push(ports.etcdPeer);
  for (const p of needed) if (!(await portIsFree(p))) return false;
  return true;
}

/** A state directory without a state file: archive any logs, then start from scratch. */
async function freshStateDir(l: Layout) {
  await archiveLogs(l);
  for (const entry of await readdir(l.stateDir).catch(() => [] as string[])) {
    if (entry !== '.lock') await rm(join(l.stateDir, entry), { recursive: true, force: true });
  }
}

export async function archiveLogs(l: Layout): Promise<string | undefined> {
  const files = await readdir(l.logs).catch(() => [] as string[]);
  if (files.length === 0) return undefined;
  const dest = join(l.logArchive, new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(l.logArchive, { recursive: true });
  await rename(l.logs, dest);
  return dest;
}

/** Stops every recorded component, newest first (pids verified), keeping data and certificates. */
export async function stopAll(l: Layout, state: ClusterState): Promise<Array<{ name: ComponentName; pid: number; stopped: boolean }>> {
  const out: Array<{ name: ComponentName; pid: number; stopped: boolean }> = [];
  const stop = async (name: ComponentName, graceMs: number) => {
    const rec = state.components[name];
    if (!rec) return;
    out.push({ name, pid: rec.pid, stopped: await stopProcess(rec, graceMs) });
    delete state.components[name];
    await rm(pidFile(l, name), { force: true });
  };
  // Everything but etcd is stateless and reconnects: stop those together (the apiserver's graceful
  // shutdown can hang on open watches, so it gets a short grace), then etcd on its own.
  await Promise.all(COMPONENTS.filter((c) => c !== 'etcd').map((c) => stop(c, 3000)));
  await stop('etcd', 10_000);
  if (existsSync(l.stateFile)) await writeState(l, state);
  return out;
}

/**
 * Without a state file the pid files are all we have: stop a pid only if its command line still
 * names this state directory (so it is one of ours, not a recycled pid).
 */
export async function stopOrphans(l: Layout): Promise<Array<{ name: ComponentName; pid: number }>> {
  const out: Array<{ name: ComponentName; pid: number }> = [];
  for (const name of [...COMPONENTS].reverse()) {
    const pid = Number((await readFileOr(pidFile(l, name))).trim());
    if (!pid) continue;
    const argv = (await readFileOr(`/proc/${pid}/cmdline`)).split('\0').filter(Boolean);
    if (argv.length === 0 || !argv.some((a) => a.includes(l.stateDir))) continue;
    const rec: ProcessRecord = { pid, command: argv[0] as string, args: argv.slice(1), startTicks: 0, startedAt: '', logFile: '' };
    if (await stopProcess(rec)) out.push({ name, pid });
  }
  return out;
}

async function readFileOr(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

async function writeConfigs(l: Layout, pki: Pki, bins: Binaries, ports: Ports) {
  await mkdir(l.config, { recursive: true });
  await mkdir(l.sandboxes, { recursive: true });
  for (const id of KUBECONFIG_IDENTITIES) {
    await writeFile(kubeconfigFile(l, id), kubeconfigYaml(pki, id, ports.apiserver), { mode: 0o600 });
  }
  await writeFile(kwokConfigFile(l), await kwokConfigYaml(bins.kwokStageDir));
}

/** Polls a component's health checks until all pass; fails fast if the process exits. */
async function waitReady(
  spec: ComponentSpec,
  rec: ProcessRecord,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined,
  timeoutMs: number,
) {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited?.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (exit || !isOurs(rec)) {
      const how = exit ? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`) : 'it is gone';
      throw new Error(`${spec.name} (pid ${rec.pid}) died during startup (${how}); last log lines from ${rec.logFile}:\n${await tailFile(rec.logFile)}`);
    }
    const results = await Promise.all(spec.checks.map((c) => probe(c.url, c.tls)));
    if (results.every((r) => r.ok)) return;
    last = results.map((r, i) => `${spec.checks[i]?.name}: ${r.ok ? 'ok' : r.error ?? `HTTP ${r.status} ${r.body?.slice(-300) ?? ''}`}`).join('; ');
    if (Date.now() > deadline) {
      throw new Error(`${spec.name} (pid ${rec.pid}) not ready after ${timeoutMs / 1000}s (${last}); log: ${rec.logFile}\n${await tailFile(rec.logFile)}`);
    }
    await sleep(200);
  }
}

const CRD_ESTABLISH_TIMEOUT = 30_000;

/** CRDs, the forward rules, ingress objects and fake nodes; all idempotent (server-side apply). */
async function applyApiObjects(cluster: HttpCluster, bins: Binaries, pki: Pki, state: ClusterState, log: (line: string) => void) {
  const crds = [...(await kwokCrds(bins.kwokCrdDir)), virtualMachineCrd];
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
  await reconcileNodes(cluster, state.nodes, log);
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
async function reconcileNodes(cluster: HttpCluster, shape: NodeShape, log: (line: string) => void) {
  const existing = new Map((await cluster.list(NODE, { labelSelector: `${FAKE_NODE_LABEL}=true` })).items.map((n) => [n.metadata?.name ?? '', n]));
  for (let i = 0; i < shape.count; i++) {
    const want = fakeNode(i, shape);
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
