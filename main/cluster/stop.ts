// Stopping the local cluster's processes: the recorded ones (pids verified), orphans found by pid
// file, and — on `down` — what the real node leaves on the host (containers, mounts, rules).
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_COMPONENTS, type ComponentName } from './components';
import { nodeDirs } from './node/config';
import { cleanUpHost } from './node/host';
import { NODE_COMPONENTS } from './node/components';
import type { Layout } from './paths';
import { stopProcess, type ProcessRecord } from './process';
import { pidFile, writeState, type ClusterState } from './state';

export type Stopped = Array<{ name: ComponentName; pid: number; stopped: boolean }>;

/**
 * Stops every recorded component, the node's first (kubelet before containerd, so no pod is
 * restarted under it), keeping data and certificates. Containers keep running unless `down`
 * cleans the host afterwards: a kubelet that comes back adopts them.
 */
export async function stopAll(l: Layout, state: ClusterState): Promise<Stopped> {
  const out: Stopped = [];
  const stop = async (name: ComponentName, graceMs: number) => {
    const rec = state.components[name];
    if (!rec) return;
    out.push({ name, pid: rec.pid, stopped: await stopProcess(rec, graceMs) });
    delete state.components[name];
    await rm(pidFile(l, name), { force: true });
  };
  for (const name of [...NODE_COMPONENTS].reverse()) await stop(name, name === 'containerd' ? 10_000 : 5000);
  // Everything but etcd is stateless and reconnects: stop those together (the apiserver's graceful
  // shutdown can hang on open watches, so it gets a short grace), then etcd on its own.
  // (Recorded names this version no longer has, such as an older state's exec sandbox, too.)
  const recorded = Object.keys(state.components) as ComponentName[];
  await Promise.all([...new Set([...ALL_COMPONENTS, ...recorded])].filter((c) => c !== 'etcd').map((c) => stop(c, 3000)));
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
  for (const name of [...ALL_COMPONENTS].reverse()) {
    const pid = Number((await readFileOr(pidFile(l, name))).trim());
    if (!pid) continue;
    const argv = (await readFileOr(`/proc/${pid}/cmdline`)).split('\0').filter(Boolean);
    if (argv.length === 0 || !argv.some((a) => a.includes(l.stateDir))) continue;
    const rec: ProcessRecord = { pid, command: argv[0] as string, args: argv.slice(1), startTicks: 0, startedAt: '', logFile: '' };
    if (await stopProcess(rec)) out.push({ name, pid });
  }
  return out;
}

/** What the real node leaves behind once its processes are gone (a no-op for a cluster without one). */
export async function cleanUpNode(l: Layout, kubeProxy: string | undefined, log: (line: string) => void): Promise<void> {
  if (!existsSync(join(l.stateDir, 'node'))) return;
  await cleanUpHost({ stateDir: l.stateDir, containerdSocket: nodeDirs(l.stateDir, l.run).containerdSocket, kubeProxy, log });
}

async function readFileOr(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

export async function archiveLogs(l: Layout): Promise<string | undefined> {
  const files = await readdir(l.logs).catch(() => [] as string[]);
  if (files.length === 0) return undefined;
  const dest = join(l.logArchive, new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(l.logArchive, { recursive: true });
  await rename(l.logs, dest);
  return dest;
}
