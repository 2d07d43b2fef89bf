// `kubectl exec` into a kwok pod runs the command on the host, in the pod's own sandbox directory
// (made by the exec-sandbox controller), through the real apiserver -> kwok streaming path.
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxDir } from '../../main/cluster';
import { createPod, createTestNamespace, loadTestKubeConfig, randomId, testClusterDir, waitFor, type TestNamespace } from './helpers/kube';

let kc: KubeConfig;
let ns: TestNamespace;

beforeAll(async () => {
  kc = loadTestKubeConfig();
  ns = await createTestNamespace(kc, 'exec');
});
afterAll(async () => {
  await ns?.cleanup();
});

/** Runs a command in a pod through client-node's Exec (websocket to the apiserver); collects its output. */
async function execIn(namespace: string, pod: string, command: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString('utf8')); cb(); } });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc)
      .exec(namespace, pod, 'main', command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, resolve)
      .then((ws) => ws.on('error', reject))
      .catch(reject);
  });
  return { stdout, stderr, status };
}

describe('exec into a kwok pod', () => {
  it('runs the command on the host in a per-pod sandbox directory', async () => {
    const a = await createPod(kc, ns.name, 'shell-a');
    const b = await createPod(kc, ns.name, 'shell-b');
    const id = randomId();
    const dirA = sandboxDir(`${testClusterDir()}/sandboxes`, ns.name, a.metadata!.name!);
    const dirB = sandboxDir(`${testClusterDir()}/sandboxes`, ns.name, b.metadata!.name!);

    // The controller creates the pod's Exec rule as soon as the pod exists; allow for the race.
    const r = await waitFor('exec to succeed', async () => {
      const res = await execIn(ns.name, 'shell-a', ['sh', '-c', `echo hello-${id}; pwd; echo "$POD_NAMESPACE/$POD_NAME"; touch mine-${id}`]);
      return res.status.status === 'Success' ? res : undefined;
    }, 30_000, 500);
    expect(r.stdout.split('\n')).toEqual([`hello-${id}`, dirA, `${ns.name}/shell-a`, '']);
    expect(existsSync(`${dirA}/mine-${id}`)).toBe(true);

    // Another pod has its own directory and does not see the first one's files.
    const rb = await waitFor('exec in pod b', async () => {
      const res = await execIn(ns.name, 'shell-b', ['sh', '-c', `pwd; ls -A`]);
      return res.status.status === 'Success' ? res : undefined;
    }, 30_000, 500);
    expect(rb.stdout).toBe(`${dirB}\n`);
  });

  it('reports a failing command as a Failure status', async () => {
    await createPod(kc, ns.name, 'shell-c');
    const r = await waitFor('exec to run', async () => {
      const res = await execIn(ns.name, 'shell-c', ['sh', '-c', 'echo oops >&2; exit 3']);
      return res.stderr.includes('oops') ? res : undefined;
    }, 30_000, 500);
    expect(r.status.status).toBe('Failure');
    // kwok v0.7.0 reports a non-zero exit as an internal error carrying the exit status text,
    // not as an ExitCode cause (so `kubectl exec` exits 1 whatever the command's code was).
    expect(r.status.message).toContain('exit status 3');
  });
});
