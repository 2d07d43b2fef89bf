/**
 * The far view of large labs (renderer/src/canvas/FarView.tsx) in Chromium against the real
 * `labforge ui`: a 300-node lab zoomed to fit is drawn on one canvas with no React Flow items in
 * the DOM; a click selects the node under the pointer, a drag moves it and the saved file has
 * the new place, a double-click zooms in on it and brings the DOM view back.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, serializeLab, type Lab } from '../../common/lab';
import { ctrl, openApp, openFromDialog, RESULTS, type Session } from './helpers';

const NODES = 300;
const NETS = 30;
const COLS = 25;
const place = (i: number) => ({ x: (i % COLS) * 240, y: 200 + Math.floor(i / COLS) * 110 });

function bigLab(): Lab {
  return {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: 'far-view' },
    networks: Array.from({ length: NETS }, (_, i) => ({ name: `net-${i}` })),
    volumes: [],
    exposures: [],
    nodes: Array.from({ length: NODES }, (_, i) => ({ name: `node-${i}`, kind: 'container' as const, image: 'alpine:3.20', networks: [`net-${i % NETS}`] })),
    layout: {
      nodes: Object.fromEntries(Array.from({ length: NODES }, (_, i) => [`node-${i}`, place(i)])),
      networks: Object.fromEntries(Array.from({ length: NETS }, (_, i) => [`net-${i}`, { x: i * 260, y: 0 }])),
    },
  };
}

/** React Flow's viewport: screen = lab × zoom + offset, the offset relative to the page. */
async function viewport(page: Page): Promise<{ x: number; y: number; zoom: number }> {
  return page.evaluate<{ x: number; y: number; zoom: number }>(`(() => {
    const m = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform);
    const r = document.querySelector('.react-flow').getBoundingClientRect();
    return { x: r.left + m.e, y: r.top + m.f, zoom: m.a };
  })()`);
}

async function onScreen(page: Page, lab: { x: number; y: number }) {
  const v = await viewport(page);
  return { x: v.x + lab.x * v.zoom, y: v.y + lab.y * v.zoom };
}

/** The cursor over the pane (evaluated as text: this file is type-checked without the DOM library). */
const paneCursor = (page: Page) => page.evaluate<string>(`getComputedStyle(document.querySelector('.react-flow__pane')).cursor`);

let s: Session;

/** Saves the open lab (Ctrl+S) and reads a node's place from the file. */
async function saveAndRead(page: Page, node: string): Promise<{ x: number; y: number }> {
  await page.keyboard.press(`${ctrl}+KeyS`);
  await page.locator('[data-testid=dirty]').waitFor({ state: 'detached' });
  const saved = parseLab(await readFile(join(s.workspace, 'far.yaml'), 'utf8'));
  if (!saved.ok) throw new Error(`saved lab does not parse: ${JSON.stringify(saved)}`);
  const pos = saved.lab.layout?.nodes?.[node];
  if (!pos) throw new Error(`no place for ${node} in the saved lab`);
  return pos;
}
beforeAll(async () => {
  s = await openApp();
  await writeFile(join(s.workspace, 'far.yaml'), serializeLab(bigLab()));
});
afterAll(() => s?.close());

describe('canvas far view', () => {
  it('draws a 300-node lab zoomed to fit on one canvas; click selects, drag moves and is saved, double-click zooms back to the DOM', async () => {
    const { page } = s;
    await openFromDialog(page, 'far.yaml');
    const far = page.locator('[data-testid=far-view]');
    // Opened, fitted (zoom well under 0.5), then switched to the far view with every item drawn.
    await expect.poll(() => far.getAttribute('data-items'), { timeout: 30_000 }).toBe(String(NODES + NETS));
    expect((await viewport(page)).zoom).toBeLessThan(0.5);
    // React Flow renders no item at all meanwhile.
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'canvas-far-view.png') });

    // A click on node-30 (second row, sixth column) selects it: canvas outline and inspector.
    const target = place(30);
    const at = await onScreen(page, { x: target.x + 60, y: target.y + 30 });
    await page.mouse.move(at.x, at.y);
    await expect.poll(() => paneCursor(page)).toBe('pointer');
    await page.mouse.click(at.x, at.y);
    await expect.poll(() => far.getAttribute('data-selected')).toBe('node:node-30');
    await expect(page.locator('[data-testid=insp-name]').inputValue()).resolves.toBe('node-30');

    // A click on empty space between the rows clears it (React Flow's own pane click).
    const gap = await onScreen(page, { x: target.x + 60, y: target.y - 20 });
    await page.mouse.move(gap.x, gap.y);
    await expect.poll(() => paneCursor(page)).not.toBe('pointer');
    await page.mouse.click(gap.x, gap.y);
    await expect.poll(() => far.getAttribute('data-selected')).toBe('');

    // Drag node-30 by (150, 90) screen pixels.
    const before = await viewport(page);
    const { zoom } = before;
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 50, at.y + 30, { steps: 4 });
    await page.mouse.move(at.x + 150, at.y + 90, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => far.getAttribute('data-selected')).toBe('node:node-30');
    // The pane did not pan along with it.
    expect(await viewport(page)).toEqual(before);
    await page.screenshot({ path: join(RESULTS, 'canvas-far-view-dragged.png') });

    // Save: the lab file has node-30 where it was dropped, everything else where it was.
    const moved = await saveAndRead(page, 'node-30');
    expect(Math.abs(moved.x - (target.x + 150 / zoom))).toBeLessThan(2 / zoom);
    expect(Math.abs(moved.y - (target.y + 90 / zoom))).toBeLessThan(2 / zoom);
    expect(await saveAndRead(page, 'node-31')).toEqual(place(31));

    // Undo takes the whole drag back in one step, as for a DOM drag; redo brings it again.
    await page.keyboard.press(`${ctrl}+KeyZ`);
    expect(await saveAndRead(page, 'node-30')).toEqual(target);
    await page.keyboard.press(`${ctrl}+Shift+KeyZ`);
    expect(await saveAndRead(page, 'node-30')).toEqual(moved);

    // Double-click the node where it now is (on top of the node it was dropped on, as it is
    // selected): the view zooms in on it and the DOM is back.
    const now = await onScreen(page, { x: moved.x + 60, y: moved.y + 30 });
    await page.mouse.dblclick(now.x, now.y);
    await page.locator('[data-testid="node-node-30"]').waitFor({ state: 'visible' });
    await expect.poll(() => far.count()).toBe(0);
    await expect.poll(async () => (await viewport(page)).zoom).toBeCloseTo(1, 2);
    await expect(page.locator('[data-testid="node-node-30"]').getAttribute('class')).resolves.toContain('selected');
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(RESULTS, 'canvas-far-view-zoomed-in.png') });

    // Zoom to fit again: the far view returns, with the moved node where the file has it.
    await page.keyboard.press('Shift+Digit1');
    await expect.poll(() => far.getAttribute('data-items'), { timeout: 30_000 }).toBe(String(NODES + NETS));

    // Shift and drag on empty space selects the items wholly inside the box.
    const from = await onScreen(page, { x: -5, y: 195 });
    const to = await onScreen(page, { x: 3 * 240 - 30, y: 280 });
    await page.keyboard.down('Shift');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 3 });
    await page.mouse.move(to.x, to.y, { steps: 3 });
    await page.locator('[data-testid=far-box]').waitFor();
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect.poll(() => far.getAttribute('data-selected')).toBe('node:node-0 node:node-1 node:node-2');
    expect(await page.locator('[data-testid=far-box]').count()).toBe(0);

    // The dark theme redraws it in the dark colours (and back).
    const light = await far.getAttribute('data-panel');
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => far.getAttribute('data-panel')).not.toBe(light);
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => far.getAttribute('data-panel')).toBe(light);
    expect(s.errors).toEqual([]);
  });
});
