// SIGKILL a publish at a random point, run it again, and check that the class converges with
// no duplicates and no errors. The publish runs as the real CLI in a child process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { LABEL, studentNamespace } from '../../common/compile';
import { labelSelector } from '../../common/compile/labels';
import { teardown } from '../../main/engine/class-ops';
import type { Lab } from '../../common/lab';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, POD } from '../../main/kube/kinds';
import { adminCluster, exampleLab, expectedKeys, makeRelease, ownedKeys, ROOT, uniqueLab } from './helpers/engine';
import { randomId, testKubeconfigPath, waitFor } from './helpers/kube';

const STUDENTS = 20;
let client: HttpCluster;
let lab: Lab;
const className = `res-${randomId(3)}`;

function publishCli(labName: string): { done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>; kill: () => void; progress: () => number } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/labforge.mjs'), 'publish', `${labName}@v1`, '--class', className, '--students', String(STUDENTS), '--progress', 'lines', '--concurrency', '4'], {
    env: { ...process.env, KUBECONFIG: testKubeconfigPath() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { done, kill: () => child.kill('SIGKILL'), progress: () => (stderr.match(/^\[\d+\/\d+\]/gm) ?? []).length };
}

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('routing-lab.yaml'), 'rs');
  await makeRelease(client, lab, 'v1');
});

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe('an interrupted publish', () => {
  it('converges when run again, with no duplicates', async () => {
    // Kill after a random number of finished students (1..STUDENTS-2), i.e. mid-class.
    const killAfter = 1 + Math.floor(Math.random() * (STUDENTS - 2));
    const first = publishCli(lab.metadata.name);
    const deadline = Date.now() + 120_000;
    while (first.progress() < killAfter && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.kill();
    const killed = await first.done;
    expect(killed.signal, `publish finished before the kill:\n${killed.stderr}`).toBe('SIGKILL');

    const classNamespaces = async () => (await client.list(NAMESPACE, { labelSelector: labelSelector({ [LABEL.class]: className }) })).items;
    const partial = (await classNamespaces()).length;
    expect(partial).toBeGreaterThanOrEqual(killAfter);
    expect(partial).toBeLessThan(STUDENTS + 1);

    const second = await publishCli(lab.metadata.name).done;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`${STUDENTS} published, 0 failed`);

    const namespaces = (await classNamespaces()).map((n) => n.metadata!.name!);
    expect(namespaces.sort()).toEqual(numberedStudents(STUDENTS).map((s) => studentNamespace(className, s.id)).sort());
    for (const s of numberedStudents(STUDENTS)) {
      expect(await ownedKeys(client, studentNamespace(className, s.id), lab)).toEqual(expectedKeys(lab, className, s.id, 'v1'));
      // One pod per node: no duplicate workloads from the two runs.
      // Controllers create pods after the apply returns, so wait for them to settle.
      const nodesWithPods = async () =>
        (await client.list(POD, { namespace: studentNamespace(className, s.id) })).items
          .filter((p) => !p.metadata?.deletionTimestamp)
          .map((p) => p.metadata?.labels?.[LABEL.node] ?? '')
          .sort();
      const all = ['client-a', 'client-b', 'client-c', 'router'];
      await waitFor(`pods of ${s.id}`, async () => JSON.stringify(await nodesWithPods()) === JSON.stringify(all), 90_000, 500).catch(() => undefined);
      expect(await nodesWithPods()).toEqual(all);
    }
  });
});
