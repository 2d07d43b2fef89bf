// `cluster status`: each component's pid, port, liveness and health checks, plus the nodes.
import { existsSync } from 'node:fs';
import { pkiPaths } from './certs';
import { COMPONENTS, SERVICE_CIDR, componentSpecs, kubeconfigFile, type ComponentName, type ComponentSpec } from './components';
import { NODE_COMPONENTS, nodeBinariesAt, nodeComponentSpecs, nodeFiles } from './node/components';
import { REAL_NODE } from './node/config';
import type { Placement } from './node/placement';
import { connect, type HttpCluster } from '../kube/http-cluster';
import { NODE } from '../kube/kinds';
import { FAKE_NODE_LABEL, type ForwardRule } from './manifests';
import { probe } from './net';
import { layout, resolveStateDir } from './paths';
import { isOurs, tailFile } from './process';
import { logFile, readState } from './state';
import { BINARY_NAMES, type Binaries } from './binaries';
import { join } from 'node:path';

export interface ComponentStatus {
  name: ComponentName;
  pid: number | null;
  port: number | null;
  /** The recorded pid is alive and still our process. */
  alive: boolean;
  /** Every health check answered 200 (false when not alive). */
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
  logFile: string;
  /** Last log lines of a component that is not alive. */
  logTail?: string;
}

export interface ClusterStatusResult {
  stateDir: string;
  /** absent: no cluster here; running: all alive and ready; degraded: something died or is unhealthy. */
  state: 'absent' | 'running' | 'degraded';
  kubeconfig: string;
  server?: string;
  components: ComponentStatus[];
  nodes: Array<{ name: string; kind: 'real' | 'simulated'; ready: boolean }>;
  vnc?: string;
  forwards: ForwardRule[];
  placement?: Placement;
}

export async function clusterStatus(opts: { stateDir?: string } = {}): Promise<ClusterStatusResult> {
  const l = layout(resolveStateDir(opts.stateDir));
  const state = readState(l);
  if (!state) {
    return { stateDir: l.stateDir, state: 'absent', kubeconfig: l.kubeconfig, components: [], nodes: [], forwards: [] };
  }
  const bins: Binaries = {
    binDir: state.binDir,
    paths: Object.fromEntries(BINARY_NAMES.map((n) => [n, join(state.binDir, n)])) as Binaries['paths'],
    kwokStageDir: '',
    kwokCrdDir: '',
  };
  const specs: Partial<Record<ComponentName, ComponentSpec>> = componentSpecs({ bins, pki: pkiPaths(l.pki), layout: l, ports: state.ports, vnc: state.vnc });
  const names: ComponentName[] = [...COMPONENTS];
  if (state.withRealNode && state.realNode) {
    Object.assign(specs, nodeComponentSpecs(nodeBinariesAt(state.realNode.binDir), nodeFiles(l.stateDir, l.run, l.config, (id) => kubeconfigFile(l, id)), state.realNode.ports, SERVICE_CIDR));
    names.push(...NODE_COMPONENTS);
  }
  const components = await Promise.all(
    names.map(async (name): Promise<ComponentStatus> => {
      const spec = specs[name] as ComponentSpec;
      const rec = state.components[name];
      const alive = !!rec && isOurs(rec);
      const checks = alive
        ? await Promise.all(
            spec.checks.map(async (c) => {
              const r = await probe(c.url, c.tls);
              return { name: c.name, ok: r.ok, ...(r.ok ? {} : { detail: r.error ?? `HTTP ${r.status}` }) };
            }),
          )
        : [];
      const file = logFile(l, name);
      return {
        name,
        pid: rec?.pid ?? null,
        port: spec.port,
        alive,
        ready: alive && checks.every((c) => c.ok),
        checks,
        logFile: file,
        ...(alive ? {} : { logTail: await tailFile(file, 10) }),
      };
    }),
  );
  let nodes: ClusterStatusResult['nodes'] = [];
  const apiUp = components.find((c) => c.name === 'kube-apiserver')?.ready;
  if (apiUp && existsSync(l.kubeconfig)) {
    let cluster: HttpCluster | undefined;
    try {
      cluster = connect({ kubeconfig: l.kubeconfig });
      const all = (await cluster.list(NODE)).items;
      nodes = all
        .filter((n) => n.metadata?.labels?.[FAKE_NODE_LABEL] === 'true' || n.metadata?.name === REAL_NODE.name)
        .map((n) => ({
          name: n.metadata?.name ?? '',
          kind: n.metadata?.name === REAL_NODE.name ? ('real' as const) : ('simulated' as const),
          ready: !!n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        }));
    } catch {
      // reported through the apiserver's own checks
    } finally {
      cluster?.close();
    }
  }
  const expected = state.nodes.count + (state.withRealNode ? 1 : 0);
  const healthy = components.every((c) => c.ready) && nodes.length === expected && nodes.every((n) => n.ready);
  return {
    stateDir: l.stateDir,
    state: healthy ? 'running' : 'degraded',
    kubeconfig: l.kubeconfig,
    server: `https://127.0.0.1:${state.ports.apiserver}`,
    components,
    nodes,
    vnc: state.vnc,
    forwards: state.forwards,
    placement: state.placement ?? 'real',
  };
}
