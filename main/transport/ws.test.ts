import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../api/dispatch';
import { attachWsTransport, WS_PATH, type WsTransport } from './ws';

// The browser-mode transport on a real loopback socket: calls, streams, cancel, and a client
// that goes away mid-stream.
describe('WebSocket transport', () => {
  let server: Server;
  let transport: WsTransport;
  let url: string;
  let watchAborted: Promise<void>;

  beforeEach(async () => {
    let markAborted!: () => void;
    watchAborted = new Promise((r) => (markAborted = r));
    const dispatch = createDispatcher({
      'app.info': () => ({ version: '9', mode: 'browser' as const, workspace: null }),
      'dev.watch': (_req, { emit, signal }) =>
        new Promise((resolve) => {
          emit({ statuses: [], deployed: null });
          const t = setInterval(() => emit({ statuses: [{ node: 'web', kind: 'container', state: 'ready', ready: true, restarts: 0 }], deployed: null }), 20);
          signal.addEventListener('abort', () => {
            clearInterval(t);
            markAborted();
            resolve({});
          });
        }),
    });
    server = createServer();
    transport = attachWsTransport(server, dispatch, () => true);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WS_PATH}`;
  });
  afterEach(async () => {
    await transport.close();
    await new Promise((r) => server.close(r));
  });

  const open = async () => {
    const ws = new WebSocket(url);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const messages: { id: number; event?: unknown; result?: { ok: boolean; error?: { code: string } } }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    return { ws, messages };
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('answers calls and streams events until cancelled', async () => {
    const { ws, messages } = await open();
    ws.send(JSON.stringify({ id: 1, channel: 'app.info', request: {} }));
    ws.send(JSON.stringify({ id: 2, channel: 'dev.watch', request: { labName: 'web-db' }, subscribe: true }));
    await until(() => messages.filter((m) => m.id === 2 && m.event).length >= 3);
    expect(messages.find((m) => m.id === 1)?.result).toEqual({ ok: true, value: { version: '9', mode: 'browser', workspace: null } });
    ws.send(JSON.stringify({ id: 2, cancel: true }));
    await until(() => messages.some((m) => m.id === 2 && m.result));
    expect(messages.find((m) => m.id === 2 && m.result)?.result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    ws.close();
  });

  it('cancels the streams of a socket that closes', async () => {
    const { ws, messages } = await open();
    ws.send(JSON.stringify({ id: 7, channel: 'dev.watch', request: { labName: 'web-db' }, subscribe: true }));
    await until(() => messages.some((m) => m.event));
    ws.terminate();
    await watchAborted;
  });

  it('survives a malformed frame on one socket', async () => {
    const { ws } = await open();
    // A reserved opcode (0x3), masked as a client must: a protocol error for this socket only.
    const raw = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    await new Promise((r) => ws.once('close', r));
    const second = await open();
    second.ws.send(JSON.stringify({ id: 1, channel: 'app.info', request: {} }));
    await until(() => second.messages.length === 1);
    second.ws.close();
  });
});
