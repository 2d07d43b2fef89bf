// `kubectl port-forward` to a kwok pod reaches a local TCP server: the cluster's ClusterPortForward
// maps pod ports to local addresses (5900 -> the VNC server, others via `cluster up --forward`).
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatus, clusterUp, type ForwardRule } from '../../main/cluster';
import { createPod, createTestNamespace, loadTestKubeConfig, randomId, testClusterDir, waitFor, type TestNamespace } from './helpers/kube';

const ECHO_POD_PORT = 7311;
const BLOB_POD_PORT = 7312;
const BLOB = randomBytes(256 * 1024);

let kc: KubeConfig;
let ns: TestNamespace;
let savedForwards: ForwardRule[] = [];
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
/** Connections the echo server has seen close (by their order of arrival). */
const echoClosed: boolean[] = [];

async function listen(onConnection: (sock: net.Socket) => void): Promise<number> {
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    onConnection(sock);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  kc = loadTestKubeConfig();
  ns = await createTestNamespace(kc, 'pf');
  // An echo server (prefixes replies so we know they came from it) and a server that sends a
  // binary blob and hangs up.
  const echoPort = await listen((sock) => {
    const i = echoClosed.push(false) - 1;
    sock.on('close', () => (echoClosed[i] = true));
    sock.on('data', (d) => sock.write(`echo:${d.toString()}`));
  });
  const blobPort = await listen((sock) => sock.end(BLOB));
  // Add the forwards to the running cluster the way a user would (`cluster up --forward`).
  const stateDir = testClusterDir();
  savedForwards = (await clusterStatus({ stateDir })).forwards;
  const ours = new Set([ECHO_POD_PORT, BLOB_POD_PORT]);
  await clusterUp({
    stateDir,
    forwards: [
      ...savedForwards.filter((f) => !ours.has(f.port)),
      { port: ECHO_POD_PORT, host: '127.0.0.1', targetPort: echoPort },
      { port: BLOB_POD_PORT, host: '127.0.0.1', targetPort: blobPort },
    ],
  });
  await createPod(kc, ns.name, 'vnc-host', [ECHO_POD_PORT, BLOB_POD_PORT]);
});
afterAll(async () => {
  await clusterUp({ stateDir: testClusterDir(), forwards: savedForwards }).catch(() => {});
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  await ns?.cleanup();
});

/** Opens a forward through client-node's PortForward (websocket to the apiserver, then kwok). */
async function open(pod: string, port: number) {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (d: Buffer) => chunks.push(d));
  const ws = await new PortForward(kc).portForward(ns.name, pod, [port], output, null, input);
  const socket = typeof ws === 'function' ? ws() : ws;
  if (!socket) throw new Error('no websocket');
  let closed = false;
  socket.on('close', () => (closed = true));
  return { input, received: () => Buffer.concat(chunks), closed: () => closed, close: () => socket.close() };
}

describe('port-forward to a kwok pod', () => {
  it('reaches the local server configured for that pod port, and hangs up on it when the client leaves', async () => {
    const msg = `ping-${randomId()}`;
    const conn = await waitFor('forwarding to work', async () => {
      const c = await open('vnc-host', ECHO_POD_PORT);
      c.input.write(msg);
      try {
        await waitFor('the echo reply', async () => c.received().length >= msg.length + 5 || undefined, 5000, 50);
        return c;
      } catch {
        c.close();
        return undefined;
      }
    }, 30_000, 500);
    expect(conn.received().toString()).toBe(`echo:${msg}`);
    const index = echoClosed.length - 1;
    expect(echoClosed[index]).toBe(false);
    conn.close();
    // The local server must see the disconnect (a VNC server would otherwise keep a ghost client).
    await waitFor('the local connection to close', async () => echoClosed[index] || undefined, 10_000, 50);
  });

  it('carries binary data intact, and ends the session after the server hung up', async () => {
    const conn = await open('vnc-host', BLOB_POD_PORT);
    await waitFor('the whole blob', async () => conn.received().length >= BLOB.length || undefined, 20_000, 50);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(conn.received().length).toBe(BLOB.length);
    expect(sha(conn.received())).toBe(sha(BLOB));
    // kwok finishes a forward only once its copy from the client returns, i.e. at the client's next
    // write after the server hung up (VNC clients write continually); then the session closes.
    conn.input.write('x');
    await waitFor('the session to close', async () => conn.closed() || undefined, 10_000, 50);
  });

  it('shows the forwards in status', async () => {
    const s = await clusterStatus({ stateDir: testClusterDir() });
    expect(s.vnc).toMatch(/:\d+$/);
    expect(s.forwards.map((f) => f.port)).toEqual(expect.arrayContaining([ECHO_POD_PORT, BLOB_POD_PORT]));
  });
});
