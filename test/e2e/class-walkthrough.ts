/**
 * The instructor's story in the browser, step by step, as a user does it: open a lab, deploy,
 * snapshot, publish to a class, watch it become ready. Shared by the e2e test and
 * `npm run bench:time-to-class`, which counts the user actions (clicks, keystroke entries,
 * file drops) every step takes.
 */
import type { Page } from 'playwright-core';

export interface Driver {
  page: Page;
  /** User actions so far. */
  actions: number;
  click(selector: string): Promise<void>;
  fill(selector: string, text: string): Promise<void>;
}

export function driver(page: Page): Driver {
  const d: Driver = {
    page,
    actions: 0,
    async click(selector) {
      d.actions++;
      await page.locator(selector).click();
    },
    async fill(selector, text) {
      d.actions++;
      await page.locator(selector).fill(text);
    },
  };
  return d;
}

const sel = (testId: string) => `[data-testid="${testId}"]`;

export async function openLab(d: Driver, fileName: string): Promise<void> {
  await d.click(sel('menu-file'));
  await d.click(sel('cmd-open'));
  await d.click(sel(`file-${fileName}`));
  await d.page.locator(sel('open-dialog')).waitFor({ state: 'detached' });
}

/** Clicks Deploy and waits until the operation ends; returns how it ended. */
export async function deployToDev(d: Driver, timeoutMs = 180_000): Promise<string> {
  await d.click(sel('deploy'));
  await d.page.locator(`${sel('op-panel')}:not([data-state=running])`).waitFor({ timeout: timeoutMs });
  return (await d.page.locator(sel('op-panel')).getAttribute('data-state')) ?? '';
}

export async function waitNodeState(page: Page, node: string, state: string, timeoutMs = 120_000): Promise<void> {
  await page.locator(`${sel(`live-${node}`)}[data-state="${state}"]`).waitFor({ timeout: timeoutMs });
}

export async function snapshot(d: Driver): Promise<string> {
  await d.click(sel('snapshot'));
  const tag = d.page.locator(sel('snapshot-tag'));
  // The dialog suggests the next free vN once it has read the releases.
  let value = await tag.inputValue();
  for (let i = 0; i < 100 && !/^v\d+$/.test(value); i++) {
    await d.page.waitForTimeout(50);
    value = await tag.inputValue();
  }
  await d.click(sel('snapshot-confirm'));
  await d.page.locator(sel('snapshot-dialog')).waitFor({ state: 'detached', timeout: 60_000 });
  return value;
}

/** Publish dialog: the latest release is preselected and 30 students is the default count. */
export async function publish(d: Driver, className: string, count?: number): Promise<void> {
  await d.click(sel('publish'));
  await d.page.locator(`${sel('publish-release')} option:nth-child(2)`).waitFor({ state: 'attached' });
  await d.fill(sel('publish-class'), className);
  if (count !== undefined) await d.fill(sel('publish-count'), String(count));
  await d.click(sel('publish-check'));
  await d.page.locator(sel('capacity-table')).waitFor({ timeout: 60_000 });
  await d.click(sel('publish-confirm'));
}

/** Waits until the class view says every student is ready. */
export async function waitClassReady(page: Page, students: number, timeoutMs = 180_000): Promise<void> {
  await page.locator(sel('class-summary'), { hasText: `${students}/${students} students ready` }).waitFor({ timeout: timeoutMs });
}
