// VNC panes in Chromium against the real local control plane: a lab with a desktop node and a VM
// deployed by the engine, a real X display (Xvfb + x11vnc) behind the cluster's forward rule
// for pod port 5900 (the KubeVirt stand-in shows the same display as the VM's console), and
// noVNC in the real renderer reached through the `labforge ui` server's stream path. Pixels are
// read back from noVNC's canvas.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { deploy } from '../../main/engine/deploy';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { startUi } from '../../main/ui-server';
import { exampleLab } from '../helpers/examples';
import { waitForRunningPod } from '../integration/helpers/kube';
import { COLOUR, RGB, startDisplay, type Display } from '../integration/vnc-display';
import { ctrl, localCluster, openLabInUi, RESULTS } from './helpers';

let kc: KubeConfig;
let cluster: HttpCluster;
let display: Display;
let lab: Lab;
let dev: string;
/** The same lab in a second namespace, standing for a student's. */
let student: string;
let browser: Browser;
let page: Page;
let server: Awaited<ReturnType<typeof startUi>>;
let errors: string[] = [];

beforeAll(async () => {
  const local = await localCluster();
  kc = local.kc;
  cluster = clusterFor(kc);
  const logs = join(RESULTS, 'vnc');
  await mkdir(logs, { recursive: true });
  display = await startDisplay(local.up.stateDir, logs);

  // The desktop example plus the vm-lab example's VM.
  lab = exampleLab('desktop.yaml');
  const vm = exampleLab('vm-lab.yaml').nodes.find((n) => n.name === 'server');
  if (!vm) throw new Error('vm-lab has no VM "server"');
  lab.nodes.push({ ...vm, networks: ['lan'] });
  lab.metadata.name = `vnc-e2e-${Math.random().toString(16).slice(2, 8)}`;
  dev = devNamespace(lab.metadata.name);
  student = `${lab.metadata.name}-student`;
  // Nothing runs VMs here, so the VM never reports ready: deploy without waiting, then wait for the desktop's pod.
  for (const namespace of [undefined, student]) await deploy(cluster, lab, { wait: false, ...(namespace ? { namespace } : {}) });
  for (const namespace of [dev, student]) await waitForRunningPod(kc, namespace, 'labforge.dev/node=workstation');

  ({ server, browser, page, errors } = await openLabInUi(lab, { tmpPrefix: 'labforge-vnc-', node: 'workstation' }));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await display?.stop();
  const core = kc?.makeApiClient(CoreV1Api);
  for (const name of [dev, student]) if (core && name) await core.deleteNamespace({ name }).catch(() => undefined);
  cluster?.close();
});

const paneById = (id: string) => page.locator(`[data-testid=vnc-pane][data-pane-id="${id}"]`);

async function paneIds(): Promise<string[]> {
  return page.locator('[data-testid=vnc-pane]').evaluateAll((els) => els.map((e) => e.getAttribute('data-pane-id') ?? ''));
}

/** The pane the last action opened. */
async function newestPane(before: string[]): Promise<string> {
  await page.waitForFunction(`document.querySelectorAll('[data-testid=vnc-pane]').length > ${before.length}`);
  const id = (await paneIds()).find((p) => !before.includes(p));
  if (!id) throw new Error('no new VNC pane');
  return id;
}

/** One pixel of noVNC's canvas in a pane, in remote-screen coordinates (the page runs it; this side has no DOM types). */
async function pixel(id: string, x: number, y: number): Promise<number[] | null> {
  return page.evaluate<number[] | null>(`(() => {
    const canvas = document.querySelector('[data-testid=vnc-pane][data-pane-id="${id}"] canvas');
    if (!canvas || canvas.width <= ${x} || canvas.height <= ${y}) return null;
    const d = canvas.getContext('2d').getImageData(${x}, ${y}, 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`);
}

async function waitForColour(id: string, rgb: readonly number[], at: [number, number] = [20, 20], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number[] | null = null;
  for (;;) {
    last = await pixel(id, at[0], at[1]);
    if (last && last.every((c, i) => c === rgb[i])) return;
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(RESULTS, `vnc-${id}.png`) });
      const status = await paneById(id).getAttribute('data-status');
      const ended = await paneById(id).locator('[data-testid=vnc-ended]').textContent().catch(() => null);
      throw new Error(`pane ${id} never showed rgb(${rgb.join(', ')}) at ${at.join(',')}; last ${JSON.stringify(last)}, status ${status}${ended ? `: ${ended}` : ''}`);
    }
    await page.waitForTimeout(100);
  }
}

async function openFromPalette(query: string, label: string): Promise<string> {
  const before = await paneIds();
  // A VNC pane in control takes every key for the remote screen (as VNC viewers do); the app's
  // shortcuts work once the focus is elsewhere.
  await page.evaluate('document.activeElement?.blur()');
  await page.keyboard.press(`${ctrl}+Shift+P`);
  await page.locator('[data-testid=command-input]').fill(query);
  await page.locator('[data-testid=command-item]', { hasText: label }).first().click();
  return newestPane(before);
}

async function waitStatus(id: string, status: string): Promise<void> {
  await page.locator(`[data-testid=vnc-pane][data-pane-id="${id}"][data-status=${status}]`).waitFor({ timeout: 30_000 });
}

const hex = (rgb: readonly number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;

describe('VNC panes', () => {
  let first = '';

  it("opens a desktop node's screen from the canvas and shows the display's colour", async () => {
    const before = await paneIds();
    await page.locator('[data-testid="node-workstation"]').click({ button: 'right' });
    await page.locator('[data-testid=node-open-vnc]').click();
    first = await newestPane(before);
    await waitStatus(first, 'open');
    await waitForColour(first, RGB);
    // The instructor's own dev namespace: not view-only.
    expect(await paneById(first).getAttribute('data-view-only')).toBe('false');
    expect(await page.locator(`[data-testid=dock-tab][data-pane-id="${first}"]`).textContent()).toContain(`${dev} / workstation`);
    expect(hex(RGB)).toBe(COLOUR);
  });

  it('opens a second, shared viewer without disconnecting the first', async () => {
    const second = await openFromPalette(`vnc ${dev} workstation`, `Open VNC: ${dev} / workstation`);
    await waitForColour(second, RGB);
    // Two panes side by side; both follow the screen.
    await page.locator('[data-testid=dock-split]').click();
    await display.paint('#3456cd');
    await waitForColour(second, [0x34, 0x56, 0xcd]);
    await waitForColour(first, [0x34, 0x56, 0xcd]);
    expect(await paneById(first).getAttribute('data-status')).toBe('open');
    await display.paint(COLOUR);
    await waitForColour(first, RGB);
    // Closing the right-hand pane also ends the split.
    await page.locator(`[data-testid=dock-tab][data-pane-id="${second}"] [data-testid=dock-tab-close]`).click();
    expect(await paneById(first).getAttribute('data-status')).toBe('open');
  });

  it('sends Ctrl+Alt+Del and pastes to the remote clipboard', async () => {
    await page.locator(`[data-testid=dock-tab][data-pane-id="${first}"]`).click();
    await paneById(first).locator('[data-testid=vnc-cad]').click();
    await expect.poll(async () => (await readFile(display.log, 'utf8')).includes('keyboard(down, 0xffff "Delete")'), { timeout: 10_000 }).toBe(true);
    const log = await readFile(display.log, 'utf8');
    expect(log).toMatch(/keyboard\(down, 0xffe3 "Control_L"\)/);
    expect(log).toMatch(/keyboard\(down, 0xffe9 "Alt_L"\)/);

    await paneById(first).locator('[data-testid=vnc-paste]').click();
    await page.locator('[data-testid=vnc-paste-text]').fill('ssh student@server');
    await page.locator('[data-testid=vnc-paste-send]').click();
    await expect.poll(() => display.cutBuffer(), { timeout: 10_000 }).toBe('ssh student@server');
  });

  it('scales to fit, goes fullscreen and reconnects', async () => {
    const canvas = paneById(first).locator('canvas').first();
    const scaled = await canvas.boundingBox();
    await paneById(first).locator('[data-testid=vnc-scale]').click();
    await expect.poll(async () => (await canvas.boundingBox())?.width).toBe(640);
    expect(scaled?.width).not.toBe(640);
    await paneById(first).locator('[data-testid=vnc-scale]').click();

    await paneById(first).locator('[data-testid=vnc-fullscreen]').click();
    await expect.poll(() => page.evaluate<string | null>(`document.fullscreenElement?.getAttribute('data-testid') ?? null`)).toBe('vnc-pane');
    await page.evaluate('document.exitFullscreen()');

    await paneById(first).locator('[data-testid=vnc-reconnect]').click();
    await waitStatus(first, 'open');
    await waitForColour(first, RGB);
    // One session in main for the one pane, the replaced one is gone.
    await expect.poll(() => server.vnc?.sessions().length).toBe(1);
  });

  it("shows a VM's console through KubeVirt's VNC subresource (the aggregated stand-in)", async () => {
    // The stand-in allows one session per VM and the desktop panes hold none of it.
    const vm = await openFromPalette(`vnc ${dev} server`, `Open VNC: ${dev} / server`);
    await waitForColour(vm, RGB);
    expect(await page.locator(`[data-testid=dock-tab][data-pane-id="${vm}"]`).getAttribute('title')).toContain('VM console');
    await page.locator(`[data-testid=dock-tab][data-pane-id="${vm}"] [data-testid=dock-tab-close]`).click();
  });

  it("opens a student's screen view-only, and the toggle hands control over", async () => {
    const id = await openFromPalette(`${student}/workstation`, `Open VNC: ${student} / workstation`);
    await waitForColour(id, RGB);
    expect(await paneById(id).getAttribute('data-view-only')).toBe('true');
    expect(await paneById(id).locator('[data-testid=vnc-cad]').isDisabled()).toBe(true);
    // Keys typed while view-only never reach the VNC server; after the toggle they do.
    const typed = (key: string) => readFile(display.log, 'utf8').then((log) => log.includes(`keyboard(down, 0x${key.charCodeAt(0).toString(16)} "${key}")`));
    await paneById(id).locator('canvas').first().click();
    await page.keyboard.press('q');
    await paneById(id).locator('[data-testid=vnc-view-only]').click();
    expect(await paneById(id).getAttribute('data-view-only')).toBe('false');
    await paneById(id).locator('canvas').first().click();
    await page.keyboard.press('z');
    await expect.poll(() => typed('z'), { timeout: 10_000 }).toBe(true);
    expect(await typed('q')).toBe(false);
    await page.locator(`[data-testid=dock-tab][data-pane-id="${id}"] [data-testid=dock-tab-close]`).click();
  });

  it('closing the panes ends their sessions in main, without page errors', async () => {
    for (const id of await paneIds()) await page.locator(`[data-testid=dock-tab][data-pane-id="${id}"] [data-testid=dock-tab-close]`).click();
    await expect.poll(() => server.vnc?.sessions().length, { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
  });
});
