/**
 * The WebSocket abuse suite against a real `labforge ui` process: malformed frames written by
 * hand (over the payload limit, invalid UTF-8, unmasked, reserved opcodes and bits, bad control
 * frames), floods, oversized messages, wrong tokens, a replayed cookie from another origin or
 * without the page key, and raw bytes that are not HTTP. After every case the same process is
 * still running and serves a legitimate page load and API call. The same process's terminal
 * stream endpoint gets the malformed frames too, on real shells in a pod of the local control
 * plane's real node (inside a container; only frames the server must refuse before any byte
 * reaches the shell are sent there, plus shell comments for the flood).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { API_PROTOCOL, MAX_API_MESSAGE_BYTES, PAGE_KEY_PROTOCOL_PREFIX } from '../../common/browser/session';
import { closeCode, frame, OP, rawTcp, rawUpgrade } from './ws-abuse-frames';
import { createPod, createTestNamespace, loadTestKubeConfig, type TestNamespace } from './helpers/kube';
import { signIn, startUiProcess, type UiProcess } from '../helpers/ui-process';

let child: ChildProcess;
let workspace: string;
let origin = '';
let port = 0;
let cookie = '';
let pageKey = '';
let ui: UiProcess | undefined;

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const apiHeaders = () => ({ Host: `127.0.0.1:${port}`, Origin: origin, Cookie: cookie, 'Sec-WebSocket-Protocol': `${API_PROTOCOL}, ${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}` });

/** A legitimate API socket, as the page opens it. */
function openApi(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}`], { headers: { Cookie: cookie }, origin, maxPayload: 2 * MAX_API_MESSAGE_BYTES });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, channel: string, req: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { id: number; result: { ok: boolean } };
      if (msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg.result);
      }
    };
    ws.on('message', onMsg);
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    ws.send(JSON.stringify({ id, channel, request: req }));
  });
}

/** The server process is running and answers a page load and an API call. */
async function expectAlive(): Promise<void> {
  expect(child.exitCode, ui?.output()).toBeNull();
  expect((await get(`${origin}/`, { Cookie: cookie })).status).toBe(200);
  const ws = await openApi();
  try {
    expect(await call(ws, 1, 'app.info', {})).toMatchObject({ ok: true, value: { mode: 'browser' } });
  } finally {
    ws.close();
  }
}

async function rssMiB(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'labforge-ws-abuse-'));
  await writeFile(join(workspace, 'lab.yaml'), 'apiVersion: labforge.dev/v1\n');
  ui = await startUiProcess({ workspace, env: { ...process.env, KUBECONFIG: inject('labforgeKubeconfig') } });
  child = ui.child;
  origin = ui.origin;
  port = ui.port;
  ({ cookie, pageKey } = await signIn(ui.link));
  expect(pageKey).not.toBe('');
}, 180_000);

afterAll(async () => {
  await ui?.stop();
  await rm(workspace, { recursive: true, force: true });
});

describe('labforge ui survives malformed frames on the API socket', () => {
  const cases: { name: string; bytes: () => Buffer; code: number }[] = [
    { name: 'a frame claiming more than the payload limit', bytes: () => frame(OP.text, Buffer.alloc(16), { claimedLength: MAX_API_MESSAGE_BYTES + 1 }), code: 1009 },
    { name: 'a frame claiming 2^63-1 bytes', bytes: () => Buffer.concat([Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(4)]), code: 1009 },
    { name: 'invalid UTF-8 in a text frame', bytes: () => frame(OP.text, Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0xaf])), code: 1007 },
    { name: 'a UTF-16 surrogate encoded in UTF-8', bytes: () => frame(OP.text, Buffer.from([0xed, 0xa0, 0x80])), code: 1007 },
    { name: 'an unmasked client frame', bytes: () => frame(OP.text, '{"id":1,"channel":"app.info","request":{}}', { mask: false }), code: 1002 },
    { name: 'reserved data opcode 0x3', bytes: () => frame(0x3, 'x'), code: 1002 },
    { name: 'reserved control opcode 0xB', bytes: () => frame(0xb, 'x'), code: 1002 },
    { name: 'RSV1 set without an extension', bytes: () => frame(OP.text, '{}', { rsv: 4 }), code: 1002 },
    { name: 'a fragmented ping', bytes: () => frame(OP.ping, 'x', { fin: false }), code: 1002 },
    { name: 'a 200-byte ping', bytes: () => frame(OP.ping, Buffer.alloc(200)), code: 1002 },
    { name: 'a continuation frame with nothing to continue', bytes: () => frame(OP.continuation, 'x'), code: 1002 },
    { name: 'a new text frame inside a fragmented message', bytes: () => Buffer.concat([frame(OP.text, '{"id"', { fin: false }), frame(OP.text, ':1}')]), code: 1002 },
    { name: 'a close frame with a 1-byte body', bytes: () => frame(OP.close, Buffer.from([3])), code: 1002 },
    { name: 'a close frame with a reserved code', bytes: () => frame(OP.close, Buffer.from([0x03, 0xe7])), code: 1002 },
    { name: 'a binary frame (the API speaks text)', bytes: () => frame(OP.binary, Buffer.from([1, 2, 3])), code: 1003 },
    { name: 'text that is not JSON', bytes: () => frame(OP.text, '{"id": 1, oops'), code: 1007 },
    { name: 'JSON without a numeric id', bytes: () => frame(OP.text, '[1,2,3]'), code: 1008 },
    { name: 'random bytes after the handshake', bytes: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff)), code: 0 },
  ];

  for (const c of cases) {
    it(`${c.name}: only that socket closes${c.code ? ` (${c.code})` : ''}`, async () => {
      const conn = await rawUpgrade(port, '/api', apiHeaders());
      expect(conn.status).toBe(101);
      conn.socket.write(c.bytes());
      expect(await conn.closed(), 'the server closes the offending socket').toBe(true);
      if (c.code) expect(closeCode(conn.received())).toBe(c.code);
      await expectAlive();
    });
  }

  it('a socket dropped mid-frame and mid-handshake', async () => {
    const conn = await rawUpgrade(port, '/api', apiHeaders());
    conn.socket.write(frame(OP.text, 'x'.repeat(1000)).subarray(0, 300));
    conn.socket.destroy();
    await rawTcp(port, `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`, 200);
    await expectAlive();
  });
});

describe('labforge ui under floods and oversized messages', () => {
  it('answers a flood of 5,000 calls in one write, every one, without growing past 1 GiB', async () => {
    const before = await rssMiB();
    const burst = Buffer.concat(Array.from({ length: 5000 }, (_, i) => frame(OP.text, JSON.stringify({ id: i + 1, channel: 'app.info', request: {} }))));
    // Raw, so no client library paces the flood.
    const raw = await rawUpgrade(port, '/api', apiHeaders());
    raw.socket.write(burst);
    const answers = () => raw.received().toString('latin1').match(/"id":\d+,"result":\{"ok":true/g)?.length ?? 0;
    for (let i = 0; i < 400 && answers() < 5000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(answers()).toBe(5000);
    raw.socket.destroy();
    expect(await rssMiB()).toBeLessThan(Math.max(1024, before + 512));
    await expectAlive();
  }, 60_000);

  it('closes a socket that opens more than 256 streams', async () => {
    const conn = await rawUpgrade(port, '/api', apiHeaders());
    const subs = Array.from({ length: 300 }, (_, i) => frame(OP.text, JSON.stringify({ id: i + 1, channel: 'dev.watch', request: { labName: 'ws-abuse' }, subscribe: true })));
    conn.socket.write(Buffer.concat(subs));
    expect(await conn.closed(10_000)).toBe(true);
    expect(closeCode(conn.received())).toBe(1008);
    await expectAlive();
  }, 30_000);

  it('a 5-million-character lab, JSON-escaped past 16 MiB, gets an answer rather than a dropped socket', async () => {
    const ws = await openApi();
    // Quotes, backslashes and control characters: about 30 MB once JSON-escaped.
    const text = `description: "${'\u0001"\\\u001f'.repeat(1_250_000)}"\n`.slice(0, 5_000_000);
    expect(JSON.stringify(text).length).toBeGreaterThan(16 * 2 ** 20);
    const result = await call(ws, 7, 'file.write', { path: 'big.yaml', text });
    // Either accepted or refused with a message that says why; the socket and server live on.
    if (!result.ok) expect(result.error?.message).toMatch(/\S/);
    expect(await call(ws, 8, 'app.info', {})).toMatchObject({ ok: true });
    ws.close();
    await expectAlive();
  }, 60_000);

  it('a message over the limit closes that socket (1009, message too big)', async () => {
    const ws = await openApi();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ id: 1, channel: 'file.write', request: { path: 'huge.yaml', text: 'x'.repeat(MAX_API_MESSAGE_BYTES + 1024) } }));
    // The server answers 1009 and drops the socket; when the client is still writing its 64 MiB,
    // the drop can reach it as a reset before the close frame is read (1006). Either way only
    // this socket ends. (The page itself refuses such a message before sending it.)
    expect([1009, 1006]).toContain(await closed);
    await expectAlive();
  }, 60_000);

  it('200 connections opened and dropped at once', async () => {
    const conns = await Promise.all(Array.from({ length: 200 }, () => rawUpgrade(port, '/api', apiHeaders())));
    expect(conns.every((c) => c.status === 101)).toBe(true);
    for (const c of conns) c.socket.destroy();
    await expectAlive();
  }, 30_000);
});

describe('labforge ui refuses what a cookie alone or a wrong secret brings', () => {
  it('a wrong or spent one-time token', async () => {
    expect((await get(`${origin}/?token=wrong`)).status).toBe(403);
    expect((await get(`${origin}/?token=`)).status).toBe(403);
    await expectAlive();
  });

  it('a replayed cookie with a forged Origin from another 127.0.0.1 port', async () => {
    for (const o of [`http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, 'null', origin]) {
      // Without the page key (a cookie is all another server on 127.0.0.1 ever sees).
      const bare = await rawUpgrade(port, '/api', { Host: `127.0.0.1:${port}`, Origin: o, Cookie: cookie });
      expect(bare.status, o).toBe(403);
      const withApi = await rawUpgrade(port, '/api', { Host: `127.0.0.1:${port}`, Origin: o, Cookie: cookie, 'Sec-WebSocket-Protocol': API_PROTOCOL });
      expect(withApi.status, o).toBe(403);
    }
    // The right key from the wrong origin is refused too.
    expect((await rawUpgrade(port, '/api', { ...apiHeaders(), Origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    await expectAlive();
  });

  it('a wrong page key, a forged cookie, a foreign Host', async () => {
    expect((await rawUpgrade(port, '/api', { ...apiHeaders(), 'Sec-WebSocket-Protocol': `${API_PROTOCOL}, ${PAGE_KEY_PROTOCOL_PREFIX}${'x'.repeat(pageKey.length)}` })).status).toBe(403);
    expect((await rawUpgrade(port, '/api', { ...apiHeaders(), Cookie: 'labforge_session=forged' })).status).toBe(403);
    expect((await rawUpgrade(port, '/api', { ...apiHeaders(), Host: 'evil.example' })).status).toBe(403);
    expect((await rawUpgrade(port, '/streams/AAAAAAAAAAAAAAAAAAAA', { ...apiHeaders(), 'Sec-WebSocket-Protocol': 'labforge.stream.v1, token.nope' })).status).toBe(403);
    await expectAlive();
  });

  it('upgrade requests with a bad key, version or path', async () => {
    const bad = (extra: string) => rawTcp(port, `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nCookie: ${cookie}\r\nSec-WebSocket-Protocol: ${API_PROTOCOL}, ${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`, 3000);
    expect((await bad('Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n')).reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await bad(`Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\n`)).reply).toMatch(/^HTTP\/1\.1 (400|426)/);
    expect((await rawUpgrade(port, '/nowhere', apiHeaders())).status).toBe(404);
    await expectAlive();
  });
});

describe('labforge ui survives raw bytes that are not HTTP', () => {
  const garbage: { name: string; bytes: () => Buffer | string }[] = [
    { name: 'random binary', bytes: () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 2654435761) & 0xff)) },
    { name: 'NUL bytes', bytes: () => Buffer.alloc(1024) },
    { name: 'a TLS ClientHello', bytes: () => Buffer.from('160301020001000200', 'hex') },
    { name: 'a bad request line', bytes: () => 'FOO BAR BAZ QUX\r\n\r\n' },
    { name: 'an HTTP/0.9 request', bytes: () => 'GET /\r\n' },
    { name: '64 KiB of header', bytes: () => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: ${'a'.repeat(65536)}\r\n\r\n` },
    { name: 'a header with a bare CR and NUL', bytes: () => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX: a\rb\0c\r\n\r\n` },
    { name: 'conflicting Content-Length', bytes: () => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab` },
    { name: 'chunked garbage', bytes: () => `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n` },
    { name: 'an absolute-form target', bytes: () => `GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\n\r\n` },
  ];
  for (const g of garbage) {
    it(`${g.name}: answered with an error or dropped, and the server lives on`, async () => {
      const r = await rawTcp(port, g.bytes());
      // Nothing the client sent is served: any answer is a 4xx.
      if (r.reply) expect(r.reply).toMatch(/^HTTP\/1\.1 4\d\d/);
      await expectAlive();
    });
  }
});

describe('labforge ui: the terminal stream endpoint on a real shell', () => {
  let scratch: TestNamespace;
  let api: WebSocket;
  let nextId = 100;

  beforeAll(async () => {
    const kc = loadTestKubeConfig();
    scratch = await createTestNamespace(kc, 'ws-abuse', 'real');
    await createPod(kc, scratch.name, 'shell');
    api = await openApi();
  }, 180_000);
  afterAll(async () => {
    api?.close();
    await scratch?.cleanup();
  });

  /** Opens a terminal through the API, as the pane does, and returns its stream's address. */
  async function openTerminal(): Promise<{ path: string; protocols: string[] }> {
    const r = await call(api, nextId++, 'terminal.open', { namespace: scratch.name, pod: 'shell', cols: 80, rows: 24 });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    const connect = (r.value as { connect: { kind: string; path: string; protocols: string[] } }).connect;
    expect(connect.kind).toBe('websocket');
    return connect;
  }
  const streamHeaders = (protocols: string[]) => ({ Host: `127.0.0.1:${port}`, Origin: origin, Cookie: cookie, 'Sec-WebSocket-Protocol': protocols.join(', ') });

  const cases: { name: string; bytes: () => Buffer; code: number }[] = [
    { name: 'an input frame over the 1 MiB limit', bytes: () => frame(OP.binary, Buffer.alloc(16), { claimedLength: 1024 * 1024 + 1 }), code: 1009 },
    { name: 'invalid UTF-8 in a control frame', bytes: () => frame(OP.text, Buffer.from([0xff, 0xfe])), code: 1007 },
    { name: 'an unmasked frame', bytes: () => frame(OP.binary, '# unmasked\n', { mask: false }), code: 1002 },
    { name: 'reserved opcode 0x5', bytes: () => frame(0x5, '# reserved\n'), code: 1002 },
    { name: 'RSV3 set', bytes: () => frame(OP.binary, '# rsv\n', { rsv: 1 }), code: 1002 },
  ];
  for (const c of cases) {
    it(`${c.name}: that terminal closes (${c.code}), the server lives on`, async () => {
      const { path, protocols } = await openTerminal();
      const conn = await rawUpgrade(port, path, streamHeaders(protocols));
      expect(conn.status).toBe(101);
      conn.socket.write(c.bytes());
      expect(await conn.closed(10_000)).toBe(true);
      expect(closeCode(conn.received())).toBe(c.code);
      conn.socket.destroy();
      await expectAlive();
    });
  }

  it('a flood of 5,000 input frames (shell comments) and a replayed token', async () => {
    const { path, protocols } = await openTerminal();
    const conn = await rawUpgrade(port, path, streamHeaders(protocols));
    expect(conn.status).toBe(101);
    conn.socket.write(Buffer.concat(Array.from({ length: 5000 }, () => frame(OP.binary, '# flood\n'))));
    // The spent token opens nothing, from this origin or another.
    expect((await rawUpgrade(port, path, streamHeaders(protocols))).status).toBe(403);
    expect((await rawUpgrade(port, path, { ...streamHeaders(protocols), Origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    conn.socket.destroy();
    await expectAlive();
    // And a fresh terminal still opens and upgrades.
    const again = await openTerminal();
    const ok = await rawUpgrade(port, again.path, streamHeaders(again.protocols));
    expect(ok.status).toBe(101);
    ok.socket.destroy();
  }, 60_000);
});
