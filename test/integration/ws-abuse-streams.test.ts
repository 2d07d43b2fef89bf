/**
 * The abuse suite for the terminal/VNC stream endpoints (`/streams/<id>`): the real UI server
 * and stream hub `labforge ui` runs, in this process, with a session offered the way
 * TerminalService offers one. An echo stands in for the shell, so every case can be sent,
 * random bytes included (ws-abuse.test.ts sends real shells only what must be refused before a
 * byte reaches them). An uncaught error here would end the test process, so "alive" is checked
 * by a fresh offer that upgrades and echoes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWsStreamHub, DEFAULT_WINDOW, type WsStreamHub } from '../../main/streams';
import { TerminalBridge } from '../../main/streams/bridge';
import { startUiServer, type UiServer } from '../../main/ui-server/server';
import { closeCode, frame, OP, rawTcp, rawUpgrade } from './ws-abuse-frames';

let dir: string;
let hub: WsStreamHub;
let ui: UiServer;
let cookie = '';
let offers = 0;

/** Offers a session whose stream echoes what it receives; returns its path and protocols. */
function offerEcho(): { path: string; protocols: string[] } {
  const id = `abuse${String(++offers).padStart(12, '0')}`;
  const offer = hub.offer(id, (endpoint) => endpoint.onMessage((data) => endpoint.send(data)));
  if (offer.kind !== 'websocket') throw new Error('expected a WebSocket offer');
  return { path: offer.path, protocols: offer.protocols };
}

const headersFor = (protocols: string[]) => ({ Host: `127.0.0.1:${ui.port}`, Origin: ui.origin, Cookie: cookie, 'Sec-WebSocket-Protocol': protocols.join(', ') });

async function expectAlive(): Promise<void> {
  const { path, protocols } = offerEcho();
  const ws = new WebSocket(`ws://127.0.0.1:${ui.port}${path}`, protocols, { headers: { Cookie: cookie }, origin: ui.origin });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
  ws.send(Buffer.from('still here'));
  expect(await echoed).toBe('still here');
  ws.close();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-ws-abuse-streams-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html>');
  hub = createWsStreamHub();
  ui = await startUiServer({ dispatch: async () => ({ ok: false, error: { code: 'unsupported', message: 'not in this test' } }), rendererDir: dir, streams: hub });
  cookie = await new Promise<string>((resolve, reject) => {
    request(ui.url, (res) => {
      res.resume();
      resolve(String(res.headers['set-cookie']).split(';')[0]!);
    })
      .on('error', reject)
      .end();
  });
});
afterAll(async () => {
  hub?.close();
  await ui?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('stream endpoints survive malformed frames', () => {
  const cases: { name: string; bytes: () => Buffer; code: number }[] = [
    { name: 'an input frame over the 1 MiB limit', bytes: () => frame(OP.binary, Buffer.alloc(16), { claimedLength: 1024 * 1024 + 1 }), code: 1009 },
    { name: 'a frame claiming 2^63-1 bytes', bytes: () => Buffer.concat([Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4)]), code: 1009 },
    { name: 'invalid UTF-8 in a control (text) frame', bytes: () => frame(OP.text, Buffer.from([0xff, 0xfe, 0xfd])), code: 1007 },
    { name: 'an unmasked client frame', bytes: () => frame(OP.binary, 'ls\n', { mask: false }), code: 1002 },
    { name: 'reserved data opcode 0x7', bytes: () => frame(0x7, 'x'), code: 1002 },
    { name: 'reserved control opcode 0xF', bytes: () => frame(0xf, 'x'), code: 1002 },
    { name: 'RSV2 set without an extension', bytes: () => frame(OP.binary, 'x', { rsv: 2 }), code: 1002 },
    { name: 'a fragmented close', bytes: () => frame(OP.close, Buffer.from([0x03, 0xe8]), { fin: false }), code: 1002 },
    { name: 'a continuation frame with nothing to continue', bytes: () => frame(OP.continuation, 'x'), code: 1002 },
    { name: 'random bytes after the handshake', bytes: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 40503 + 7) & 0xff)), code: 0 },
  ];
  for (const c of cases) {
    it(`${c.name}: only that stream closes`, async () => {
      const { path, protocols } = offerEcho();
      const conn = await rawUpgrade(ui.port, path, headersFor(protocols));
      expect(conn.status).toBe(101);
      conn.socket.write(c.bytes());
      expect(await conn.closed()).toBe(true);
      if (c.code) expect(closeCode(conn.received())).toBe(c.code);
      conn.socket.destroy();
      await expectAlive();
    });
  }
});

describe('stream endpoints under floods and with wrong secrets', () => {
  it('a flood of 20,000 input frames in one write is echoed in full', async () => {
    const { path, protocols } = offerEcho();
    const conn = await rawUpgrade(ui.port, path, headersFor(protocols));
    const n = 20_000;
    conn.socket.write(Buffer.concat(Array.from({ length: n }, () => frame(OP.binary, 'abcdefgh'))));
    // Each echo is an unmasked 2-byte header and 8 bytes.
    for (let i = 0; i < 200 && conn.received().length < n * 10; i++) await new Promise((r) => setTimeout(r, 50));
    expect(conn.received().length).toBe(n * 10);
    conn.socket.destroy();
    await expectAlive();
  }, 30_000);

  it('a wrong, missing or spent stream token', async () => {
    const { path, protocols } = offerEcho();
    const [stream] = protocols;
    expect((await rawUpgrade(ui.port, path, headersFor([stream!, 'token.wrong']))).status).toBe(403);
    expect((await rawUpgrade(ui.port, path, headersFor([stream!]))).status).toBe(403);
    const first = await rawUpgrade(ui.port, path, headersFor(protocols));
    expect(first.status).toBe(101);
    expect((await rawUpgrade(ui.port, path, headersFor(protocols))).status).toBe(403);
    first.socket.destroy();
    await expectAlive();
  });

  it('a replayed cookie and token from another origin, or with no cookie', async () => {
    const { path, protocols } = offerEcho();
    for (const origin of [`http://127.0.0.1:${ui.port + 1}`, 'null', 'http://evil.example']) {
      expect((await rawUpgrade(ui.port, path, { ...headersFor(protocols), Origin: origin })).status, origin).toBe(403);
    }
    expect((await rawUpgrade(ui.port, path, { ...headersFor(protocols), Cookie: '' })).status).toBe(403);
    // The refusals did not spend the offer: its owner can still connect.
    const ok = await rawUpgrade(ui.port, path, headersFor(protocols));
    expect(ok.status).toBe(101);
    ok.socket.destroy();
    await expectAlive();
  });

  it('ids that are not ids, and garbage on the stream path', async () => {
    for (const p of ['/streams/', '/streams/../api', '/streams/%00', `/streams/${'a'.repeat(5000)}`]) {
      expect((await rawUpgrade(ui.port, p, headersFor(['labforge.stream.v1', 'token.x']))).status, p).toBe(403);
    }
    const r = await rawTcp(ui.port, `GET /streams/x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n${'\u0000'.repeat(100)}`, 2000);
    if (r.reply) expect(r.reply).toMatch(/^HTTP\/1\.1 4\d\d/);
    await expectAlive();
  });
});

describe('output backpressure against a page that lies', () => {
  it('forged acks on an unread socket do not grow the server (issue 32, item 9)', async () => {
    // A shell that floods whenever it is not paused, behind the bridge terminals use.
    let paused = false;
    let bridge: TerminalBridge | undefined;
    const flood = () => {
      if (!bridge || paused) return;
      bridge.output(Buffer.alloc(64 * 1024, 0x79));
      setImmediate(flood);
    };
    const id = `abuse${String(++offers).padStart(12, '0')}`;
    const offer = hub.offer(id, (endpoint) => {
      bridge = new TerminalBridge(DEFAULT_WINDOW, { write: () => undefined, resize: () => undefined, pause: () => (paused = true), resume: () => ((paused = false), setImmediate(flood)) }, () => undefined);
      bridge.attach(endpoint);
      flood();
    });
    if (offer.kind !== 'websocket') throw new Error('expected a WebSocket offer');
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}${offer.path}`, offer.protocols, { headers: { Cookie: cookie }, origin: ui.origin });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    // Read nothing; claim everything was shown, 100 times a second for 3 s.
    ws.pause();
    const forged = setInterval(() => ws.send(JSON.stringify({ type: 'ack', bytes: Number.MAX_SAFE_INTEGER })), 10);
    let maxBuffered = 0;
    const sample = setInterval(() => (maxBuffered = Math.max(maxBuffered, bridge?.stats().transportBuffered ?? 0)), 5);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(forged);
    clearInterval(sample);
    const stats = bridge!.stats();
    ws.terminate();
    bridge!.detach();
    // What the socket did not take stays in the container: at most a window (plus one frame)
    // waits in the server's socket buffer; the rest of what left sits in the kernel's buffers.
    expect(maxBuffered).toBeLessThanOrEqual(DEFAULT_WINDOW + 64 * 1024);
    expect(stats.bytesOut).toBeLessThan(16 * 2 ** 20);
    expect(stats.paused).toBe(true);
    await expectAlive();
  }, 20_000);
});
