import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleLab } from '../helpers/examples';
import type { Lab } from '../../common/lab';
import { openApp, openFromDialog, RESULTS, type Session } from './helpers';

let s: Session;
let example: Lab;

beforeAll(async () => {
  example = exampleLab('routing-lab.yaml');
  s = await openApp();
});
afterAll(() => s?.close());

describe('browser mode: open a lab', () => {
  it('opens routing-lab.yaml through the file dialog and shows every node, network and attachment', async () => {
    const { page } = s;
    await expect(page.locator('[data-testid=empty-state]').isVisible()).resolves.toBe(true);
    await openFromDialog(page, 'routing-lab.yaml');

    for (const n of example.nodes) await page.locator(`[data-testid="node-${n.name}"]`).waitFor({ state: 'visible' });
    for (const n of example.networks) await page.locator(`[data-testid="network-${n.name}"]`).waitFor({ state: 'visible' });
    const attachments = example.nodes.reduce((sum, n) => sum + (n.networks?.length ?? 0), 0);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(attachments);
    for (const n of example.nodes) {
      for (const net of n.networks ?? []) {
        expect(await page.locator(`[data-id="link:${n.name}:${net}"]`).count(), `${n.name}→${net}`).toBe(1);
      }
    }
    await expect(page.locator('[data-testid=title]').innerText()).resolves.toContain('routing-lab.yaml');
    await expect(page.locator('[data-testid=problem-count]').innerText()).resolves.toBe('0');
    // Each node kind gets its own icon: the router (on two networks) is not drawn like a client.
    await expect(page.locator('[data-testid="node-router"]').getAttribute('data-role')).resolves.toBe('router');
    await expect(page.locator('[data-testid="node-client-a"]').getAttribute('data-role')).resolves.toBe('container');

    await page.screenshot({ path: join(RESULTS, 'open-routing-lab.png') });
    expect(s.errors).toEqual([]);
  });
});
