import { mkdtemp } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamEndpoint } from './bridge';
import { startUiServer } from '../ui-server/server';
import { createWsStreamHub, type WsStreamHub } from './ws-hub';

let server: Server | null = null;
let hub: WsStreamHub | null = null;

/** A server whose UI-level check is `authorized`, with the hub behind it. */
async function start(authorized: boolean) {
  hub = createWsStreamHub();
  const h = hub;
  server = createServer((_q, r) => r.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!h.handleUpgrade(req, socket, head, authorized)) {
      socket.write('HTTP/1.1 404 Not Found\r\n\r\n');
      socket.destroy();
    }
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  hub?.close();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = null;
  hub = null;
});

/** Resolves with the HTTP status of a refused upgrade, or 101 and the chosen protocol. */
function tryConnect(port: number, path: string, protocols: string[]): Promise<{ status: number; protocol?: string; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.on('open', () => resolve({ status: 101, protocol: ws.protocol, ws }));
    ws.on('error', () => resolve({ status: 0 }));
  });
}

const SESSION = 'a'.repeat(22);

describe('the browser-mode stream hub', () => {
  it('lets in the right token once, answers with the stream protocol only, and carries frames both ways', async () => {
    const port = await start(true);
    let endpoint: StreamEndpoint | null = null;
    const offer = hub!.offer(SESSION, (ep) => (endpoint = ep));
    if (offer.kind !== 'websocket') throw new Error('expected websocket');
    expect(offer.path).toBe(`/streams/${SESSION}`);
    expect(offer.protocols[1]).toMatch(/^token\.[A-Za-z0-9_-]{43}$/);

    const first = await tryConnect(port, offer.path, offer.protocols);
    expect(first.status).toBe(101);
    expect(first.protocol).toBe('labforge.stream.v1');
    expect(endpoint).not.toBeNull();

    const got: (Buffer | string)[] = [];
    endpoint!.onMessage((d) => got.push(d));
    const echoed = new Promise<[Buffer, boolean]>((r) => first.ws!.once('message', (d, bin) => r([d as Buffer, bin])));
    endpoint!.send(Buffer.from([1, 2, 3]));
    expect(await echoed).toEqual([Buffer.from([1, 2, 3]), true]);
    first.ws!.send(JSON.stringify({ type: 'ack', bytes: 3 }));
    first.ws!.send(Buffer.from('x'));
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['{"type":"ack","bytes":3}', Buffer.from('x')]);

    // Spent: the same token does not open a second stream.
    expect((await tryConnect(port, offer.path, offer.protocols)).status).toBe(403);
    first.ws!.close();
  });

  it('refuses a wrong or missing token, an unknown session, and any request the UI server did not authorize', async () => {
    const port = await start(true);
    const offer = hub!.offer(SESSION, () => undefined);
    if (offer.kind !== 'websocket') throw new Error('expected websocket');
    const wrongToken = `token.${'x'.repeat(43)}`;
    expect((await tryConnect(port, offer.path, ['labforge.stream.v1', wrongToken])).status).toBe(403);
    expect((await tryConnect(port, offer.path, ['labforge.stream.v1'])).status).toBe(403);
    expect((await tryConnect(port, `/streams/${'b'.repeat(22)}`, offer.protocols)).status).toBe(403);
    // Not a stream path: left to the next handler.
    expect((await tryConnect(port, '/other', offer.protocols)).status).toBe(404);
    // The offer survived the failed attempts.
    expect((await tryConnect(port, offer.path, offer.protocols)).status).toBe(101);

    await new Promise((r) => setTimeout(r, 10));
    hub!.close();
    server!.closeAllConnections();
    await new Promise((r) => server!.close(r));
    const closedPort = await start(false);
    const again = hub!.offer(SESSION, () => undefined);
    if (again.kind !== 'websocket') throw new Error('expected websocket');
    expect((await tryConnect(closedPort, again.path, again.protocols)).status).toBe(403);
  });
});

describe('terminal streams behind the labforge ui server', () => {
  it('need the session cookie and the exact Origin as well as the token', async () => {
    const streams = createWsStreamHub();
    const ui = await startUiServer({ dispatch: async () => ({ ok: false, error: { code: 'unsupported', message: 'x' } }), rendererDir: await mkdtemp(join(tmpdir(), 'lf-hub-')), streams });
    try {
      // The first load exchanges the one-time token for the session cookie.
      const cookie = await new Promise<string>((resolve, reject) => {
        request(ui.url, (res) => {
          res.resume();
          resolve(String(res.headers['set-cookie']).split(';')[0]!);
        })
          .on('error', reject)
          .end();
      });
      const offer = streams.offer(SESSION, () => undefined);
      if (offer.kind !== 'websocket') throw new Error('expected websocket');
      const url = `ws://127.0.0.1:${ui.port}${offer.path}`;
      const attempt = (headers: Record<string, string>, origin?: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(url, offer.protocols, { headers, ...(origin ? { origin } : {}) });
          ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('error', () => resolve(0));
        });
      expect(await attempt({}, ui.origin)).toBe(403);
      expect(await attempt({ Cookie: cookie }, 'http://evil.example')).toBe(403);
      expect(await attempt({ Cookie: cookie })).toBe(403);
      expect(await attempt({ Cookie: cookie }, ui.origin)).toBe(101);
    } finally {
      streams.close();
      await ui.close();
    }
  });
});
