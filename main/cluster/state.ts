// The state file (`<state>/cluster.json`): what `up` started and with which settings, so `status`
// and `down` act on exactly those processes and a later `up` keeps the same ports and options.
import { existsSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentName, Ports } from './components';
import type { ForwardRule, NodeShape } from './manifests';
import type { NodePorts } from './node/components';
import type { Placement } from './node/placement';
import type { Layout } from './paths';
import { sleep, type ProcessRecord } from './process';

export interface ClusterState {
  version: 1;
  createdAt: string;
  binDir: string;
  ports: Ports;
  nodes: NodeShape;
  /** host:port that pod port 5900 forwards to. */
  vnc: string;
  /** Extra pod-port forwards (besides VNC). */
  forwards: ForwardRule[];
  components: Partial<Record<ComponentName, ProcessRecord>>;
  /** Whether `up` runs the real node (node/); chosen on the first `up`, kept after. */
  withRealNode?: boolean;
  /** The real node's binaries and ports (node/): absent in a state written before it, or where it cannot run. */
  realNode?: { binDir: string; ports: NodePorts };
  /** Where a pod of a namespace without placement annotations goes (node/placement.ts). */
  placement?: Placement;
}

export function readState(l: Layout): ClusterState | undefined {
  try {
    const s = JSON.parse(readFileSync(l.stateFile, 'utf8')) as ClusterState;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function writeState(l: Layout, s: ClusterState): Promise<void> {
  const tmp = `${l.stateFile}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n');
  await rename(tmp, l.stateFile);
}

export function pidFile(l: Layout, name: ComponentName): string {
  return join(l.run, `${name}.pid`);
}
export function logFile(l: Layout, name: ComponentName): string {
  return join(l.logs, `${name}.log`);
}

export async function recordProcess(l: Layout, s: ClusterState, name: ComponentName, rec: ProcessRecord): Promise<void> {
  s.components[name] = rec;
  await mkdir(l.run, { recursive: true });
  await writeFile(pidFile(l, name), `${rec.pid}\n`);
  await writeState(l, s);
}

export async function forgetProcess(l: Layout, s: ClusterState, name: ComponentName): Promise<void> {
  delete s.components[name];
  await rm(pidFile(l, name), { force: true });
  await writeState(l, s);
}

/**
 * An exclusive lock on the state directory (`.lock`, holding the owner's pid) so two `up`/`down`
 * calls never interleave; a lock whose owner died is taken over.
 */
export async function withLock<T>(l: Layout, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await mkdir(l.stateDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(l.lockFile, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readFile(l.lockFile, 'utf8').catch(() => ''));
      if (!owner || !existsSync(`/proc/${owner}`)) {
        await rm(l.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`cluster state ${l.stateDir} is locked by pid ${owner}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    // `down` may have removed the whole directory already.
    const owner = Number(await readFile(l.lockFile, 'utf8').catch(() => ''));
    if (owner === process.pid) await rm(l.lockFile, { force: true });
  }
}
