// File › Import in browser mode: the user picks a compose file and a containerlab topology with
// the browser's file picker; the lab lands on the canvas, laid out, and what could not be
// carried over is listed with its line. A malformed file imports nothing and says where.
import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, ROOT, type Session } from './helpers';

let s: Session;
beforeAll(async () => {
  s = await openApp();
});
afterAll(() => s?.close());

async function importVia(page: Page, command: 'importCompose' | 'importContainerlab', file: string): Promise<void> {
  await page.locator('[data-testid=menu-file]').click();
  const chooser = page.waitForEvent('filechooser');
  await page.locator(`[data-testid=cmd-${command}]`).click();
  // Importing over unsaved changes asks first.
  if (await page.locator('[data-testid=confirm-ok]').isVisible()) await page.locator('[data-testid=confirm-ok]').click();
  await (await chooser).setFiles(file);
  await page.locator('[data-testid=import-report]').waitFor({ state: 'visible' });
}

describe('browser mode: File › Import', () => {
  it('imports a compose file onto the canvas and lists what was not carried, by line', async () => {
    const { page } = s;
    await importVia(page, 'importCompose', join(ROOT, 'test/fixtures/import/compose/nginx-flask-mysql.yaml'));
    const warnings = await page.locator('[data-testid=import-warnings] li').allInnerTexts();
    expect(warnings).toContainEqual(expect.stringMatching(/^nginx-flask-mysql\.yaml:25:5: services\.db\.healthcheck: /));
    expect(warnings).toContainEqual(expect.stringMatching(/^nginx-flask-mysql\.yaml:4:5: services\.backend\.build: /));
    await page.locator('[data-testid=import-report-close]').click();
    for (const n of ['backend', 'db', 'proxy']) await page.locator(`[data-testid="node-${n}"]`).waitFor({ state: 'visible' });
    for (const n of ['backnet', 'frontnet']) await page.locator(`[data-testid="network-${n}"]`).waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBeGreaterThanOrEqual(4);
    // Laid out: no two nodes share a position.
    const boxes = await Promise.all(['backend', 'db', 'proxy'].map((n) => page.locator(`[data-testid="node-${n}"]`).boundingBox()));
    expect(new Set(boxes.map((b) => `${Math.round(b!.x)},${Math.round(b!.y)}`)).size).toBe(3);
    await expect(page.locator('[data-testid=problem-count]').innerText()).resolves.toBe('0');
  });

  it('imports a containerlab topology, and refuses a malformed one with its position', async () => {
    const { page } = s;
    await importVia(page, 'importContainerlab', join(ROOT, 'test/fixtures/import/containerlab/frr-triangle.clab.yml'));
    await page.locator('[data-testid=import-report-close]').click();
    for (const n of ['r1', 'r2', 'r3']) await page.locator(`[data-testid="node-${n}"]`).waitFor({ state: 'visible' });
    for (const n of ['mgmt', 'r1-eth1-r2-eth1']) await page.locator(`[data-testid="network-${n}"]`).waitFor({ state: 'visible' });

    const bad = join(mkdtempSync(join(tmpdir(), 'labforge-import-e2e-')), 'bad.clab.yml');
    writeFileSync(bad, 'name: t\ntopology:\n  nodes:\n    a: {kind: linux}\n');
    await importVia(page, 'importContainerlab', bad);
    await expect(page.locator('[data-testid=import-errors] li').first().innerText()).resolves.toMatch(/^bad\.clab\.yml:4:5: topology\.nodes\.a: node "a" has no `image`/);
    await page.locator('[data-testid=import-report-close]').click();
    // The previous lab is still there.
    await page.locator('[data-testid="node-r1"]').waitFor({ state: 'visible' });
    expect(s.errors).toEqual([]);
  });

  it('an imported lab is unsaved work: File › Open asks before replacing it, and Cancel keeps it', async () => {
    const { page } = s;
    await expect(page.locator('[data-testid=dirty]').count()).resolves.toBe(1);
    await page.locator('[data-testid=menu-file]').click();
    await page.locator('[data-testid=cmd-open]').click();
    await page.locator('[data-testid=open-dialog]').waitFor();
    await page.locator('[data-testid="file-routing-lab.yaml"]').click();
    await page.locator('[data-testid=confirm-dialog]').waitFor();
    await expect(page.locator('[data-testid=confirm-dialog]').innerText()).resolves.toContain('unsaved changes');
    await page.locator('[data-testid=confirm-cancel]').click();
    await page.locator('[data-testid="node-r1"]').waitFor({ state: 'visible' });
    expect(await page.locator('[data-testid="node-router"]').count()).toBe(0);
    expect(s.errors).toEqual([]);
  });
});
