// Lifecycle of a throwaway cluster in its own state directory: status reports a component that
// died, `up` restarts only that one, `down` stops exactly our processes and keeps the logs.
// (The shared test cluster is left alone.) Also checks the pid guard with a real foreign process.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, clusterStatus, clusterUp, type ClusterUpResult } from '../../main/cluster';
import { isOurs, stopProcess } from '../../main/cluster/process';
import { clusterCommands } from '../../main/cli/commands/cluster';
import { runCli } from '../../main/cli/program';

let parent: string;
let stateDir: string;
let first: ClusterUpResult;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, [clusterCommands]);
  return { code, stdout, stderr };
}
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'labforge-lifecycle-'));
  stateDir = join(parent, 'cluster');
  first = await clusterUp({ stateDir, nodes: 1, nodeCpu: '4', nodeMemory: '8Gi', nodePods: 20 });
});
afterAll(async () => {
  await clusterDown({ stateDir }).catch(() => {});
  await rm(parent, { recursive: true, force: true });
});

describe('cluster lifecycle', () => {
  it('starts all six components and one node of the asked shape', async () => {
    expect(first.alreadyRunning).toBe(false);
    expect(first.started).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'agent']);
    expect(first.nodes).toEqual(['kwok-node-0']);
    const s = await clusterStatus({ stateDir });
    expect(s.state).toBe('running');
    expect(s.components.every((c) => c.alive && c.ready)).toBe(true);
    const again = await clusterUp({ stateDir });
    expect(again.alreadyRunning).toBe(true);
    expect(again.components).toEqual(first.components);
  });

  it('reports a dead component and restarts only that one', async () => {
    const kwokPid = first.components.kwok.pid;
    process.kill(kwokPid, 'SIGKILL');
    await expect.poll(() => alive(kwokPid)).toBe(false);

    const s = await clusterStatus({ stateDir });
    expect(s.state).toBe('degraded');
    const kwok = s.components.find((c) => c.name === 'kwok')!;
    expect(kwok).toMatchObject({ alive: false, ready: false, pid: kwokPid });
    expect(kwok.logTail).toBeTruthy();
    expect(s.components.filter((c) => c.name !== 'kwok').every((c) => c.alive)).toBe(true);

    const r = await cli(['cluster', 'status', '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/kwok\s+\d+\s+\d+\s+DEAD/);
    expect(r.stderr).toContain('kwok dead');

    const repaired = await clusterUp({ stateDir });
    expect(repaired.started).toEqual(['kwok']);
    expect(repaired.components.kwok.port).toBe(first.components.kwok.port);
    expect(repaired.components['kube-apiserver']).toEqual(first.components['kube-apiserver']);
    expect((await clusterStatus({ stateDir })).state).toBe('running');
    expect((await cli(['cluster', 'status', '--state-dir', stateDir])).code).toBe(0);
  });

  it('never signals a pid that is no longer our process', async () => {
    const foreign = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const pid = foreign.pid!;
      const pretend = { pid, command: '/some/bin/kwok', args: ['--kubeconfig=x'], startTicks: 0, startedAt: '', logFile: '' };
      expect(isOurs(pretend)).toBe(false);
      expect(await stopProcess(pretend, 500)).toBe(false);
      expect(alive(pid)).toBe(true);
    } finally {
      foreign.kill('SIGKILL');
    }
  });

  it('down stops exactly its processes, keeps the logs and removes the state', async () => {
    const pids = Object.values((await clusterStatus({ stateDir })).components).map((c) => c.pid!);
    const r = await cli(['cluster', 'down', '--state-dir', stateDir, '--json']);
    expect(r.code).toBe(0);
    const down = JSON.parse(r.stdout) as { stopped: Array<{ pid: number }>; logsArchivedTo: string };
    expect(down.stopped.map((s) => s.pid).sort()).toEqual([...pids].sort());
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(stateDir)).toBe(false);
    expect(down.logsArchivedTo.startsWith(join(parent, 'cluster-logs'))).toBe(true);
    expect(readdirSync(down.logsArchivedTo).sort()).toEqual(
      ['agent', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'].map((n) => `${n}.log`),
    );
    expect((await cli(['cluster', 'status', '--state-dir', stateDir])).code).toBe(1);
  });
});
