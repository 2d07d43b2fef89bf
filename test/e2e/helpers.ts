/**
 * Browser tests run the real `labforge ui` server in-process (same handlers, same WebSocket,
 * same token/cookie handshake) and drive Debian's Chromium through playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serializeLab, type Lab } from '../../common/lab';
import { appRoot } from '../../main/paths';
import { clusterUp } from '../../main/cluster';
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

/**
 * Loads the app in `page` and waits for the canvas. The page's errors (uncaught and console) are
 * collected from before the first load, for a test to expect none.
 */
async function loadApp(page: Page, url: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=canvas]');
  return errors;
}

/**
 * The local control plane, and KUBECONFIG pointing at it: the UI server reads the kubeconfig the
 * way the app does. With LABFORGE_SHARED_CLUSTER=1 (a checkout that shares the cluster another
 * checkout runs, LABFORGE_CLUSTER_DIR naming it) the cluster is used as it is: `up` would restart
 * its agent and node to this checkout's version under the other's tests.
 */
export async function localCluster(): Promise<{ up: Pick<Awaited<ReturnType<typeof clusterUp>>, 'kubeconfig' | 'stateDir'>; kc: KubeConfig }> {
  const up = process.env['LABFORGE_SHARED_CLUSTER'] === '1' ? sharedCluster() : await clusterUp({});
  process.env['KUBECONFIG'] = up.kubeconfig;
  const kc = new KubeConfig();
  kc.loadFromFile(up.kubeconfig);
  return { up, kc };
}

function sharedCluster(): { kubeconfig: string; stateDir: string } {
  const stateDir = process.env['LABFORGE_CLUSTER_DIR'];
  if (!stateDir) throw new Error('LABFORGE_SHARED_CLUSTER=1 needs LABFORGE_CLUSTER_DIR, the shared cluster\'s folder');
  return { kubeconfig: join(stateDir, 'kubeconfig'), stateDir };
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
  const errors = await loadApp(page, server.url);
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

export interface LabInUi {
  server: Awaited<ReturnType<typeof startUi>>;
  workspace: string;
  browser: Browser;
  page: Page;
  /** Page errors and console errors, for a test to expect none. */
  errors: string[];
}

/**
 * The real `labforge ui` server on a fresh workspace holding `lab` as lab.yaml, and Chromium with
 * the lab opened the way a user opens it (File, Open), once `node` is on the canvas. For the
 * stream tests (terminal, VNC), whose lab is deployed before the page opens it.
 */
export async function openLabInUi(lab: Lab, options: { tmpPrefix: string; node: string; clipboard?: boolean }): Promise<LabInUi> {
  buildRenderer();
  const workspace = await mkdtemp(join(tmpdir(), options.tmpPrefix));
  await writeFile(join(workspace, 'lab.yaml'), serializeLab(lab));
  const server = await startUi({ workspace, port: 0 });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // Paste tests read the clipboard back; the page may touch it only with a grant for its origin.
    if (options.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    const page = await context.newPage();
    const errors = await loadApp(page, server.url);
    await openFromDialog(page, 'lab.yaml');
    await page.locator(`[data-testid="node-${options.node}"]`).waitFor();
    return { server, workspace, browser, page, errors };
  } catch (err) {
    // The caller never gets these to close: a browser or server left running would hold the run open.
    await browser?.close();
    await server.close();
    throw err;
  }
}

export async function openFromDialog(page: Page, name: string): Promise<void> {
  await page.click('[data-testid=menu-file]');
  await page.click('[data-testid=cmd-open]');
  await page.waitForSelector('[data-testid=open-dialog]');
  await page.click(`[data-testid="file-${name}"]`);
  await page.waitForSelector('[data-testid=open-dialog]', { state: 'detached' });
}

/** Drags a palette item onto the canvas (HTML5 drag and drop) so its center lands at (x, y) in page pixels. */
export async function dropFromPalette(page: Page, item: string, x: number, y: number): Promise<void> {
  const canvas = await page.locator('[data-testid=canvas]').boundingBox();
  if (!canvas) throw new Error('no canvas');
  await page.dragAndDrop(`[data-testid="palette-${item}"]`, '[data-testid=canvas]', { targetPosition: { x: x - canvas.x, y: y - canvas.y } });
}

async function center(page: Page, selector: string) {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`not visible: ${selector}`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Connects two handles by dragging with the mouse, as a user would. */
export async function dragHandle(page: Page, from: string, to: string): Promise<void> {
  const a = await center(page, from);
  const b = await center(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

export const attach = (page: Page, node: string, network: string) =>
  dragHandle(page, `[data-testid="node-${node}"] .handle-net`, `[data-testid="network-${network}"] .handle-in`);

export const mount = (page: Page, volume: string, node: string) =>
  dragHandle(page, `[data-testid="volume-${volume}"] .handle-out`, `[data-testid="node-${node}"] .handle-vol`);

/** Selects a canvas item by clicking it. */
export async function select(page: Page, testId: string): Promise<void> {
  await page.locator(`[data-testid="${testId}"]`).click();
}

/** Renames the selected item through the inspector's name field. */
export async function renameSelected(page: Page, name: string): Promise<void> {
  const field = page.locator('[data-testid=insp-name]');
  await field.fill(name);
  await field.press('Enter');
}

/** Clicks an empty spot of the canvas (clears the selection). */
export async function clickEmptyCanvas(page: Page): Promise<void> {
  const box = await page.locator('[data-testid=canvas]').boundingBox();
  if (!box) throw new Error('no canvas');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 20);
}

export const ctrl = process.platform === 'darwin' ? 'Meta' : 'Control';
