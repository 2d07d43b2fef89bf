/**
 * Browser tests run the real `labforge ui` server in-process (same handlers, same WebSocket,
 * same token/cookie handshake) and drive Debian's Chromium through playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { appRoot } from '../../main/api/app-root';
import { startUi } from '../../main/ui-server';

export const ROOT = appRoot();
export const RESULTS = join(ROOT, 'test-results');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let built = false;
/** Builds the renderer from the current sources once per test file. */
export function buildRenderer(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'renderer', 'vite.config.ts'), '--logLevel', 'error'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
  built = true;
}

export interface Session {
  browser: Browser;
  page: Page;
  workspace: string;
  errors: string[];
  close(): Promise<void>;
}

export async function openApp(options: { viewport?: { width: number; height: number } } = {}): Promise<Session> {
  buildRenderer();
  await mkdir(RESULTS, { recursive: true });
  const workspace = await mkdtemp(join(tmpdir(), 'labforge-e2e-'));
  const server = await startUi({ workspace, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=canvas]');
  // The token was exchanged for the cookie and stripped from the address.
  if (page.url().includes('token=')) throw new Error(`token still in URL: ${page.url()}`);
  return {
    browser,
    page,
    workspace,
    errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export async function openFromDialog(page: Page, name: string): Promise<void> {
  await page.click('[data-testid=menu-file]');
  await page.click('[data-testid=cmd-open]');
  await page.waitForSelector('[data-testid=open-dialog]');
  await page.click(`[data-testid="file-${name}"]`);
  await page.waitForSelector('[data-testid=open-dialog]', { state: 'detached' });
}
