// The canvas as a new instructor uses it (issue 24, items 7 and 8), in Chromium against the real
// `labforge ui` server: a template dropped into a lab of several networks asks which one it joins;
// a volume's dot dropped anywhere on a node's body mounts it; "click to add" never covers an item;
// in every example lab, as it opens, no edge passes through an item it does not connect.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../main/paths';
import { openApp, openFromDialog, RESULTS, type Session } from './helpers';
import { boxes, overlaps } from './layout';

const EXAMPLES = ['web-db.yaml', 'routing-lab.yaml', 'desktop.yaml', 'vm-lab.yaml'];

/**
 * Where a drawn lab usually goes wrong: a column of nodes on one network above them, and a
 * volume under the column mounted by its top node. A straight or curved edge from each lower
 * item runs through the items above it.
 */
const STACKED = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: stacked }
networks: [{ name: lan }]
volumes: [{ name: data, size: 1Gi }]
nodes:
  - { name: a, kind: container, image: "busybox:1.36", networks: [lan], volumes: [{ volume: data, mountPath: /data }] }
  - { name: b, kind: container, image: "busybox:1.36", networks: [lan] }
  - { name: c, kind: container, image: "busybox:1.36", networks: [lan] }
layout:
  networks: { lan: { x: 0, y: 0 } }
  nodes: { a: { x: 10, y: 140 }, b: { x: 10, y: 280 }, c: { x: 10, y: 420 } }
  volumes: { data: { x: 40, y: 560 } }
`;

let s: Session;
beforeAll(async () => {
  s = await openApp({ viewport: { width: 1440, height: 900 } });
  for (const f of EXAMPLES) await copyFile(join(APP_ROOT, 'resources', 'examples', f), join(s.workspace, f));
  await writeFile(join(s.workspace, 'stacked.yaml'), STACKED);
}, 120_000);
afterAll(() => s?.close());

/** The ids of the edges on the canvas. */
const edgeIds = (page: Page) => page.locator('.react-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? '').sort());

async function newLab(page: Page): Promise<void> {
  await page.click('[data-testid=menu-file]');
  await page.click('[data-testid=cmd-new]');
  // A lab with unsaved work asks first.
  await page.locator('[data-testid=empty-state], [data-testid=confirm-dialog]').first().waitFor();
  if (await page.locator('[data-testid=confirm-dialog]').count()) await page.click('[data-testid=confirm-ok]');
  await page.locator('[data-testid=empty-state]').waitFor();
}

describe('templates and networks', () => {
  it('a template dropped into a lab of two networks asks which it joins, and brings no network of its own', async () => {
    const { page } = s;
    await newLab(page);
    await page.click('[data-testid=palette-network]');
    await page.click('[data-testid=palette-network]');
    const nets = await page.locator('.net-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('network-', '')));
    expect(nets).toHaveLength(2);

    // Cancelling adds nothing.
    await page.click('[data-testid=palette-template-webserver]');
    await page.locator('[data-testid=choose-network]').waitFor();
    expect(await page.locator('[data-testid^=join-network-]').allInnerTexts()).toEqual(nets);
    await page.click('[data-testid=join-cancel]');
    await page.locator('[data-testid=choose-network]').waitFor({ state: 'detached' });
    expect(await page.locator('.lab-node').count()).toBe(0);

    await page.click('[data-testid=palette-template-webserver]');
    await page.screenshot({ path: join(RESULTS, 'laptop-1440x900-choose-network.png') });
    await page.click(`[data-testid="join-network-${nets[1]}"]`);
    await page.locator('[data-testid=node-web]').waitFor();
    expect(await page.locator('.net-node').count()).toBe(2);
    await expect.poll(() => edgeIds(page)).toContain(`link:web:${nets[1]}`);

    // Told to, it brings its own.
    await page.click('[data-testid=palette-template-webserver]');
    await page.click('[data-testid=join-own]');
    await expect.poll(() => page.locator('.net-node').count()).toBe(3);
  });
});

describe('drop targets', () => {
  it('"click to add" puts each new node in free space, and a volume dot dropped on a node body mounts it', async () => {
    const { page } = s;
    await newLab(page);
    for (let i = 0; i < 4; i++) await page.click('[data-testid=palette-container]');
    await page.click('[data-testid=palette-volume]');
    await expect.poll(() => page.locator('.lab-node').count()).toBe(4);
    expect(overlaps(await boxes(page, ['.react-flow__node']))).toEqual([]);

    // Onto the node's body, well away from its small dot (which sits on its bottom edge).
    const node = page.locator('.lab-node').first();
    const name = (await node.getAttribute('data-testid'))!.replace('node-', '');
    const body = (await node.boundingBox())!;
    const dot = (await page.locator('.vol-node .handle-out').boundingBox())!;
    await page.mouse.move(dot.x + dot.width / 2, dot.y + dot.height / 2);
    await page.mouse.down();
    await page.mouse.move(body.x + body.width * 0.7, body.y + body.height * 0.3, { steps: 10 });
    await page.mouse.up();
    await expect.poll(() => edgeIds(page)).toEqual([`mount:${name}:0`]);
  });
});

/**
 * Edges that pass through an item they do not connect: each edge's path is sampled every few
 * pixels in the page and tested against every item's box (shrunk by 2 px), except the two items
 * its ends touch.
 */
async function edgesThroughItems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const items = [...document.querySelectorAll('.react-flow__node')].map((n) => ({ id: n.getAttribute('data-id'), r: n.getBoundingClientRect() }));
    const inside = (p, r, m) => p.x > r.left + m && p.x < r.right - m && p.y > r.top + m && p.y < r.bottom - m;
    const out = [];
    for (const e of document.querySelectorAll('.react-flow__edge')) {
      const path = e.querySelector('path.react-flow__edge-path');
      if (!path) continue;
      const m = path.getScreenCTM();
      const len = path.getTotalLength();
      const pts = [];
      for (let l = 0; l <= len; l += 3) { const p = path.getPointAtLength(l); pts.push({ x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f }); }
      const ends = [pts[0], pts[pts.length - 1]];
      const own = items.filter((it) => ends.some((p) => inside(p, it.r, -24))).map((it) => it.id);
      for (const it of items) {
        if (own.includes(it.id)) continue;
        if (pts.some((p) => inside(p, it.r, 2))) out.push(e.getAttribute('data-id') + ' passes through ' + it.id);
      }
    }
    return out;
  })()`);
}

describe('edges in the example labs', () => {
  it.each([...EXAMPLES, 'stacked.yaml'])('%s: no edge passes through an item it does not connect', async (file) => {
    const { page } = s;
    await newLab(page);
    await openFromDialog(page, file);
    await page.locator('.react-flow__edge').first().waitFor();
    // Fitted and measured: the routes are derived again once React Flow reports the sizes.
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(RESULTS, `laptop-1440x900-edges-${file.replace('.yaml', '')}.png`) });
    expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(0);
    expect(await edgesThroughItems(page)).toEqual([]);
  });
});
