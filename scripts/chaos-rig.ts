/**
 * The chaos rig: a second local control plane of its own (its own state directory and ports, so
 * killing its API server or etcd disturbs nobody else), the real publishing CLI as a child process,
 * and restarts of a real component: SIGKILL the recorded process, then start the very same command
 * line again (as `cluster up` would) and wait until it serves.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { clusterDown, clusterUp } from '../main/cluster';
import type { ComponentName } from '../main/cluster/components';
import { probe } from '../main/cluster/net';
import { layout } from '../main/cluster/paths';
import { APP_ROOT } from '../main/paths';
import { childEnv, isOurs, sleep, spawnDetached } from '../main/cluster/process';
import { logFile, readState, recordProcess } from '../main/cluster/state';
import { connect, type HttpCluster } from '../main/kube/http-cluster';
import { NAMESPACE } from '../main/kube/kinds';

export interface ChaosCluster {
  stateDir: string;
  kubeconfig: string;
  client: HttpCluster;
  /** Stops this control plane and removes its state (never the shared one). */
  stop: () => Promise<void>;
}

/**
 * Starts (or reuses) a chaos control plane in `<repo>/.labforge/<name>` (the script and the test
 * use different names, so both can run at once). Its fake nodes
 * are large, so capacity never refuses a chaos round: capacity is not what is under test.
 */
export async function startChaosCluster(log: (line: string) => void = () => {}, name = 'chaos-cluster'): Promise<ChaosCluster> {
  const stateDir = join(APP_ROOT, '.labforge', name);
  const up = await clusterUp({ stateDir, nodes: 4, nodeCpu: '1000', nodeMemory: '4Ti', nodePods: 2000, log });
  const client = connect({ kubeconfig: up.kubeconfig });
  return {
    stateDir,
    kubeconfig: up.kubeconfig,
    client,
    stop: async () => {
      client.close();
      await clusterDown({ stateDir });
    },
  };
}

export interface Restart {
  component: 'kube-apiserver' | 'etcd';
  killedPid: number;
  newPid: number;
  /** How long it was down on purpose, then until it served again. */
  downMs: number;
  backMs: number;
}

/**
 * SIGKILL a component of the chaos cluster, keep it down for `downMs`, start the same command line
 * again (recorded in the state file by `cluster up`) and wait until the API answers through it.
 */
export async function restartComponent(cluster: ChaosCluster, component: Restart['component'], downMs: number): Promise<Restart> {
  const l = layout(cluster.stateDir);
  const state = readState(l);
  const rec = state?.components[component];
  if (!state || !rec || !isOurs(rec)) throw new Error(`${component} of ${cluster.stateDir} is not running`);
  process.kill(rec.pid, 'SIGKILL');
  while (isOurs(rec)) await sleep(20);
  await sleep(downMs);
  const t0 = Date.now();
  // The same argv as `cluster up` started; components run with childEnv() (kwok alone adds a variable).
  const { record } = spawnDetached(rec.command, rec.args, logFile(l, component as ComponentName), { env: childEnv() });
  await recordProcess(l, state, component as ComponentName, record);
  if (component === 'etcd') await waitUntil(`etcd health`, async () => (await probe(`http://127.0.0.1:${state.ports.etcd}/health`)).ok, 60_000);
  // Either way the API server must serve reads from etcd again.
  await waitUntil('the API server to serve', async () => !!(await cluster.client.read(NAMESPACE, 'default')), 120_000);
  return { component, killedPid: rec.pid, newPid: record.pid, downMs, backMs: Date.now() - t0 };
}

/** Components of the chaos cluster that are not running any more (a restart must not take others down). */
export function deadComponents(cluster: ChaosCluster): string[] {
  const state = readState(layout(cluster.stateDir));
  if (!state) return ['(no state)'];
  return Object.entries(state.components).filter(([, rec]) => !rec || !isOurs(rec)).map(([name]) => name);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(200);
  }
}

export interface CliRun {
  /** Resolves when the CLI exits. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
  kill: () => void;
  /** Students finished so far (the CLI's `[n/N]` progress lines). */
  progress: () => number;
  /** ms from spawn to the first progress line, if any yet. */
  firstProgressMs: () => number | undefined;
  exited: () => boolean;
}

/**
 * Requests in flight for the chaos publishes: publish's former default. At the current default
 * (64) a 10-student class is written in well under a second, shorter than the spread of the
 * CLI's start, so restart points drawn from the baseline's window kept landing after the
 * publish had ended and the CI-size run never got its mid-publish restarts.
 */
const CHAOS_CONCURRENCY = 16;

/** `labforge publish LAB@TAG --class C --students N` as a real child process against the chaos cluster. */
export function publishCli(cluster: ChaosCluster, labName: string, tag: string, className: string, students: number): CliRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(APP_ROOT, 'bin', 'labforge.mjs'), 'publish', `${labName}@${tag}`, '--class', className, '--students', String(students), '--progress', 'lines', '--concurrency', String(CHAOS_CONCURRENCY)], {
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let first: number | undefined;
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    if (first === undefined && /^\[\d+\/\d+\]/m.test(stderr)) first = Date.now() - t0;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    }),
  );
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    progress: () => (stderr.match(/^\[\d+\/\d+\]/gm) ?? []).length,
    firstProgressMs: () => first,
    exited: () => exited,
  };
}
