// The instructor's app on a laptop screen (issue 24), in Chromium against the real engine and the
// real local control plane, at 1366×768, 1440×900 and 1920×1080: the class grid keeps at least
// ten student rows with a terminal pane open, a search shows its row, every section is reachable,
// nothing overlaps; a lab without checks reads as one line; Upgrade starts from the class's own
// students; Reset asks first; a refused snapshot offers to force it; notices stay clear of the
// dock and expire; the capacity table uses one unit per row. Screenshots of every main view and
// story step at 1366×768 and 1440×900 go to test-results/laptop-<width>x<height>-*.png.
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import { parseLab, serializeLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { teardown } from '../../main/engine/class-ops';
import { deploy } from '../../main/engine/deploy';
import { publish } from '../../main/engine/publish';
import { deleteClassSettings } from '../../main/engine/reconcile-settings';
import { snapshot } from '../../main/engine/releases';
import { connect, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { startUi } from '../../main/ui-server';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, localCluster, openFromDialog, RESULTS } from './helpers';
import { boxes, fullyVisible, outsideWindow, overlaps } from './layout';

/** When this run began: a screenshot older than this was left by an earlier run. */
const RUN_STARTED = Date.now();
const suffix = Math.random().toString(16).slice(2, 8);
const big = `e2e-laptop-${suffix}`;
const small = `e2e-laptop-s-${suffix}`;
const empty = `e2e-laptop-none-${suffix}`;
/** A small container node of the test labs, in lab YAML. */
const container = (name: string, image: string) => `  - { name: ${name}, kind: container, image: "${image}", resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { cpu: 10m, memory: 16Mi } } }\n`;
const labYaml = (name: string, nodes: string) => `apiVersion: labforge.dev/v1alpha1\nkind: Lab\nmetadata: { name: ${name} }\nnodes:\n${nodes}`;

const labText = labYaml(`laptop-e2e-${suffix}`, container('web', 'nginx:1.27') + container('shell', 'busybox:1.36'));

// A VM never gets ready on the local cluster (it runs no VMs yet): a deploy that cannot finish.
const vmLabName = `laptop-vm-e2e-${suffix}`;
const vmLabText = labYaml(vmLabName, container('web', 'nginx:1.27') + '  - { name: server, kind: vm, image: "quay.io/containerdisks/fedora:40", resources: { requests: { cpu: 100m, memory: 256Mi }, disk: 1Gi } }\n');

const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

let cluster: HttpCluster;
let lab: Lab;
let server: Awaited<ReturnType<typeof startUi>>;
let browser: Browser;
/** One browser profile for every page: the one-time link is spent by the first page, the others share its session. */
let context: BrowserContext;
let linkUsed = false;

beforeAll(async () => {
  const local = await localCluster();
  cluster = connect({ kubeconfig: local.up.kubeconfig });
  const parsed = parseLab(labText);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  lab = parsed.lab;
  const r = await deploy(cluster, lab, { timeoutMs: 120_000 });
  if (!r.ready) throw new Error('dev did not become ready');
  const release = await snapshot(cluster, 'v1', { fileLab: lab });
  for (const [className, count] of [
    [big, 30],
    [small, 3],
  ] as const) {
    const published = await publish(cluster, { className, students: numberedStudents(count), release });
    const failed = published.results.filter((x) => x.status === 'failed');
    if (failed.length) throw new Error(`publish failed: ${failed.map((x) => `${x.student}: ${x.error}`).join('; ')}`);
  }
  buildRenderer();
  const workspace = await mkdtemp(join(tmpdir(), 'labforge-laptop-'));
  await writeFile(join(workspace, 'lab.yaml'), serializeLab(lab));
  await writeFile(join(workspace, 'vm-lab.yaml'), vmLabText);
  server = await startUi({ workspace, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await browser.newContext();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (!cluster) return;
  for (const c of [big, small]) {
    await teardown(cluster, c, undefined, 5_000).catch(() => undefined);
    await deleteClassSettings(cluster, c).catch(() => undefined);
  }
  await cluster.delete(NAMESPACE, devNamespace(lab.metadata.name)).catch(() => undefined);
  await cluster.delete(NAMESPACE, devNamespace(vmLabName)).catch(() => undefined);
  cluster.close();
}, 120_000);

/** The laptop screens every screenshot is taken at. */
const SHOT_SIZES = [VIEWPORTS[0]!, VIEWPORTS[1]!];

/**
 * Screenshots of what is on screen now at 1366×768 and 1440×900, as
 * test-results/laptop-<width>x<height>-<name>.png; the page is left at the size it had.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const was = page.viewportSize();
  for (const size of SHOT_SIZES) {
    await page.setViewportSize(size);
    // The layout follows the window in the next frames (the grid and dock measure themselves).
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(RESULTS, `laptop-${size.width}x${size.height}-${name}.png`) });
  }
  if (was) {
    await page.setViewportSize(was);
    await page.waitForTimeout(250);
  }
}

async function openPage(viewport: { width: number; height: number }, file = 'lab.yaml', node = 'web'): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(linkUsed ? `${server.origin}/` : server.url);
  linkUsed = true;
  await page.waitForSelector('[data-testid=canvas]');
  await openFromDialog(page, file);
  await page.locator(`[data-testid="node-${node}"]`).waitFor();
  return page;
}

async function watch(page: Page, className: string, students: number): Promise<void> {
  await page.locator('[data-testid=view-class]').click();
  await page.locator('[data-testid=class-name]').fill(className);
  await page.locator('[data-testid=class-open]').click();
  await page.locator('[data-testid=class-summary]', { hasText: `${students}/${students} students ready` }).waitFor({ timeout: 180_000 });
}

/** What must be on screen at once in the class view, each wholly: nothing may cover another. */
const CLASS_VIEW_PARTS = [
  '[data-testid=class-name]',
  '[data-testid=class-open]',
  '[data-testid=class-summary]',
  '[data-testid=class-filter]',
  '[data-testid=class-search]',
  '[data-testid=class-upgrade]',
  '[data-testid=class-teardown]',
  '[data-testid=class-waiting]',
  '.legend-item',
  '.class-section-links button',
  '.class-grid-head',
  '[data-testid=class-grid]',
  '.dock-tab',
  '.dock-tools button',
];

/** Notices float over the content, but never over a control. */
const CONTROLS = ['.class-head button', '.class-head input', '.class-head select', '.problems-head', '.dock-bar button', '.dock-tab', '.statusbar', '.notice', '.op-panel'];

describe.each(VIEWPORTS)('the class view at $width×$height', (viewport) => {
  let page: Page;
  beforeAll(async () => {
    page = await openPage(viewport);
    await watch(page, big, 30);
  }, 240_000);
  afterAll(async () => page?.close());

  it('shows at least ten student rows of 30 with a terminal pane open, and nothing overlaps', async () => {
    await page.locator('[data-testid="cell-student-01-shell"]').click();
    await page.locator('[data-testid=dock]').waitFor();
    await page.waitForTimeout(300);
    const rows = await fullyVisible(page, '[data-testid^="class-row-"]', '[data-testid=dock]');
    // The pod runs on a simulated node: the pane says so in its middle, with no empty screen and cursor under it.
    await page.locator('[data-testid=terminal-pane][data-status=error] [data-testid=terminal-ended]').waitFor({ timeout: 30_000 });
    await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid=terminal-pane] .term-body')).visibility`)).resolves.toBe('hidden');
    if (viewport.width !== 1920) await page.screenshot({ path: join(RESULTS, `laptop-${viewport.width}x${viewport.height}-class-with-terminal.png`) });
    expect(rows.length, `visible rows: ${rows.join(', ')}`).toBeGreaterThanOrEqual(10);
    // The grid lies wholly in the view, above the dock.
    expect(await fullyVisible(page, '[data-testid=class-grid]', '[data-testid=dock]')).toEqual(['class-grid']);
    const parts = await boxes(page, CLASS_VIEW_PARTS);
    expect(overlaps(parts)).toEqual([]);
    expect(outsideWindow(parts, viewport)).toEqual([]);
    expect(overlaps(await boxes(page, CONTROLS))).toEqual([]);
  });

  it('a search shows the student it finds', async () => {
    await page.locator('[data-testid=class-grid]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[data-testid=class-search]').fill('student-27');
    await page.waitForTimeout(200);
    expect(await fullyVisible(page, '[data-testid^="class-row-"]', '[data-testid=dock]')).toEqual(['class-row-student-27']);
    await page.locator('[data-testid=class-search]').fill('');
  });

  it('reaches every section of the class view, each opening on screen', async () => {
    for (const id of ['checks', 'health', 'links', 'keys']) {
      await page.locator(`[data-testid=class-goto-${id}]`).click();
      await page.waitForTimeout(200);
      const head = await fullyVisible(page, `[data-testid=class-section-${id}] .class-section-head`, '[data-testid=dock]');
      expect(head.length, `section ${id} on screen`).toBe(1);
    }
    await page.locator('[data-testid=class-view]').evaluate((el) => (el.scrollTop = 0));
  });
});

describe('the class view at 1366×768, story by story', () => {
  let page: Page;
  const viewport = VIEWPORTS[0]!;
  beforeAll(async () => {
    page = await openPage(viewport);
    await watch(page, small, 3);
  }, 240_000);
  afterAll(async () => page?.close());

  it('a lab without checks reads as one line, and a class without students shows no error', async () => {
    const none = page.locator('[data-testid=checks-none]');
    await none.waitFor({ timeout: 30_000 });
    const box = (await none.boundingBox())!;
    // One line of small text (two at most where it wraps), not a table.
    expect(box.height).toBeLessThan(40);
    expect(await page.locator('.checks-grid-head').count()).toBe(0);
    await shoot(page, 'class-small');

    // A class that has no namespace yet (a publish about to start): no "publish first" error that would stay after it.
    await page.locator('[data-testid=class-name]').fill(empty);
    await page.locator('[data-testid=class-open]').click();
    await page.locator('[data-testid=class-grid]', { hasText: 'No student namespaces' }).waitFor();
    await page.waitForTimeout(2000);
    expect(await page.locator('.field-error', { hasText: 'has no students' }).count()).toBe(0);
    await watch(page, small, 3);
  });

  it('Upgrade starts from the class’s own 3 students, not 30, and the capacity table uses one unit per row', async () => {
    await page.locator('[data-testid=class-upgrade]').click();
    await page.locator('[data-testid=publish-dialog]').waitFor();
    await page.locator('[data-testid="publish-release"] option:nth-child(2)').waitFor({ state: 'attached' });
    await expect(page.locator('[data-testid=publish-confirm]').innerText()).resolves.toBe('Upgrade 3 students to v1');
    await page.locator('[data-testid=publish-check]').click();
    await page.locator('[data-testid=capacity-table]').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid=publish-plan]').innerText()).resolves.toContain('3 students · 3 already have a namespace');
    for (const row of await page.locator('[data-testid=capacity-table] tbody tr').all()) {
      const [resource, needed, free] = await row.locator('td').allInnerTexts();
      const unit = (v: string | undefined) => v?.replace(/^[\d.]+\s*/, '');
      expect(unit(needed), `${resource}: ${needed} against ${free}`).toBe(unit(free));
      expect(needed).toMatch(/^\d+(\.\d)? (pods?|CPUs?|mCPU|KiB|MiB|GiB|TiB|bytes)$/);
    }
    await shoot(page, 'upgrade-dialog');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=publish-dialog]').waitFor({ state: 'detached' });
  });

  it('Reset asks first, says the volumes are lost, and stands apart from the harmless actions', async () => {
    const reset = page.locator('[data-testid="reset-student-02"]');
    await expect(reset.getAttribute('class')).resolves.toContain('danger');
    const [r, k] = [(await reset.boundingBox())!, (await page.locator('[data-testid="kubeconfig-student-02"]').boundingBox())!];
    expect(r.x - (k.x + k.width)).toBeGreaterThanOrEqual(16);
    await reset.click();
    const dialog = page.locator('[data-testid=confirm-dialog]');
    await dialog.waitFor();
    await expect(dialog.innerText()).resolves.toMatch(/volumes?/);
    await shoot(page, 'reset-confirm');
    await page.locator('[data-testid=confirm-cancel]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForTimeout(1000);
    expect(await page.locator('[data-testid=op-panel]').count()).toBe(0);
  });

  it('notices stack above the dock without covering its controls, and an error notice expires', { timeout: 60_000 }, async () => {
    await page.locator('[data-testid="cell-student-01-web"]').click();
    await page.locator('[data-testid=dock]').waitFor();
    // Minimized, the dock is a bar at the bottom: where notices used to sit.
    await page.locator('[data-testid=dock-toggle]').click();
    for (const s of ['student-01', 'student-02', 'student-03']) await page.locator(`[data-testid="kubeconfig-${s}"]`).click();
    await page.locator('[data-testid=class-goto-health]').click();
    await page.locator('[data-testid=class-expiry-input]').fill('not a date');
    await page.locator('[data-testid=class-expiry-set]').click();
    await page.locator('[data-testid=notice-error]').waitFor();
    await page.locator('.notice').nth(3).waitFor();
    const parts = await boxes(page, ['.notice', '.problems-head', '.dock-bar button', '.dock-tab', '.statusbar']);
    expect(overlaps(parts)).toEqual([]);
    await shoot(page, 'notices');
    await page.locator('[data-testid=notice-error]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('[data-testid=dock-toggle]').click();
  });

  it('a snapshot that dev refuses offers to force it in the same dialog', { timeout: 240_000 }, async () => {
    // Dev runs a node whose image cannot be pulled: not healthy, so the snapshot is refused.
    const broken = structuredClone(lab);
    broken.nodes[1]!.image = 'registry.invalid/labforge/missing:1';
    await deploy(cluster, broken, { timeoutMs: 20_000 });
    await page.locator('[data-testid=view-canvas]').click();
    await page.locator('[data-testid="live-shell"][data-state=failed]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=snapshot]').click();
    await page.locator('[data-testid=snapshot-tag]').fill('v2');
    await page.locator('[data-testid=snapshot-confirm]').click();
    await expect(page.locator('[data-testid=snapshot-error]').innerText()).resolves.toContain('force the snapshot');
    await shoot(page, 'snapshot-refused');
    await page.locator('[data-testid=snapshot-force]').click();
    await page.locator('[data-testid=snapshot-dialog]').waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('[data-testid=view-releases]').click();
    await page.locator('[data-testid="release-v2"]').waitFor({ timeout: 30_000 });
    // The releases table says what each column is.
    expect(await page.locator('[data-testid=releases-table] thead th').allInnerTexts()).toEqual(['compare', 'release', 'by', 'made', 'note', 'images', '']);
    // The diff of v1 and v2 reads as text, and on the canvas a banner says which diff it shows.
    await page.locator('[data-testid="release-v1"] input[name=from]').check();
    await page.locator('[data-testid="release-v2"] input[name=to]').check();
    await page.locator('[data-testid=diff-show]').click();
    const text = await page.locator('[data-testid=diff-text]').innerText();
    expect(text).toContain('~ nodes.shell.image: busybox:1.36 → registry.invalid/labforge/missing:1');
    expect(text).not.toMatch(/[{[]"/);
    await page.locator('[data-testid=diff-canvas]').click();
    await expect(page.locator('[data-testid=diff-banner]').innerText()).resolves.toMatch(/^Changes from v1 to v2\s+nodes: shell changed/);
    await expect(page.locator('[data-testid=diff-shell]').innerText()).resolves.toBe('changed in v2');
    await page.locator('[data-testid=node-shell]').waitFor();
    await shoot(page, 'diff-on-canvas');
    // With the dock open on this screen, nothing on the canvas covers a node.
    expect(overlaps(await boxes(page, ['.lab-node', '.minimap', '.diff-banner', '.canvas-toolbar', '.notice']))).toEqual([]);
    await page.locator('[data-testid=diff-banner-hide]').click();
    await page.locator('[data-testid=diff-banner]').waitFor({ state: 'detached' });
  });

  it('writes a screenshot of every main view at 1366×768 and 1440×900', async () => {
    for (const v of ['canvas', 'yaml', 'compiled', 'releases', 'class']) {
      await page.locator(`[data-testid=view-${v}]`).click();
      await page.waitForTimeout(500);
      await shoot(page, `view-${v}`);
    }
  });
});

describe('a deploy whose VM never gets ready, at 1366×768', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openPage(VIEWPORTS[0]!, 'vm-lab.yaml', 'server');
  }, 60_000);
  afterAll(async () => page?.close());

  it('shows how long it still waits, ends with a verdict naming the node, and marks it on the canvas', { timeout: 180_000 }, async () => {
    await page.locator('[data-testid=deploy]').click();
    const countdown = page.locator('[data-testid=op-countdown]');
    await countdown.waitFor({ timeout: 120_000 });
    await expect(countdown.innerText()).resolves.toMatch(/^gives up in [0-5]:\d\d$/);
    await page.locator('[data-testid="live-web"][data-state=ready]').waitFor({ timeout: 120_000 });
    await shoot(page, 'deploy-waiting');
    await page.locator('[data-testid=op-stop-waiting]').click();
    const panel = page.locator('[data-testid=op-panel][data-state=failed]');
    await panel.waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid=op-phase]').innerText()).resolves.toMatch(/^Stopped waiting: 1 of 2 nodes ready; server: \w+/);
    await expect(page.locator('[data-testid=holding-server]').innerText()).resolves.toMatch(/^held up the deploy: \w+/);
    expect(await page.locator('[data-testid=holding-web]').count()).toBe(0);
    await shoot(page, 'deploy-verdict');
  });
});

describe('screenshots for a teacher to look at', () => {
  it('were written at 1366×768 and at 1440×900 by this run, for every view and story step', async () => {
    const names = ['class-with-terminal', 'class-small', 'upgrade-dialog', 'reset-confirm', 'notices', 'snapshot-refused', 'diff-on-canvas', 'deploy-waiting', 'deploy-verdict', ...['canvas', 'yaml', 'compiled', 'releases', 'class'].map((v) => `view-${v}`)];
    const missing: string[] = [];
    for (const size of SHOT_SIZES)
      for (const name of names) {
        const file = join(RESULTS, `laptop-${size.width}x${size.height}-${name}.png`);
        const info = await stat(file).catch(() => null);
        if (!info || info.mtimeMs < RUN_STARTED) missing.push(file);
      }
    expect(missing).toEqual([]);
  });
});
