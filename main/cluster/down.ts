// `cluster down`: stop exactly the processes `up` started (pids verified), keep their logs in an
// archive beside the state directory, and remove the state.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ComponentName } from './components';
import { layout, resolveStateDir } from './paths';
import { readState, withLock } from './state';
import { archiveLogs, cleanUpNode, stopAll, stopOrphans } from './stop';

export interface ClusterDownResult {
  stateDir: string;
  /** False when there was no cluster state to remove. */
  existed: boolean;
  /** Components that were running and were stopped. */
  stopped: Array<{ name: ComponentName; pid: number }>;
  /** Recorded components that were no longer running (or whose pid now belongs to another program). */
  notRunning: Array<{ name: ComponentName; pid: number }>;
  /** Where the logs were moved, if there were any. */
  logsArchivedTo?: string;
}

export async function clusterDown(opts: { stateDir?: string } = {}): Promise<ClusterDownResult> {
  const l = layout(resolveStateDir(opts.stateDir));
  if (!existsSync(l.stateDir)) return { stateDir: l.stateDir, existed: false, stopped: [], notRunning: [] };
  return withLock(l, 60_000, async () => {
    const state = readState(l);
    const stopped: ClusterDownResult['stopped'] = [];
    const notRunning: ClusterDownResult['notRunning'] = [];
    if (state) {
      for (const r of await stopAll(l, state)) (r.stopped ? stopped : notRunning).push({ name: r.name, pid: r.pid });
    }
    stopped.push(...(await stopOrphans(l)));
    // Containers, mounts and rules of the real node; mounts must go before anything is removed.
    const kubeProxy = state?.realNode ? `${state.realNode.binDir}/kube-proxy` : undefined;
    await cleanUpNode(l, kubeProxy, () => {});
    const logsArchivedTo = await archiveLogs(l);
    await rm(l.stateDir, { recursive: true, force: true });
    return { stateDir: l.stateDir, existed: true, stopped, notRunning, ...(logsArchivedTo ? { logsArchivedTo } : {}) };
  });
}
