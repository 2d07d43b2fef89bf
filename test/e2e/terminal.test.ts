// Terminal panes in Chromium against the real local control plane: a lab deployed to dev by the
// engine, terminals opened from the canvas and the command palette, bytes through the real
// `labforge ui` server's stream path into xterm, read back from xterm's rows.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { deploy } from '../../main/engine/deploy';
import { clusterFor } from '../../main/kube/http-cluster';
import { runOnce, type TerminalService } from '../../main/streams';
import { startUi } from '../../main/ui-server';
import { exampleLab } from '../helpers/examples';
import { lightweight } from '../integration/helpers/engine';
import { onRealNode } from '../integration/helpers/kube';
import { localCluster, openLabInUi, RESULTS } from './helpers';

let kc: KubeConfig;
let lab: Lab;
let namespace: string;
let browser: Browser;
let page: Page;
let server: Awaited<ReturnType<typeof startUi>>;
let terminals: TerminalService;
let workspace: string;
let errors: string[] = [];

beforeAll(async () => {
  ({ kc } = await localCluster());
  lab = exampleLab('routing-lab.yaml');
  lab.metadata.name = `term-e2e-${Math.random().toString(16).slice(2, 8)}`;
  namespace = devNamespace(lab.metadata.name);
  // The shells run in the lab's containers on the real node; small requests, as other tests share it.
  lightweight(lab);
  await onRealNode(kc, [namespace]);
  const deployed = await deploy(clusterFor(kc), lab, { timeoutMs: 200_000 });
  if (!deployed.ready) throw new Error(`dev did not become ready: ${JSON.stringify(deployed.statuses)}`);

  ({ server, workspace, browser, page, errors } = await openLabInUi(lab, { tmpPrefix: 'labforge-term-', node: 'router', clipboard: true }));
  terminals = server.terminals!;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (kc && namespace) await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
});

const pane = (id: string) => page.locator(`[data-testid=terminal-pane][data-pane-id="${id}"]`);

/** The text xterm shows in a pane (its DOM rows), one line per row. */
async function screen(id: string): Promise<string> {
  return (await pane(id).locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');
}

async function waitForScreen(id: string, re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = (await screen(id)).match(re);
    if (m) return m;
    if (Date.now() > deadline) {
      await page.screenshot({ path: join(RESULTS, `terminal-failed-${id}.png`) });
      throw new Error(`pane ${id} never showed ${re}; it shows:\n${await screen(id)}`);
    }
    await page.waitForTimeout(50);
  }
}

/** Types a line into a pane as a user would (click to focus, keys, Enter). */
async function typeLine(id: string, text: string): Promise<void> {
  await pane(id).locator('.xterm-screen').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function openedPanes(): Promise<string[]> {
  return page.locator('[data-testid=dock-tab]').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-pane-id') ?? ''));
}

async function waitOpen(id: string) {
  await page.locator(`[data-testid=terminal-pane][data-pane-id="${id}"][data-status=open]`).waitFor({ timeout: 30_000 });
  // The prompt: the shell is reading.
  await waitForScreen(id, /[#$] *$/m);
}

/** The shell PID of a pane, asked of the shell itself. */
async function shellPid(id: string): Promise<number> {
  const marker = `pid${Math.random().toString(16).slice(2, 6)}`;
  await typeLine(id, `echo ${marker}=$$`);
  return Number((await waitForScreen(id, new RegExp(`^${marker}=(\\d+)`, 'm')))[1]);
}

async function remoteAlive(target: { namespace: string; pod: string; container: string }, pid: number): Promise<boolean> {
  const r = await runOnce(kc, target, ['sh', '-c', `st=; [ -r /proc/${pid}/stat ] && read -r _ _ st _ < /proc/${pid}/stat; case "$st" in ''|Z|X) echo gone;; *) echo alive;; esac`]);
  return r.stdout.trim() === 'alive';
}

let first = '';
let second = '';

describe('terminal panes', () => {
  it('opens a terminal from a canvas node and runs echo $((6*7))', async () => {
    await page.locator('[data-testid="node-router"]').click({ button: 'right' });
    await page.locator('[data-testid=node-open-terminal]').click();
    first = (await openedPanes())[0]!;
    await waitOpen(first);
    await expect(page.locator(`[data-testid=dock-tab][data-pane-id="${first}"]`).innerText()).resolves.toContain(`${namespace} / router`);
    await typeLine(first, 'echo $((6*7))');
    await waitForScreen(first, /^42\s*$/m);
    await page.screenshot({ path: join(RESULTS, 'terminal-1-canvas.png') });
  });

  it('keeps the session across view switches', async () => {
    const pid = await shellPid(first);
    await page.locator('[data-testid=view-yaml]').click();
    await page.locator('[data-testid=view-canvas]').click();
    expect(await shellPid(first)).toBe(pid);
    await expect(pane(first).getAttribute('data-status')).resolves.toBe('open');
  });

  it('opens a second pane from the command palette, side by side, and closing one ends its shell', async () => {
    await page.keyboard.press('Control+Shift+P');
    await page.locator('[data-testid=command-input]').fill('client-a');
    await expect(page.locator('[data-testid=command-item]').first().innerText()).resolves.toContain(`Open terminal: ${namespace} / client-a`);
    await page.keyboard.press('Enter');
    const panes = await openedPanes();
    expect(panes).toHaveLength(2);
    second = panes[1]!;
    await waitOpen(second);
    await page.locator('[data-testid=dock-split]').click();
    await expect(pane(first).isVisible()).resolves.toBe(true);
    await expect(pane(second).isVisible()).resolves.toBe(true);

    const pidA = await shellPid(first);
    const pidB = await shellPid(second);
    // Each shell runs in its own container, so the two PIDs may well be equal: tell the sessions
    // apart by their pods.
    // An earlier pane's session of the router may still be open with a PID equal to either.
    const sessionA = terminals.sessions().find((s) => s.pid === pidA && s.target.pod.startsWith('router-'));
    const sessionB = terminals.sessions().find((s) => s !== sessionA && s.pid === pidB && s.target.pod.startsWith('client-a-'));
    expect(sessionA, JSON.stringify(terminals.sessions().map((s) => [s.target.pod, s.pid]))).toBeDefined();
    expect(sessionB, JSON.stringify(terminals.sessions().map((s) => [s.target.pod, s.pid]))).toBeDefined();
    if (!sessionA || !sessionB) return;
    await page.screenshot({ path: join(RESULTS, 'terminal-2-split.png') });

    await page.locator(`[data-testid=dock-tab][data-pane-id="${second}"] [data-testid=dock-tab-close]`).click();
    await expect.poll(() => terminals.sessions().some((s) => s.id === sessionB.id), { timeout: 15_000 }).toBe(false);
    expect(await remoteAlive(sessionB.target, pidB)).toBe(false);
    // The other pane goes on.
    expect(await shellPid(first)).toBe(pidA);
  });

  it('stays responsive during a flood, holding the bytes in flight to the window', async () => {
    const session = () => terminals.sessions()[0]!;
    await typeLine(first, 'yes');
    let worst = 0;
    let slowest = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const t = Date.now();
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(null)))');
      slowest = Math.max(slowest, Date.now() - t);
      const s = session().stats;
      worst = Math.max(worst, s.inFlight + s.queued + s.transportBuffered);
      await page.waitForTimeout(100);
    }
    const s = session().stats;
    await pane(first).locator('.xterm-screen').click();
    await page.keyboard.press('Control+C');
    await typeLine(first, 'echo flood-over');
    await waitForScreen(first, /^flood-over\s*$/m);
    expect(s.bytesOut).toBeGreaterThan(1024 * 1024);
    // One window in flight (plus the chunk that crossed it), a quarter waiting, a socket read.
    expect(worst).toBeLessThanOrEqual(256 * 1024 * 1.25 + 192 * 1024);
    // The page kept painting frames while the flood ran.
    expect(slowest).toBeLessThan(1000);
  });

  it('pastes with Ctrl+Shift+V, copies a selection, takes its font size from the settings and its theme from the app', async () => {
    await page.evaluate('navigator.clipboard.writeText("echo pasted-$((40+2))")');
    await pane(first).locator('.xterm-screen').click();
    await page.keyboard.press('Control+Shift+V');
    // The clipboard is read asynchronously: Enter only once the line holds the pasted text.
    await waitForScreen(first, /# echo pasted-\$\(\(40\+2\)\)\s*$/m);
    await page.keyboard.press('Enter');
    await waitForScreen(first, /^pasted-42\s*$/m);
    // Copy on selection: double-click a word of the output.
    const word = pane(first).locator('.xterm-rows > div', { hasText: /^pasted-42\s*$/ }).last();
    const box = (await word.boundingBox())!;
    await page.mouse.dblclick(box.x + 12, box.y + box.height / 2);
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()')).toMatch(/^pasted/);

    const size = async () => Number.parseFloat(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-pane-id="${first}"] .xterm-rows')).fontSize`));
    const before = await size();
    await page.locator('[data-testid=dock-font-up]').click();
    await expect.poll(size).toBe(before + 1);
    // Saved in the settings (written a moment after the pane changed).
    const saved = async () => (JSON.parse(await readFile(join(workspace, '.labforge', 'settings.json'), 'utf8').catch(() => '{}')) as { terminalFontSize?: number }).terminalFontSize;
    await expect.poll(saved).toBe(before + 1);

    // The theme follows the app's.
    const background = () => page.evaluate<string>(`getComputedStyle(document.querySelector('[data-pane-id="${first}"] .xterm-scrollable-element')).backgroundColor`);
    expect(await background()).toBe('rgb(255, 255, 255)');
    await page.locator('[data-testid=theme-toggle]').click();
    await expect.poll(background).toBe('rgb(20, 22, 26)');
    await page.locator('[data-testid=theme-toggle]').click();
    await expect.poll(background).toBe('rgb(255, 255, 255)');
  });

  it('says when the connection drops and reconnects with a new exec', async () => {
    const before = await shellPid(first);
    // main ends the session (as when the server restarts): the pane loses its stream.
    await terminals.close(terminals.sessions().find((s) => s.pid === before)!.id);
    const ended = page.locator(`[data-testid=terminal-pane][data-pane-id="${first}"] [data-testid=terminal-ended]`);
    await expect(ended.innerText()).resolves.toContain('Disconnected');
    await page.locator(`[data-testid=terminal-pane][data-pane-id="${first}"] [data-testid=terminal-reconnect]`).click();
    await waitOpen(first);
    expect(await shellPid(first)).not.toBe(before);
  });

  it('reports an exit with its code and reconnects with a new shell', async () => {
    const before = await shellPid(first);
    await typeLine(first, 'exit 3');
    await expect(page.locator(`[data-testid=terminal-pane][data-pane-id="${first}"] [data-testid=terminal-ended]`).innerText()).resolves.toContain('exited with code 3');
    await page.locator(`[data-testid=terminal-pane][data-pane-id="${first}"] [data-testid=terminal-reconnect]`).click();
    await waitOpen(first);
    const after = await shellPid(first);
    expect(after).not.toBe(before);
    expect(errors).toEqual([]);
  });
});
