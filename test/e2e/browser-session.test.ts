/**
 * Browser mode's session in a real browser: the page key arrives in the redirect's fragment,
 * leaves the address bar at once, survives a reload, and a page served from another port of
 * 127.0.0.1 (which the browser sends the session cookie to, since cookies ignore ports) gets no
 * API socket.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startUi } from '../../main/ui-server';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, openFromDialog } from './helpers';

let server: Awaited<ReturnType<typeof startUi>>;
let browser: Browser;
let page: Page;
let evil: Server;
const errors: string[] = [];

beforeAll(async () => {
  buildRenderer();
  const workspace = await mkdtemp(join(tmpdir(), 'labforge-e2e-session-'));
  server = await startUi({ workspace, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=canvas]');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((r) => (evil ? evil.close(r) : r(undefined)));
});

describe('browser mode: the page key', () => {
  it('is taken out of the address bar and kept across a reload', async () => {
    expect(page.url()).toBe(`${server.origin}/`);
    await page.reload();
    await page.waitForSelector('[data-testid=canvas]');
    // The API answers after the reload: the file list and the lab come over the socket.
    await openFromDialog(page, 'routing-lab.yaml');
    await page.locator('[data-testid="node-router"]').waitFor();
    expect(errors).toEqual([]);
  });

  it('is not enough to be on 127.0.0.1: a page on another port gets no API socket', async () => {
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>other</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const other = await page.context().newPage();
    await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    // The browser sends the session cookie (same host); the Origin and the missing key refuse it.
    const outcome = await other.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url, ['labforge.api.v1']);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      `ws://127.0.0.1:${server.port}/api`,
    );
    expect(outcome).toBe('refused');
    // The app page itself still works.
    const storedKey = () => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('labforge.pageKey');
    expect(await page.evaluate(storedKey)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await other.evaluate(storedKey)).toBeNull();
    await other.close();
  });
});
