import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeAccess } from './contexts';

let dir: string;
let api: Server;
let silent: Server;
let kubeconfig: string;
let seenAuth: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-kube-'));
  // A stand-in API server on loopback answering /version like kube-apiserver does (plain HTTP,
  // which client-node only allows with insecure-skip-tls-verify).
  api = createServer((req, res) => {
    seenAuth = req.headers.authorization;
    if (req.url === '/version' && req.headers.authorization === 'Bearer good-token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '33', gitVersion: 'v1.33.1' }));
    } else {
      res.writeHead(401);
      res.end();
    }
  });
  silent = createServer(() => undefined); // accepts, never answers
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (api.address() as AddressInfo).port;
  const silentPort = (silent.address() as AddressInfo).port;
  kubeconfig = join(dir, 'config');
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: good
clusters:
- name: local
  cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
- name: hang
  cluster: { server: "http://127.0.0.1:${silentPort}", insecure-skip-tls-verify: true }
- name: closed
  cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true }
users:
- name: ok
  user: { token: good-token }
- name: bad
  user: { token: wrong }
contexts:
- name: good
  context: { cluster: local, user: ok, namespace: labs }
- name: badcreds
  context: { cluster: local, user: bad }
- name: slow
  context: { cluster: hang, user: ok }
- name: refused
  context: { cluster: closed, user: ok }
`,
  );
});
afterAll(async () => {
  api.closeAllConnections();
  silent.closeAllConnections();
  api.close();
  silent.close();
  await rm(dir, { recursive: true, force: true });
});

const access = () =>
  createKubeAccess({
    load: async () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      return kc;
    },
    env: { KUBECONFIG: kubeconfig },
  });

describe('kube contexts', () => {
  it('lists contexts with servers and namespaces but no credentials', async () => {
    const list = await access().listContexts();
    expect(list.current).toBe('good');
    expect(list.contexts.map((c) => c.name)).toEqual(['good', 'badcreds', 'slow', 'refused']);
    expect(list.contexts[0]).toMatchObject({ cluster: 'local', namespace: 'labs', user: 'ok' });
    expect(JSON.stringify(list)).not.toContain('good-token');
    expect(list.source).toBe(kubeconfig);
  });

  it('tests a connection with GET /version and the context credentials', async () => {
    const r = await access().testConnection('good', 2000);
    expect(r).toMatchObject({ ok: true, version: 'v1.33.1' });
    expect(seenAuth).toBe('Bearer good-token');
  });

  it('reports rejected credentials, timeouts, refused connections and unknown contexts clearly', async () => {
    const a = access();
    expect((await a.testConnection('badcreds', 2000)).message).toMatch(/rejected the credentials.*HTTP 401/);
    expect((await a.testConnection('slow', 300)).message).toMatch(/no answer .* within 300 ms/);
    expect((await a.testConnection('refused', 2000)).message).toMatch(/connection refused/);
    expect((await a.testConnection('nope', 2000)).message).toMatch(/not in the kubeconfig/);
  });

  it('reports an unreadable kubeconfig as an error value', async () => {
    const a = createKubeAccess({ load: async () => { throw new Error('bad yaml'); } });
    expect((await a.listContexts()).error).toMatch(/cannot read the kubeconfig: bad yaml/);
  });
});
