// `kubectl port-forward` to a kwok pod reaches a local TCP server: the cluster's ClusterPortForward
// maps pod ports to local addresses (5900 -> the VNC server, others via `cluster up --forward`).
import { PortForward, type KubeConfig } from '@kubernetes/client-node';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatus, clusterUp, type ForwardRule } from '../../main/cluster';
import { createPod, createTestNamespace, loadTestKubeConfig, randomId, testClusterDir, waitFor, type TestNamespace } from './helpers/kube';

let kc: KubeConfig;
let ns: TestNamespace;
let echo: net.Server;
let echoPort: number;
const sockets = new Set<net.Socket>();
let savedForwards: ForwardRule[] = [];
const POD_PORT = 7311;

beforeAll(async () => {
  kc = loadTestKubeConfig();
  ns = await createTestNamespace(kc, 'pf');
  // A TCP echo server on a free local port, prefixing replies so we know they came from it.
  echo = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.on('data', (d) => sock.write(`echo:${d.toString()}`));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  // Add our forward to the running cluster the way a user would (`cluster up --forward`).
  const stateDir = testClusterDir();
  savedForwards = (await clusterStatus({ stateDir })).forwards;
  await clusterUp({ stateDir, forwards: [...savedForwards.filter((f) => f.port !== POD_PORT), { port: POD_PORT, host: '127.0.0.1', targetPort: echoPort }] });
});
afterAll(async () => {
  await clusterUp({ stateDir: testClusterDir(), forwards: savedForwards }).catch(() => {});
  // kwok may keep its tunnel to the echo server open after the websocket closed.
  for (const s of sockets) s.destroy();
  await new Promise((r) => echo?.close(r));
  await ns?.cleanup();
});

/** One round trip through client-node's PortForward (websocket to the apiserver, then kwok). */
async function roundTrip(pod: string, port: number, message: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let received = '';
  output.on('data', (d: Buffer) => (received += d.toString('utf8')));
  const ws = await new PortForward(kc).portForward(ns.name, pod, [port], output, null, input);
  const socket = typeof ws === 'function' ? ws() : ws;
  try {
    input.write(message);
    return await waitFor('the echo reply', async () => (received.length >= message.length + 5 ? received : undefined), 10_000, 50);
  } finally {
    socket?.close();
    input.end();
  }
}

describe('port-forward to a kwok pod', () => {
  it('reaches the local server configured for that pod port', async () => {
    await createPod(kc, ns.name, 'vnc-host', [POD_PORT]);
    const msg = `ping-${randomId()}`;
    const reply = await waitFor('forwarding to work', () => roundTrip('vnc-host', POD_PORT, msg).catch(() => undefined), 30_000, 500);
    expect(reply).toBe(`echo:${msg}`);
  });

  it('shows the forward in status', async () => {
    const s = await clusterStatus({ stateDir: testClusterDir() });
    expect(s.vnc).toMatch(/:\d+$/);
    expect(s.forwards).toContainEqual({ port: POD_PORT, host: '127.0.0.1', targetPort: echoPort });
  });
});
