// Helpers for integration tests against the real local cluster (see global-setup.ts).
//
// Pitfall: a namespace is usable for pods only once the service-account controller has created
// its `default` ServiceAccount (the ServiceAccount admission plugin rejects pods until then), so
// createTestNamespace waits for it.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, Exec, KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { placementAnnotations, type Placement } from '../../../main/cluster/node/placement';

/** Path of the admin kubeconfig of the test cluster. */
export function testKubeconfigPath(): string {
  const fromEnv = process.env.KUBECONFIG_LABFORGE_TEST;
  const path = fromEnv && fromEnv !== '' ? fromEnv : inject('labforgeKubeconfig');
  if (!path) throw new Error('no test cluster: run through `npx vitest run --project integration` (global-setup starts it)');
  return path;
}

export function testClusterDir(): string {
  return inject('labforgeClusterDir');
}

export function loadTestKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  return kc;
}

export function randomId(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastErr instanceof Error ? ` (last error: ${lastErr.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function httpStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown } | null;
  return typeof e?.code === 'number' ? e.code : undefined;
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace; with `wait`, until it is gone (needs the namespace controller). */
  cleanup: (opts?: { wait?: boolean }) => Promise<void>;
}

/**
 * Creates `<prefix>-<random>` labelled for tests and waits for its `default` ServiceAccount.
 * `placement` puts its pods on the real node or on kwok's whatever the cluster's default
 * (main/cluster/node/placement.ts); CI's cluster defaults to kwok (.ci/run).
 */
export async function createTestNamespace(kc: KubeConfig, prefix = 'it', placement?: Placement): Promise<TestNamespace> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomId()}`;
  await core.createNamespace({ body: { metadata: { name, labels: { 'labforge.dev/test': 'integration' }, ...(placement ? { annotations: placementAnnotations(placement) } : {}) } } });
  await waitForDefaultServiceAccount(kc, name);
  return {
    name,
    cleanup: async ({ wait = false } = {}) => {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
      if (wait) await waitForNamespaceGone(kc, name);
    },
  };
}

export async function waitForDefaultServiceAccount(kc: KubeConfig, namespace: string, timeoutMs = 60_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(`ServiceAccount ${namespace}/default`, async () => {
    await core.readNamespacedServiceAccount({ name: 'default', namespace });
    return true;
  }, timeoutMs);
}

export async function waitForNamespaceGone(kc: KubeConfig, name: string, timeoutMs = 120_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(`namespace ${name} to be deleted`, async () => {
    try {
      await core.readNamespace({ name });
      return false;
    } catch (err) {
      if (httpStatus(err) === 404) return true;
      throw err;
    }
  }, timeoutMs, 500);
}

/** Waits until a pod matching `labelSelector` in `namespace` is Running on a node; returns it. */
export async function waitForRunningPod(kc: KubeConfig, namespace: string, labelSelector: string, timeoutMs = 90_000): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  return waitFor(`a Running pod (${labelSelector}) in ${namespace}`, async () => {
    const pods = await core.listNamespacedPod({ namespace, labelSelector });
    return pods.items.find((p) => p.status?.phase === 'Running' && p.spec?.nodeName && !p.metadata?.deletionTimestamp);
  }, timeoutMs, 300);
}

/** What a test pod runs on the real node: a shell that waits, and ends at once when asked to. */
export const IDLE_COMMAND = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 3600 & wait; done'];

/**
 * A bare pod with a label to find it by, running IDLE_COMMAND (busybox's own command is a shell
 * that would exit without a terminal). On kwok nothing runs; on the real node it does.
 */
export async function createPod(kc: KubeConfig, namespace: string, name: string, ports: number[] = []): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { app: name } },
      spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: 'busybox:1.36', command: IDLE_COMMAND, ports: ports.map((containerPort) => ({ containerPort })) }] },
    },
  });
  return waitForRunningPod(kc, namespace, `app=${name}`);
}

/**
 * Namespaces a later publish or deploy will write into, created first with the real node's
 * placement annotations: the engine applies its own labels over them and keeps ours, so the
 * class runs for real while the cluster's default stays kwok. Waits for each default ServiceAccount.
 */
export async function onRealNode(kc: KubeConfig, namespaces: string[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of namespaces) {
    try {
      await core.createNamespace({ body: { metadata: { name, labels: { 'labforge.dev/test': 'integration' }, annotations: placementAnnotations('real') } } });
    } catch (err) {
      if (httpStatus(err) !== 409) throw err;
    }
  }
  for (const name of namespaces) await waitForDefaultServiceAccount(kc, name);
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  status: V1Status;
}

/** Runs a command in a pod's container through the API server (v5 exec protocol); collects its output and status. */
export async function execIn(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({ write(chunk: Buffer, _enc, cb) { append(chunk.toString('utf8')); cb(); } });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc)
      .exec(namespace, pod, container, command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, resolve)
      .then((ws) => ws.on('error', reject))
      .catch(reject);
  });
  return { stdout, stderr, status };
}

