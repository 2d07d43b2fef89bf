// A VM's VNC console through KubeVirt's subresource, on the real local control plane. There is no
// virt-api here: the cluster agent serves `v1.subresources.kubevirt.io` as an aggregated API
// (main/cluster/kubevirt-vnc.ts), so these requests go through the real kube-apiserver's
// authentication, RBAC and aggregation proxy (WebSocket upgrade included) before the stand-in
// authenticates the front proxy, authorizes the user again with a SubjectAccessReview, and
// streams the local x11vnc as the VM's screen.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLab } from '../../common/compile';
import { STUDENT_RULES } from '../../common/compile/rbac';
import { pkiPaths } from '../../main/cluster/certs';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { createVncService, TerminalError, type VncService } from '../../main/streams';
import { adminCluster, exampleLab } from './helpers/engine';
import { createTestNamespace, loadTestKubeConfig, testClusterDir, waitFor, type TestNamespace } from './helpers/kube';
import { RGB, type Display } from './vnc-display';
import { RfbViewer } from './vnc-rfb';
import { startVncRig, type VncRig } from './vnc-rig';

const API_SERVICE = kindOf<{ spec: { service: { name: string; namespace: string; port: number } } }>('apiregistration.k8s.io/v1', 'APIService');

let cluster: HttpCluster;
let display: Display;
let rig: VncRig;
let server: VncRig['server'];
let ns: TestNamespace;
let admin: VncService;
/** A user who may see the VM and its pods but not its screen, and a student with the compiled student Role. */
let viewerKc: KubeConfig;
let studentKc: KubeConfig;

/** A kubeconfig for a service account's short-lived token on the test cluster. */
async function tokenKubeConfig(namespace: string, name: string): Promise<KubeConfig> {
  const { token } = await cluster.createToken({ namespace, name }, 3600);
  const id = cluster.identity;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: id.server, caData: id.caData, skipTLSVerify: false }],
    users: [{ name, token }],
    contexts: [{ name: 'c', cluster: 'c', user: name }],
    currentContext: 'c',
  });
  return kc;
}

async function serviceAccountWithRole(namespace: string, name: string, rules: unknown[]) {
  const meta = { name, namespace };
  await cluster.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta });
  await cluster.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta, rules });
  await cluster.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
}

beforeAll(async () => {
  rig = await startVncRig();
  ({ display, server, vnc: admin } = rig);
  cluster = adminCluster();
  const kc = loadTestKubeConfig();
  ns = await createTestNamespace(kc, 'vnc-vm');
  // The vm-lab example's VirtualMachine, compiled for this namespace (labelled with its node).
  const vm = compileLab(exampleLab('vm-lab.yaml'), { namespace: ns.name }).find((o) => o.kind === 'VirtualMachine' && o.metadata.name === 'server');
  if (!vm) throw new Error('vm-lab has no VM "server"');
  await cluster.apply(vm);
  await serviceAccountWithRole(ns.name, 'viewer', [
    { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  ]);
  await serviceAccountWithRole(ns.name, 'student', STUDENT_RULES);
  viewerKc = await tokenKubeConfig(ns.name, 'viewer');
  studentKc = await tokenKubeConfig(ns.name, 'student');
}, 300_000);

afterAll(async () => {
  await rig?.stop();
  await ns?.cleanup();
  cluster?.close();
});

/** Waits until the stand-in has let go of the VM's one session (it sees the close a moment later). */
async function openWhenFree(service: VncService) {
  return waitFor('the VM console to be free', async () => {
    try {
      return await service.open({ namespace: ns.name, node: 'server' });
    } catch (err) {
      if (err instanceof TerminalError && err.code === 'busy') return undefined;
      throw err;
    }
  }, 10_000, 100);
}

describe("a VM's console through KubeVirt's VNC subresource (the aggregated stand-in)", () => {
  it('shows the colour, through the API server', async () => {
    const opened = await openWhenFree(admin);
    expect(opened).toMatchObject({ via: 'vm', name: 'server', port: null, node: 'server', namespace: ns.name });
    const viewer = await RfbViewer.open(server.port, opened);
    await viewer.waitForPixel(10, 10, RGB);
    viewer.close();
  });

  it('does not take the console from whoever holds it (preserveSession=true), and the holder keeps it', async () => {
    const holder = await RfbViewer.open(server.port, await openWhenFree(admin));
    await holder.waitForPixel(3, 3, RGB);
    const err = (await admin.open({ namespace: ns.name, node: 'server' }).catch((e: unknown) => e)) as TerminalError;
    expect(err).toBeInstanceOf(TerminalError);
    expect(err.code).toBe('busy');
    expect(err.message).toMatch(/Active VNC connection/);
    await display.paint('#3456cd');
    await holder.waitForPixel(3, 3, [0x34, 0x56, 0xcd]);
    expect(holder.controls).toEqual([]);
    await display.paint('#12ab34');
    holder.close();
  });

  it("lets a student with the compiled student Role in, and refuses a user without the vnc permission", async () => {
    const viewer = createVncService({ connector: server.hub, kubeConfig: () => viewerKc });
    const err = (await viewer.open({ namespace: ns.name, node: 'server' }).catch((e: unknown) => e)) as TerminalError;
    expect(err).toBeInstanceOf(TerminalError);
    expect(err.code).toBe('forbidden');
    expect(err.message).toMatch(/cannot get resource "virtualmachineinstances\/vnc" in API group "subresources\.kubevirt\.io"/);

    const student = createVncService({ connector: server.hub, kubeConfig: () => studentKc });
    const screen = await RfbViewer.open(server.port, await openWhenFree(student));
    await screen.waitForPixel(7, 7, RGB);
    screen.close();
  });
});

describe('the stand-in trusts only the front proxy, as an aggregated API server must', () => {
  const pki = () => pkiPaths(join(testClusterDir(), 'pki'));
  const port = async () => (await cluster.read(API_SERVICE, 'v1.subresources.kubevirt.io'))!.spec.service.port;
  const vncPath = () => `/apis/subresources.kubevirt.io/v1/namespaces/${ns.name}/virtualmachineinstances/server/vnc`;

  function get(p: number, path: string, client: 'front-proxy-client' | 'admin' | null, headers: Record<string, string | string[]>): Promise<{ status: number; body: string }> {
    const files = pki();
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: p,
          path,
          ca: readFileSync(files.caCert),
          servername: 'labforge-kubevirt-vnc.kube-system.svc',
          ...(client ? { cert: readFileSync(files.clients[client].cert), key: readFileSync(files.clients[client].key) } : {}),
          headers,
          agent: false,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  function upgrade(p: number, user: string, groups: string[]): Promise<{ status: number; body: string } | { open: string }> {
    const files = pki();
    return new Promise((resolve, reject) => {
      // The stand-in's certificate names 127.0.0.1 too, so no servername is needed here.
      const ws = new WebSocket(`wss://127.0.0.1:${p}${vncPath()}`, ['plain.kubevirt.io'], {
        ca: readFileSync(files.caCert),
        cert: readFileSync(files.clients['front-proxy-client'].cert),
        key: readFileSync(files.clients['front-proxy-client'].key),
        headers: { 'X-Remote-User': user },
        // One header line per group, as the apiserver sends them.
        finishRequest: (req) => {
          req.setHeader('X-Remote-Group', groups);
          req.end();
        },
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('message', (d: Buffer) => {
        resolve({ open: d.toString('latin1') });
        ws.close();
      });
      ws.on('error', (e) => (e.message.startsWith('Unexpected server response') ? undefined : reject(e)));
    });
  }

  it('refuses callers without the front-proxy certificate, whatever identity headers they send', async () => {
    const p = await port();
    const claim = { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' };
    expect((await get(p, '/apis/subresources.kubevirt.io/v1', null, claim)).status).toBe(401);
    // A certificate from the same CA, but not an allowed front-proxy name.
    const admin = await get(p, '/apis/subresources.kubevirt.io/v1', 'admin', claim);
    expect(admin.status).toBe(401);
    expect(admin.body).toMatch(/not an allowed front proxy/);
    const proxied = await get(p, '/apis/subresources.kubevirt.io/v1', 'front-proxy-client', claim);
    expect(proxied.status).toBe(200);
    expect(JSON.parse(proxied.body)).toMatchObject({ kind: 'APIResourceList', groupVersion: 'subresources.kubevirt.io/v1' });
  });

  it('authorizes the user named by the front proxy with its own SubjectAccessReview', async () => {
    const p = await port();
    const sa = (name: string) => `system:serviceaccount:${ns.name}:${name}`;
    const groups = ['system:serviceaccounts', `system:serviceaccounts:${ns.name}`, 'system:authenticated'];
    const refused = await upgrade(p, sa('viewer'), groups);
    expect(refused).toMatchObject({ status: 403 });
    const status = 'body' in refused ? (JSON.parse(refused.body) as { message: string }) : { message: '' };
    expect(status.message).toMatch(/User "system:serviceaccount:.*:viewer" cannot get resource "virtualmachineinstances\/vnc"/);
    const allowed = await waitFor('the console to be free', async () => {
      const r = await upgrade(p, sa('student'), groups);
      return 'status' in r && r.status === 503 ? undefined : r;
    }, 10_000, 100);
    expect(allowed).toEqual({ open: 'RFB 003.008\n' });
  });
});
