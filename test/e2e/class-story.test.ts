// The class story in Chromium against the real local control plane: open routing-lab, deploy it
// (every node ready on the canvas), break one image (the failure on that node and in Problems),
// snapshot v1, publish to 30 students (30 × 4 ready on the dashboard), reset one student, tear
// the class down (nothing labelled for it remains).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import { serializeLab, type Lab } from '../../common/lab';
import { clusterUp } from '../../main/cluster';
import { classSelector } from '../../main/engine/publish';
import { connect } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { startUi } from '../../main/ui-server';
import { exampleLab } from '../helpers/examples';
import { deployToDev, driver, openLab, publish, snapshot, waitClassReady, waitNodeState, type Driver } from './class-walkthrough';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, RESULTS } from './helpers';

let kubeconfig: string;
let lab: Lab;
let browser: Browser;
let page: Page;
let d: Driver;
let server: Awaited<ReturnType<typeof startUi>>;
const className = `e2e-${Math.random().toString(16).slice(2, 8)}`;
const errors: string[] = [];

beforeAll(async () => {
  kubeconfig = (await clusterUp({})).kubeconfig;
  // The UI server reads the kubeconfig the way the app does: KUBECONFIG.
  process.env['KUBECONFIG'] = kubeconfig;
  lab = exampleLab('routing-lab.yaml');
  lab.metadata.name = `story-e2e-${Math.random().toString(16).slice(2, 8)}`;
  buildRenderer();
  const workspace = await mkdtemp(join(tmpdir(), 'labforge-story-'));
  await writeFile(join(workspace, 'routing.yaml'), serializeLab(lab));
  server = await startUi({ workspace, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=canvas]');
  d = driver(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  const cluster = connect({ kubeconfig });
  for (const ns of (await cluster.list(NAMESPACE, { labelSelector: classSelector(className) }).catch(() => ({ items: [] }))).items) await cluster.delete(NAMESPACE, ns.metadata!.name!).catch(() => undefined);
  await cluster.delete(NAMESPACE, devNamespace(lab.metadata.name)).catch(() => undefined);
  cluster.close();
});

describe('the class story in the app', () => {
  it('deploys routing-lab and shows every node ready on the canvas', async () => {
    await openLab(d, 'routing.yaml');
    expect(await deployToDev(d)).toBe('done');
    for (const n of lab.nodes) await waitNodeState(page, n.name, 'ready');
    await expect(page.locator('[data-testid=dev-state]').innerText()).resolves.toBe(`dev ${lab.nodes.length}/${lab.nodes.length}`);
  });

  it('shows an image that cannot be pulled on its node and in Problems, and marks the node changed', async () => {
    const node = lab.nodes[1]!;
    await page.locator(`[data-testid="node-${node.name}"]`).click();
    await page.locator('[data-testid=insp-image]').fill('registry.invalid/labforge/missing:1');
    await page.locator(`[data-testid="changed-${node.name}"]`).waitFor();
    await deployToDev(d);
    await waitNodeState(page, node.name, 'failed');
    await expect(page.locator(`[data-testid="live-${node.name}"]`).innerText()).resolves.toContain('ImagePullBackOff');
    await expect(page.locator('[data-testid=problem-item]', { hasText: 'ImagePullBackOff' }).count()).resolves.toBe(1);
    // The node names the image it could not get, and its title says how to add one.
    const missing = page.locator(`[data-testid="image-missing-${node.name}"]`);
    await expect(missing.innerText()).resolves.toContain('registry.invalid/labforge/missing:1');
    await expect(missing.getAttribute('title')).resolves.toContain('local registry');
    await page.screenshot({ path: join(RESULTS, 'class-story-failed-node.png') });

    // Put the image back: the node recovers and the change mark goes away.
    await page.locator(`[data-testid="node-${node.name}"]`).click();
    await page.locator('[data-testid=insp-image]').fill(node.image);
    expect(await deployToDev(d)).toBe('done');
    await waitNodeState(page, node.name, 'ready');
    await page.locator(`[data-testid="changed-${node.name}"]`).waitFor({ state: 'detached' });
  });

  it('snapshots v1 and publishes it to 30 students; the dashboard shows 30 × 4 ready', async () => {
    expect(await snapshot(d)).toBe('v1');
    await publish(d, className);
    // A finished operation leaves the screen after a while: look for it before waiting on the grid.
    await page.locator('[data-testid="op-panel"][data-state=done]').waitFor({ timeout: 180_000 });
    await waitClassReady(page, 30);
    // Every rendered cell is ready (the grid renders the rows in view).
    const cells = page.locator('[data-testid=class-grid] .cell');
    expect(await cells.count()).toBeGreaterThanOrEqual(4 * 10);
    expect(await page.locator('[data-testid=class-grid] .cell:not([data-state=ready])').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'class-story-dashboard.png') });
  });

  it('diffs two releases as text and on the canvas', async () => {
    const node = lab.nodes[0]!;
    await page.locator('[data-testid=view-canvas]').click();
    await page.locator(`[data-testid="node-${node.name}"]`).click();
    await page.locator('[data-testid=insp-image]').fill('alpine:3.21');
    expect(await deployToDev(d)).toBe('done');
    expect(await snapshot(d)).toBe('v2');
    await page.locator('[data-testid=view-releases]').click();
    await page.locator('[data-testid="release-v1"] input[name=from]').check();
    await page.locator('[data-testid="release-v2"] input[name=to]').check();
    await page.locator('[data-testid=diff-show]').click();
    await expect(page.locator('[data-testid=diff-text]').innerText()).resolves.toContain(`~ nodes.${node.name}.image:`);
    await page.locator('[data-testid=diff-canvas]').click();
    await expect(page.locator(`[data-testid="diff-${node.name}"]`).innerText()).resolves.toBe('changed in v2');
    await page.locator('[data-testid=view-class]').click();
  });

  it('resets one student and tears the class down: nothing labelled for the class remains', async () => {
    await page.locator('[data-testid="reset-student-01"]').click();
    // Reset deletes the student's work: it asks first.
    await page.locator('[data-testid=confirm-ok]').click();
    await page.locator('[data-testid="op-panel"][data-state=done]', { hasText: 'Reset student-01' }).waitFor({ timeout: 120_000 });
    await waitClassReady(page, 30);

    await page.locator('[data-testid=class-teardown]').click();
    await page.locator('[data-testid=teardown-confirm-name]').fill(className);
    await page.locator('[data-testid=teardown-confirm]').click();
    await page.locator('[data-testid="op-panel"][data-state=done]', { hasText: `Tear down ${className}` }).waitFor({ timeout: 240_000 });
    const cluster = connect({ kubeconfig });
    const left = await cluster.list(NAMESPACE, { labelSelector: classSelector(className) });
    cluster.close();
    expect(left.items).toEqual([]);
    expect(errors).toEqual([]);
  });
});
