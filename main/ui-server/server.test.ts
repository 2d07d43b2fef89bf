import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { API_PROTOCOL, PAGE_KEY_FRAGMENT, PAGE_KEY_PROTOCOL_PREFIX } from '../../common/browser/session';
import { createMemorySettings } from '../api/settings';
import { createHost } from '../api/host';
import { startUiServer, type UiServer } from './server';

let dir: string;
let server: UiServer;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
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

let pageKey = '';

/** Exchanges the one-time token for the session cookie and the page key, as the browser's first load does. */
async function login(): Promise<string> {
  const r = await get(server.url);
  expect(r.status).toBe(302);
  pageKey = new URLSearchParams(new URL(String(r.headers.location)).hash.slice(1)).get(PAGE_KEY_FRAGMENT) ?? '';
  expect(pageKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const cookie = String(r.headers['set-cookie']).split(';')[0]!;
  return cookie;
}

function connect(headers: Record<string, string>, protocols: string[] = [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}`]): Promise<{ ws: WebSocket | null; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, protocols, { headers });
    ws.on('open', () => resolve({ ws, status: null }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws: null, status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ ws: null, status: -1 }));
  });
}

function call(ws: WebSocket, channel: string, req: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 1e9);
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { id: number; result: unknown };
      if (msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg.result);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ id, channel, request: req }));
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labforge-ui-'));
  const renderer = join(dir, 'renderer');
  const workspace = join(dir, 'ws');
  const examples = join(dir, 'examples');
  for (const d of [renderer, join(renderer, 'assets'), workspace, examples]) await mkdir(d, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>Labforge</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(workspace, 'mine.yaml'), 'x: 1\n');
  const host = createHost({ mode: 'browser', version: '0.0.0-test', workspace, examplesDir: examples, settings: createMemorySettings() });
  server = await startUiServer({ dispatch: host.dispatch, rendererDir: renderer });
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('browser-mode server', () => {
  it('refuses a request without token or session with 403', async () => {
    const r = await get(`${server.origin}/`);
    expect(r.status).toBe(403);
    expect((await get(`${server.origin}/assets/app.js`)).status).toBe(403);
  });

  it('exchanges the token for an HttpOnly SameSite=Strict cookie and strips it with a redirect', async () => {
    const r = await get(server.url);
    expect(r.status).toBe(302);
    const location = new URL(String(r.headers.location));
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(`${server.origin}/`);
    expect(location.hash).toMatch(new RegExp(`^#${PAGE_KEY_FRAGMENT}=[A-Za-z0-9_-]{43}$`));
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await get(`${server.origin}/`, { cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Labforge</title>');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(page.headers['content-security-policy'])).not.toContain('unsafe-eval');
    expect(String(page.headers['content-security-policy'])).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
  });

  it('rejects a reused token', async () => {
    await login();
    const again = await get(server.url);
    expect(again.status).toBe(403);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('after the link is spent (a browser restart lost the cookie), a refusal says how to get a new link, and the new link works once', async () => {
    await login();
    const lost = await get(`${server.origin}/`);
    expect(lost.status).toBe(403);
    expect(lost.body).toContain('press Enter in the terminal where `labforge ui` runs');
    expect((await get(server.url)).body).toContain('press Enter');
    const fresh = server.newLink();
    expect(fresh).not.toBe(server.url);
    const r = await get(fresh);
    expect(r.status).toBe(302);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    expect((await get(`${server.origin}/`, { cookie })).status).toBe(200);
    // Spent too; and a link minted after another voids the unused one.
    expect((await get(fresh)).status).toBe(403);
    const first = server.newLink();
    const second = server.newLink();
    expect((await get(first)).status).toBe(403);
    expect((await get(second)).status).toBe(302);
  });

  it('rejects a wrong token and a forged cookie', async () => {
    expect((await get(`${server.origin}/?token=nope`)).status).toBe(403);
    expect((await get(`${server.origin}/`, { cookie: 'labforge_session=forged' })).status).toBe(403);
  });

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    const cookie = await login();
    expect((await get(`${server.origin}/`, { cookie, host: 'evil.example:80' })).status).toBe(421);
  });

  it('accepts the WebSocket with the cookie and the exact Origin, and serves the API over it', async () => {
    const cookie = await login();
    const { ws, status } = await connect({ cookie, origin: server.origin });
    expect(status).toBeNull();
    // The page key is never echoed back.
    expect(ws!.protocol).toBe(API_PROTOCOL);
    const info = (await call(ws!, 'app.info', {})) as { ok: boolean; value: { mode: string } };
    expect(info).toMatchObject({ ok: true, value: { mode: 'browser' } });
    const listed = (await call(ws!, 'file.list', {})) as { ok: boolean; value: { files: { name: string }[] } };
    expect(listed.value.files.map((f) => f.name)).toEqual(['mine.yaml']);
    const bad = (await call(ws!, 'file.read', { path: '../../etc/passwd' })) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    ws!.close();
  });

  it('rejects the WebSocket with a wrong Origin even with a valid cookie', async () => {
    const cookie = await login();
    for (const origin of ['http://evil.example', `http://localhost:${server.port}`, `http://127.0.0.1:${server.port + 1}`, 'null']) {
      const r = await connect({ cookie, origin });
      expect(r.status, origin).toBe(403);
    }
    const none = await connect({ cookie });
    expect(none.status).toBe(403);
  });

  it('rejects a replayed cookie without the page key, or with a wrong one', async () => {
    const cookie = await login();
    expect((await connect({ cookie, origin: server.origin }, [API_PROTOCOL])).status).toBe(403);
    expect((await connect({ cookie, origin: server.origin }, [])).status).toBe(403);
    expect((await connect({ cookie, origin: server.origin }, [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${'A'.repeat(43)}`])).status).toBe(403);
    expect((await connect({ cookie, origin: server.origin }, [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}`])).status).toBe(403);
  });

  it('redirects off-site-looking targets to a path on this server', async () => {
    const r = await get(`${server.origin}/.//evil.example/x?${new URL(server.url).search.slice(1)}`);
    expect(r.status).toBe(302);
    expect(new URL(String(r.headers.location)).origin).toBe(server.origin);
  });

  it('does not serve source maps', async () => {
    const cookie = await login();
    await writeFile(join(dir, 'renderer', 'assets', 'app.js.map'), '{"version":3}');
    expect((await get(`${server.origin}/assets/app.js.map`, { cookie })).status).toBe(404);
    expect((await get(`${server.origin}/assets/app.js`, { cookie })).status).toBe(200);
  });

  it('answers bad percent-encoding with 400', async () => {
    const cookie = await login();
    expect((await get(`${server.origin}/assets/%E0%A4%A`, { cookie })).status).toBe(400);
    expect((await get(`${server.origin}/%`, { cookie })).status).toBe(400);
  });

  it('rejects the WebSocket without the session cookie', async () => {
    await login();
    const r = await connect({ origin: server.origin });
    expect(r.status).toBe(403);
  });
});
