// One operation on a class at a time, on the real control plane: the race of two CLI
// publishes of one class (`--students 3 --prune` against `--students 6`), a lock that is renewed
// while its holder runs, and one left by a killed holder that expires instead of blocking forever.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireClassLock, ClassBusyError, classLockName } from '../../main/engine/class-lock';
import { teardown } from '../../main/engine/class-ops';
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

const cli = (args: string[]) =>
  run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args], { cwd: ROOT, env: { ...process.env, KUBECONFIG: testKubeconfigPath() }, timeout: 240_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );

describe('class lock', () => {
  it('of two publishes of one class started together, one runs and the other is refused, told who holds the class', async () => {
    const ref = `${release.labName}@${release.tag}`;
    const [small, large] = await Promise.all([
      cli(['publish', ref, '--class', className, '--students', '3', '--prune', '--force', '--progress', 'lines']),
      cli(['publish', ref, '--class', className, '--students', '6', '--force', '--progress', 'lines']),
    ]);
    const outcomes = [small, large];
    const ran = outcomes.filter((o) => o.code === 0);
    const refused = outcomes.filter((o) => o.code !== 0);
    expect(ran, JSON.stringify(outcomes.map((o) => [o.code, o.stdout.slice(-300), o.stderr.slice(-300)]))).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.stderr).toMatch(new RegExp(`class ${className} is busy: labforge publish, \\S+@\\S+, pid \\d+ \\[[0-9a-f]{6}\\] holds it since \\S+; try again when that has finished`));
    expect(refused[0]!.stdout).not.toMatch(/published/);
    // The winner's lock was freed when it finished: the next operation takes it at once.
    const again = await cli(['publish', ref, '--class', className, '--students', '6', '--force', '--progress', 'lines']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('6 published, 0 failed');
  }, 600_000);

  it('is renewed while its holder runs, and a second holder is refused until it is released', async () => {
    const first = await acquireClassLock(cluster, className, 'test', { holder: 'first holder', durationS: 3 });
    const before = (await cluster.read(LEASE, classLockName(className), SYSTEM_NAMESPACE))!;
    expect(before.spec?.holderIdentity).toMatch(/^first holder \[[0-9a-f]{6}\]$/);
    // Twice the lock's duration: only renewal keeps it.
    await new Promise((r) => setTimeout(r, 6000));
    const err = await acquireClassLock(cluster, className, 'test', { holder: 'second holder', durationS: 3 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ClassBusyError);
    expect((err as ClassBusyError).holder).toBe(before.spec?.holderIdentity);
    const after = (await cluster.read(LEASE, classLockName(className), SYSTEM_NAMESPACE))!;
    expect(Date.parse(after.spec!.renewTime!)).toBeGreaterThan(Date.parse(before.spec!.renewTime!));
    expect(first.signal.aborted).toBe(false);
    await first.release();
    const second = await acquireClassLock(cluster, className, 'test', { holder: 'second holder', durationS: 3 });
    await second.release();
  }, 60_000);

  it('left behind by a killed holder, it blocks until it expires and is then taken over', async () => {
    // A process that takes the lock (3 s) and is SIGKILLed while holding it: nothing frees it.
    const script = `import { acquireClassLock } from './main/engine/class-lock.ts';
import { clusterFor } from './main/kube/http-cluster.ts';
import { loadKubeConfig } from './main/kube/kubeconfig.ts';
await acquireClassLock(clusterFor(loadKubeConfig({})), process.argv[1], 'test', { holder: 'killed holder', durationS: 3 });
process.stdout.write('held\\n');
setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, className], { cwd: ROOT, env: { ...process.env, KUBECONFIG: testKubeconfigPath() }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.on('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    // It renews while alive: after two of its durations it still holds the class.
    await new Promise((r) => setTimeout(r, 6000));
    const busy = await acquireClassLock(cluster, className, 'test', { holder: 'next', durationS: 3 }).then(() => null, (e: unknown) => e);
    expect((busy as ClassBusyError).message).toMatch(/killed holder \[[0-9a-f]{6}\] holds it/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Right after the kill its lease is still there, and still refuses...
    const refused = await acquireClassLock(cluster, className, 'test', { holder: 'next', durationS: 3 }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ClassBusyError);
    // ...until its duration has passed with no renewal: then it is taken over.
    await new Promise((r) => setTimeout(r, 4000));
    const next = await acquireClassLock(cluster, className, 'test', { holder: 'next', durationS: 3 });
    const lease = (await cluster.read(LEASE, classLockName(className), SYSTEM_NAMESPACE))!;
    expect(lease.spec?.holderIdentity).toBe(next.holder);
    expect(lease.spec?.leaseTransitions).toBeGreaterThan(0);
    await next.release();
  }, 60_000);
});
