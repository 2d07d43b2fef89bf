import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLab } from '../helpers/examples';
import { parseLab, type Lab } from '../../common/lab';
import { attach, clickEmptyCanvas, ctrl, dropFromPalette, openApp, openFromDialog, renameSelected, RESULTS, type Session } from './helpers';

let s: Session;
let example: Lab;

beforeAll(async () => {
  example = exampleLab('routing-lab.yaml');
  s = await openApp();
});
afterAll(() => s?.close());

const withoutLayout = ({ layout: _layout, ...rest }: Lab) => rest;

describe('canvas editor: build routing-lab from an empty canvas', () => {
  it('builds it by drag and drop and the inspector, saves, reopens, and matches the example', async () => {
    const { page } = s;
    await page.locator('[data-testid=empty-state]').waitFor();
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const at = (fx: number, fy: number) => [canvas.x + canvas.width * fx, canvas.y + canvas.height * fy] as const;

    // Networks along the top, renamed in the inspector.
    const nets = example.networks.map((n) => n.name);
    for (const [i, name] of nets.entries()) {
      await dropFromPalette(page, 'network', ...at(0.2 + i * 0.3, 0.15));
      await renameSelected(page, name); // a dropped item is selected
      await page.locator(`[data-testid="network-${name}"]`).waitFor();
    }
    await page.screenshot({ path: join(RESULTS, 'editor-1-networks.png') });

    // Blank containers for the router and the clients.
    const router = example.nodes.find((n) => (n.networks?.length ?? 0) > 1)!;
    await dropFromPalette(page, 'container', ...at(0.35, 0.4));
    await renameSelected(page, router.name);
    await page.locator(`[data-testid="node-${router.name}"]`).waitFor();
    // The router routes: root with NET_ADMIN and NET_RAW, in the inspector's security section,
    // which says the level each step needs.
    const level = page.locator('[data-testid=insp-pod-security]');
    await expect.poll(() => level.innerText()).toMatch(/restricted/);
    await page.locator('[data-testid=insp-user]').selectOption('root');
    await expect.poll(() => level.innerText()).toMatch(/baseline: runs as root/);
    for (const cap of router.security?.capabilities ?? []) {
      await page.locator('[data-testid=insp-capabilities] label', { hasText: new RegExp(`^\\s*${cap}$`) }).locator('input').check();
    }
    await expect.poll(() => level.innerText()).toMatch(/privileged: runs as root and adds NET_ADMIN, NET_RAW/);
    const clients = example.nodes.filter((n) => n !== router);
    for (const [i, c] of clients.entries()) {
      await dropFromPalette(page, 'container', ...at(0.2 + i * 0.3, 0.7));
      await renameSelected(page, c.name);
      await page.locator(`[data-testid="node-${c.name}"]`).waitFor();
    }

    // Attach by dragging from each node's handle to its networks.
    for (const n of example.nodes) for (const net of n.networks ?? []) await attach(page, n.name, net);
    const links = example.nodes.reduce((k, n) => k + (n.networks?.length ?? 0), 0);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(links);

    // Lab metadata in the inspector (nothing selected).
    await clickEmptyCanvas(page);
    await page.locator('[data-testid=insp-lab-name]').fill(example.metadata.name);
    await page.locator('[data-testid=insp-lab-title]').fill(example.metadata.title ?? '');
    await page.locator('[data-testid=insp-lab-description]').fill(example.metadata.description ?? '');
    await expect.poll(() => page.locator('[data-testid=problem-count]').innerText()).toBe('0');
    await page.screenshot({ path: join(RESULTS, 'editor-2-built.png') });

    // Save (first save asks for a name in the workspace).
    await clickEmptyCanvas(page);
    await page.keyboard.press(`${ctrl}+KeyS`);
    await page.locator('[data-testid=saveas-name]').fill('my-routing.yaml');
    await page.click('[data-testid=saveas-submit]');
    await page.locator('[data-testid=saveas-dialog]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=dirty]').waitFor({ state: 'detached' });

    // Reopen it from a fresh canvas.
    await page.keyboard.press(`${ctrl}+KeyN`);
    await page.locator('[data-testid=empty-state]').waitFor();
    await openFromDialog(page, 'my-routing.yaml');
    for (const n of example.nodes) await page.locator(`[data-testid="node-${n.name}"]`).waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(links);

    const saved = parseLab(await readFile(join(s.workspace, 'my-routing.yaml'), 'utf8'));
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(withoutLayout(saved.lab)).toEqual(withoutLayout(example));
    // The canvas layout went into the file too.
    expect(Object.keys(saved.lab.layout?.nodes ?? {}).sort()).toEqual(example.nodes.map((n) => n.name).sort());
    expect(s.errors).toEqual([]);
  });
});
