// One operation on a class at a time, on the real control plane: a publish of a class that a
// running operation holds is refused and told who holds it; a lock is renewed while its holder
// runs; and one left by a killed holder (a SIGKILLed publish) is waited out and taken over, so
// re-running the killed publish at once works instead of being blocked forever.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireClassLock, ClassBusyError, classLockName } from '../../main/engine/class-lock';
import { teardown } from '../../main/engine/class-ops';
import { classNamespaces } from '../../main/engine/publish';
import { SYSTEM_NAMESPACE } from '../../main/engine/release-record';
import type { Release } from '../../main/engine/releases';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, exampleLab, makeRelease, ROOT, uniqueLab } from './helpers/engine';
import { randomId, testKubeconfigPath } from './helpers/kube';

const run = promisify(execFile);
const LEASE = kindOf<{ metadata: { resourceVersion?: string }; spec?: { holderIdentity?: string; renewTime?: string; leaseTransitions?: number } }>('coordination.k8s.io/v1', 'Lease');
const className = `lck-${randomId(3)}`;
let cluster: HttpCluster;
let release: Release;

beforeAll(async () => {
  cluster = adminCluster();
  release = await makeRelease(cluster, uniqueLab(exampleLab('routing-lab.yaml'), 'lk'), 'v1');
}, 300_000);

afterAll(async () => {
  await teardown(cluster, className).catch(() => undefined);
  await cluster.delete(LEASE, classLockName(className), SYSTEM_NAMESPACE).catch(() => undefined);
  cluster?.close();
});

const env = () => ({ ...process.env, KUBECONFIG: testKubeconfigPath() });
const cli = (args: string[]) =>
  run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT, env: env(), timeout: 240_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
const publishArgs = (n: number, ...more: string[]) => ['publish', `${release.labName}@${release.tag}`, '--class', className, '--students', String(n), '--force', '--progress', 'lines', ...more];
const lease = () => cluster.read(LEASE, classLockName(className), SYSTEM_NAMESPACE);

describe('class lock', () => {
  it('a publish of a class that a running operation holds is refused, told who holds it, and writes nothing', async () => {
    const holder = await acquireClassLock(cluster, className, 'publish', { holder: 'labforge publish, ann@lab-pc, pid 4242' });
    try {
      const t0 = Date.now();
      const r = await cli(publishArgs(3, '--prune'));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`class ${className} is held by ${holder.holder}; waiting to see whether it is still running`);
      expect(r.stderr).toMatch(new RegExp(`class ${className} is busy: labforge publish, ann@lab-pc, pid 4242 \\[[0-9a-f]{6}\\] holds it since \\S+; try again when that has finished`));
      // Told within a renewal interval (5 s) and a little, not after the lock's whole duration.
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.stdout).not.toMatch(/published/);
      expect(await classNamespaces(cluster, className)).toEqual([]);
    } finally {
      await holder.release();
    }
    // Released: the next operation takes the lock at once.
    expect((await lease())?.spec?.holderIdentity).toBe('');
  }, 120_000);

  it('is renewed while its holder runs, so a second holder is refused past its duration', async () => {
    const first = await acquireClassLock(cluster, className, 'test', { holder: 'first holder', durationS: 3 });
    const before = (await lease())!;
    expect(before.spec?.holderIdentity).toBe(first.holder);
    // Twice the lock's duration: only renewal keeps it.
    await new Promise((r) => setTimeout(r, 6000));
    const err = await acquireClassLock(cluster, className, 'test', { holder: 'second holder', durationS: 3 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ClassBusyError);
    expect((err as ClassBusyError).holder).toBe(first.holder);
    expect(Date.parse((await lease())!.spec!.renewTime!)).toBeGreaterThan(Date.parse(before.spec!.renewTime!));
    expect(first.signal.aborted).toBe(false);
    await first.release();
  }, 60_000);

  it('left by a SIGKILLed holder, it is waited out and taken over', async () => {
    // A process that takes the lock (3 s) and is SIGKILLed while holding it: nothing frees it.
    const script = `import { acquireClassLock } from './main/engine/class-lock.ts';
import { clusterFor } from './main/kube/http-cluster.ts';
import { loadKubeConfig } from './main/kube/kubeconfig.ts';
await acquireClassLock(clusterFor(loadKubeConfig({})), process.argv[1], 'test', { holder: 'killed holder', durationS: 3 });
process.stdout.write('held\\n');
setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, className], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const killed = (await lease())!.spec!.holderIdentity!;
    expect(killed).toMatch(/^killed holder \[[0-9a-f]{6}\]$/);
    const waits: string[] = [];
    const next = await acquireClassLock(cluster, className, 'test', { holder: 'next', durationS: 3, onWait: (m) => waits.push(m) });
    expect(waits).toEqual([`class ${className} is held by ${killed}; waiting to see whether it is still running`]);
    const after = (await lease())!;
    expect(after.spec?.holderIdentity).toBe(next.holder);
    expect(after.spec?.leaseTransitions).toBeGreaterThan(0);
    await next.release();
  }, 60_000);

  it('re-running a SIGKILLed publish at once waits its lock out and completes', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...publishArgs(4)], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Killed once it has started writing students.
    const deadline = Date.now() + 120_000;
    while (!/\[1\/4\]/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await lease())?.spec?.holderIdentity).toMatch(/^labforge publish, /);
    const again = await cli(publishArgs(4));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is held by labforge publish, .*; waiting to see whether it is still running/);
    expect(again.stdout).toContain('4 published, 0 failed');
  }, 300_000);
});
