// The exec sandbox controller: a small long-running process `cluster up` starts next to kwok.
//
// kwok runs `kubectl exec` commands on the host, in the working directory of the Exec rule that
// matches the pod. A ClusterExec's `local.workDir` is a fixed string (kwok v0.7.0 does not template
// it), so one cluster-wide rule cannot give each pod its own directory. kwok does match a
// namespaced Exec by the pod's exact name and namespace, though, so this controller watches pods
// and gives every pod its own Exec (owned by the pod, so the garbage collector removes it with the
// pod) pointing at `<root>/<namespace>/<pod>`, a directory it creates, and removes when the pod goes.
//
// Usage: node --import tsx agent-main.ts --kubeconfig=FILE --root=DIR --port=PORT
//        [--kubevirt-vnc-port=PORT --kubevirt-vnc-cert=FILE --kubevirt-vnc-key=FILE --vnc=HOST:PORT]
import { CoreV1Api, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../../common/compile/types';
import { applyObject } from '../kube/apply';
import { kindOf } from '../kube/cluster';
import { clusterFor } from '../kube/http-cluster';
import { loadKubeConfig } from '../kube/kubeconfig';
import { startKubevirtVnc } from './kubevirt-vnc';
import { parseTarget } from './manifests';
import { startVolumeProvisioner } from './volume-provisioner';

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} is required with --kubevirt-vnc-port`);
  return value;
}

export const SANDBOX_ENV = 'LABFORGE_SANDBOX';
const EXEC = kindOf('kwok.x-k8s.io/v1alpha1', 'Exec');

export function sandboxDir(root: string, namespace: string, pod: string): string {
  return join(root, namespace, pod);
}

/** The Exec rule kwok uses for one pod: commands run in its sandbox, with HOME pointing there too. */
export function podExec(root: string, pod: { name: string; namespace: string; uid: string }): KubeObject {
  const dir = sandboxDir(root, pod.namespace, pod.name);
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Exec',
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'labforge-exec-sandbox' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid }],
    },
    spec: {
      execs: [{
        local: {
          workDir: dir,
          envs: [
            { name: 'HOME', value: dir },
            { name: SANDBOX_ENV, value: dir },
            { name: 'HOSTNAME', value: pod.name },
            { name: 'POD_NAME', value: pod.name },
            { name: 'POD_NAMESPACE', value: pod.namespace },
          ],
        },
      }],
    },
  };
}

function log(msg: string) {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}

/** The agent process: the exec sandbox controller and the volume provisioner (see agent-main.ts). */
export async function runAgent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      root: { type: 'string' },
      port: { type: 'string' },
      code: { type: 'string' },
      'kubevirt-vnc-port': { type: 'string' },
      'kubevirt-vnc-cert': { type: 'string' },
      'kubevirt-vnc-key': { type: 'string' },
      vnc: { type: 'string' },
    },
    strict: true,
  });
  if (!values.kubeconfig || !values.root || !values.port) throw new Error('usage: exec-sandbox --kubeconfig=FILE --root=DIR --port=PORT');
  const root = values.root;
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig });
  const core = kc.makeApiClient(CoreV1Api);
  const cluster = clusterFor(kc);
  await mkdir(root, { recursive: true });

  // Work for one pod key runs strictly after the previous work for the same key.
  const queues = new Map<string, Promise<void>>();
  const enqueue = (key: string, work: () => Promise<void>) => {
    const next = (queues.get(key) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      log(`${key}: ${err instanceof Error ? err.message : String(err)}`);
    });
    queues.set(key, next);
    void next.then(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  };
  const ensured = new Map<string, string>(); // key -> uid with a current Exec

  const onPod = (pod: V1Pod) => {
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    const uid = pod.metadata?.uid;
    if (!name || !namespace || !uid || pod.metadata?.deletionTimestamp) return;
    const key = `${namespace}/${name}`;
    if (ensured.get(key) === uid) return;
    enqueue(key, async () => {
      if (ensured.get(key) === uid) return;
      await mkdir(sandboxDir(root, namespace, name), { recursive: true });
      await applyObject(cluster, podExec(root, { name, namespace, uid }));
      ensured.set(key, uid);
      log(`sandbox ready for ${key}`);
    });
  };
  const onDelete = (pod: V1Pod) => {
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    if (!name || !namespace) return;
    const key = `${namespace}/${name}`;
    enqueue(key, async () => {
      ensured.delete(key);
      await rm(sandboxDir(root, namespace, name), { recursive: true, force: true });
      await cluster.delete(EXEC, name, namespace);
      log(`sandbox removed for ${key}`);
    });
  };

  const informer = makeInformer(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
  let healthy = false;
  informer.on('add', onPod);
  informer.on('update', onPod);
  informer.on('delete', onDelete);
  informer.on('connect', () => {
    healthy = true;
  });
  informer.on('error', (err: unknown) => {
    healthy = false;
    log(`watch failed (${err instanceof Error ? err.message : String(err)}); restarting in 1s`);
    setTimeout(() => void informer.start().catch(() => {}), 1000);
  });

  // The same small agent process also provisions local volumes (see volume-provisioner.ts).
  const volumes = await startVolumeProvisioner(kc, join(root, '..', 'volumes'), log);

  // And KubeVirt's VNC subresource, behind the apiserver's aggregation layer (see kubevirt-vnc.ts).
  const vncPort = values['kubevirt-vnc-port'];
  const kubevirtVnc = vncPort
    ? await startKubevirtVnc({
        port: Number(vncPort),
        cert: await readFile(required(values['kubevirt-vnc-cert'], '--kubevirt-vnc-cert'), 'utf8'),
        key: await readFile(required(values['kubevirt-vnc-key'], '--kubevirt-vnc-key'), 'utf8'),
        cluster,
        vnc: parseTarget(required(values.vnc, '--vnc')),
        log,
      })
    : undefined;

  const server = http.createServer((req, res) => {
    const ok = req.url === '/healthz' && healthy && volumes.healthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
  // Sandboxes of pods that went away while this controller was not running. Directories are only
  // created from informer events, so pruning before the informer starts cannot race with them.
  const pods = await core.listPodForAllNamespaces();
  await pruneStale(root, new Set(pods.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)));
  await informer.start();
  log(`watching pods; sandboxes under ${root}`);

  const stop = () => {
    log('stopping');
    void informer.stop();
    void volumes.stop();
    void kubevirtVnc?.close();
    cluster.close();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Removes sandboxes of pods that went away while the controller was not running. */
async function pruneStale(root: string, live: Set<string>) {
  for (const ns of await readdir(root).catch(() => [] as string[])) {
    for (const pod of await readdir(join(root, ns)).catch(() => [] as string[])) {
      if (!live.has(`${ns}/${pod}`)) await rm(join(root, ns, pod), { recursive: true, force: true });
    }
  }
}
