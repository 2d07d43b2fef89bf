import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attach, clickEmptyCanvas, ctrl, dropFromPalette, mount, openApp, renameSelected, RESULTS, select, type Session } from './helpers';

let s: Session;
beforeAll(async () => {
  s = await openApp();
});
afterAll(() => s?.close());

/** What the canvas shows: items with their positions and labels, and the edges. */
async function snapshot(page: Page): Promise<string> {
  // Evaluated as source text in the page (the Node-side tsconfig has no DOM types).
  return page.evaluate<string>(`(() => {
    const nodes = [...document.querySelectorAll('.react-flow__node')]
      .map((n) => n.dataset.id + '@' + n.style.transform + ':' + n.innerText.replace(/\\s+/g, ' '))
      .sort();
    const edges = [...document.querySelectorAll('.react-flow__edge')].map((e) => e.dataset.id ?? e.getAttribute('data-id')).sort();
    return JSON.stringify({ nodes, edges });
  })()`);
}

describe('canvas editor: history and validation', () => {
  it('undoes and redoes 10 steps back and forth', async () => {
    const { page } = s;
    const box = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const at = (fx: number, fy: number) => [box.x + box.width * fx, box.y + box.height * fy] as const;
    const states = [await snapshot(page)];
    const step = async (fn: () => Promise<void>) => {
      await fn();
      await expect.poll(() => snapshot(page)).not.toBe(states[states.length - 1]);
      states.push(await snapshot(page));
    };
    await step(() => dropFromPalette(page, 'network', ...at(0.3, 0.15))); // 1 add network
    await step(() => renameSelected(page, 'lan')); // 2 rename
    await step(() => dropFromPalette(page, 'template-webserver', ...at(0.2, 0.5))); // 3 add a template (web, joining lan)
    await step(() => dropFromPalette(page, 'template-database', ...at(0.6, 0.45))); // 4 (db, client and data, joining lan)
    await step(() => dropFromPalette(page, 'network', ...at(0.75, 0.15))); // 5 a second network
    await step(() => attach(page, 'web', 'net-1')); // 6 connect
    await step(() => dropFromPalette(page, 'volume', ...at(0.65, 0.85))); // 7 add volume (clear of the minimap)
    await step(() => mount(page, 'vol-1', 'db')); // 8 mount
    await step(async () => {
      // 9 move a node by dragging it
      const web = (await page.locator('[data-testid="node-web"]').boundingBox())!;
      await page.mouse.move(web.x + 60, web.y + 20);
      await page.mouse.down();
      await page.mouse.move(web.x + 20, web.y + 120, { steps: 8 });
      await page.mouse.up();
    });
    await step(async () => {
      // 10 delete a node with the keyboard
      await select(page, 'node-web');
      await page.keyboard.press('Delete');
    });
    expect(new Set(states).size).toBe(11);
    await clickEmptyCanvas(page);

    for (let i = 9; i >= 0; i--) {
      await page.keyboard.press(`${ctrl}+KeyZ`);
      await expect.poll(() => snapshot(page), { message: `after undo to step ${i}` }).toBe(states[i]);
    }
    for (let i = 1; i <= 10; i++) {
      await page.keyboard.press(i % 2 ? `${ctrl}+Shift+KeyZ` : `${ctrl}+KeyY`);
      await expect.poll(() => snapshot(page), { message: `after redo to step ${i}` }).toBe(states[i]);
    }
    expect(s.errors).toEqual([]);
  });

  it('shows an invalid image on the node, on the field and in the problems list', async () => {
    const { page } = s;
    const box = (await page.locator('[data-testid=canvas]').boundingBox())!;
    await dropFromPalette(page, 'container', box.x + box.width * 0.3, box.y + box.height * 0.3);
    await renameSelected(page, 'broken');
    await page.locator('[data-testid=insp-image]').fill('Not A Valid/Image!!');

    const node = page.locator('[data-testid="node-broken"]');
    await expect.poll(() => node.getAttribute('class')).toContain('has-issue');
    await expect.poll(() => page.locator('[data-testid="node-issue-broken"]').innerText()).toMatch(/^image: image is not a valid image reference/);
    await expect.poll(() => page.locator('[data-testid=field-error]').first().innerText()).toMatch(/not a valid image reference/);
    await expect.poll(() => node.locator('[data-testid=issue-badge]').innerText()).toBe('1');
    await page.screenshot({ path: join(RESULTS, 'editor-3-invalid-image.png') });

    // The problems list focuses the culprit: select something else, then click the problem.
    await clickEmptyCanvas(page);
    await page.locator('[data-testid=inspector-lab]').waitFor();
    await page.locator('[data-testid=problem-item]', { hasText: 'broken' }).click();
    await page.locator('[data-testid=inspector-node] [data-testid=insp-name]').waitFor();
    await expect(page.locator('[data-testid=insp-name]').inputValue()).resolves.toBe('broken');
    await expect.poll(() => node.getAttribute('class')).toContain('selected');

    // Fixing the field clears every marker.
    await page.locator('[data-testid=insp-image]').fill('alpine:3.20');
    await expect.poll(() => node.getAttribute('class')).not.toContain('has-issue');
    await expect.poll(() => page.locator('[data-testid=problem-count]').innerText()).toBe('0');
    expect(s.errors).toEqual([]);
  });

  it('asks before discarding unsaved changes (in-app confirm and beforeunload)', async () => {
    const { page } = s;
    await page.locator('[data-testid=dirty]').waitFor();
    await page.keyboard.press(`${ctrl}+KeyN`);
    await page.locator('[data-testid=confirm-dialog]').waitFor();
    await page.click('[data-testid=confirm-cancel]');
    await page.locator('[data-testid="node-broken"]').waitFor();

    // Closing the tab or window is blocked by the beforeunload handler while dirty.
    const blocked = () =>
      page.evaluate<boolean>(`(() => {
        const e = new Event('beforeunload', { cancelable: true });
        window.dispatchEvent(e);
        return e.defaultPrevented;
      })()`);
    expect(await blocked()).toBe(true);

    await page.keyboard.press(`${ctrl}+KeyN`);
    await page.click('[data-testid=confirm-ok]');
    await page.locator('[data-testid=empty-state]').waitFor();
    await expect(page.locator('[data-testid=tool-undo]').isDisabled()).resolves.toBe(true);
    expect(await blocked()).toBe(false);
  });

  it('selects all, copies, pastes, lays out and fits with the keyboard', async () => {
    const { page } = s;
    await page.locator('[data-testid=empty-state]').waitFor();
    await page.click('[data-testid=palette-network]');
    // The palette's templates are resources/templates/*.yaml, served by main: the web server
    // comes with its network, as `labforge create webserver` writes it, but dropped into a lab
    // that has one network it joins that one instead.
    await page.click('[data-testid=palette-template-webserver]');
    await page.locator('[data-testid="node-web"]').waitFor();
    await expect.poll(() => page.locator('[data-id="link:web:net-1"]').count()).toBe(1);
    expect(await page.locator('[data-testid="network-lan"]').count()).toBe(0);
    await expect(page.locator('[data-testid=palette-template-network-lab]').count()).resolves.toBe(1);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await clickEmptyCanvas(page);

    await page.keyboard.press(`${ctrl}+KeyA`);
    await page.locator('[data-testid=inspector-multi]').waitFor();
    await page.keyboard.press(`${ctrl}+KeyC`);
    await page.keyboard.press(`${ctrl}+KeyV`);
    await page.locator('[data-testid="node-web-2"]').waitFor();
    await page.locator('[data-testid="network-net-2"]').waitFor();
    // The copy is attached to the copied networks, not the originals.
    await expect.poll(() => page.locator('[data-id="link:web-2:net-2"]').count()).toBe(1);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    const before = await page.locator('[data-testid="node-web-2"]').boundingBox();
    await page.keyboard.press(`${ctrl}+KeyL`);
    await expect.poll(async () => JSON.stringify(await page.locator('[data-testid="node-web-2"]').boundingBox())).not.toBe(JSON.stringify(before));
    await page.keyboard.press('Shift+Digit1');
    await page.screenshot({ path: join(RESULTS, 'editor-4-copy-paste-layout.png') });
    expect(s.errors).toEqual([]);
  });
});
