// The cluster's agent: a small long-running process `cluster up` starts beside the control plane.
// It provisions local volumes (volume-provisioner.ts) and serves KubeVirt's VNC subresource
// (kubevirt-vnc.ts).
//
// It no longer gives kwok's pods a way to run commands: kwok would run `kubectl exec` on the host,
// so any student with exec rights into a simulated pod had a shell on the instructor's machine.
// Exec into a pod works on the real node (../node/), inside the container; on kwok nodes there is
// nothing to exec into and kwok refuses it.
//
// Usage: node --import tsx main.ts --kubeconfig=FILE --volumes=DIR --port=PORT
//        [--kubevirt-vnc-port=PORT --kubevirt-vnc-cert=FILE --kubevirt-vnc-key=FILE --vnc=HOST:PORT]
import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { clusterFor } from '../../kube/http-cluster';
import { loadKubeConfig } from '../../kube/kubeconfig';
import { startKubevirtVnc } from './kubevirt-vnc';
import { parseTarget } from '../manifests';
import { startVolumeProvisioner } from './volume-provisioner';

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} is required with --kubevirt-vnc-port`);
  return value;
}

function log(msg: string) {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}

/** The agent process (see main.ts). */
export async function runAgent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      volumes: { type: 'string' },
      port: { type: 'string' },
      code: { type: 'string' },
      'kubevirt-vnc-port': { type: 'string' },
      'kubevirt-vnc-cert': { type: 'string' },
      'kubevirt-vnc-key': { type: 'string' },
      vnc: { type: 'string' },
    },
    strict: true,
  });
  if (!values.kubeconfig || !values.volumes || !values.port) throw new Error('usage: agent --kubeconfig=FILE --volumes=DIR --port=PORT');
  const volumesDir = values.volumes;
  const kc = loadKubeConfig({ kubeconfig: values.kubeconfig });
  const cluster = clusterFor(kc);
  await mkdir(volumesDir, { recursive: true });

  // The same small agent process also provisions local volumes (see volume-provisioner.ts).
  const volumes = await startVolumeProvisioner(cluster, volumesDir, log);

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
    const ok = req.url === '/healthz' && volumes.healthy();
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ready');
  });
  await new Promise<void>((resolve) => server.listen(Number(values.port), '127.0.0.1', resolve));
  log(`agent ready; volumes under ${volumesDir}`);

  const stop = () => {
    log('stopping');
    void volumes.stop();
    void kubevirtVnc?.close();
    cluster.close();
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
