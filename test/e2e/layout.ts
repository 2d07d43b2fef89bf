/**
 * Looking at the screen from the page's boxes, for the laptop-screen tests: which elements
 * overlap, which are outside the window, which rows of a scrolled list are really visible.
 * Boxes are read in the page (getBoundingClientRect), as the user sees them.
 */
import type { Page } from 'playwright-core';

export interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Names of the other listed boxes that contain this element (a button in its bar): not an overlap. */
  within: string[];
}

/**
 * The boxes of the elements matching each selector that are rendered (non-empty), named by
 * selector and index. (Evaluated as text: the tests are type-checked without the DOM library.)
 */
export async function boxes(page: Page, selectors: string[]): Promise<Box[]> {
  return page.evaluate<Box[]>(`(() => {
    const found = [];
    for (const sel of ${JSON.stringify(selectors)}) {
      document.querySelectorAll(sel).forEach((el, i) => {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) found.push({ el, box: { name: sel + '#' + i, x: r.x, y: r.y, width: r.width, height: r.height, within: [] } });
      });
    }
    for (const a of found) for (const b of found) if (a !== b && b.el.contains(a.el)) a.box.within.push(b.box.name);
    return found.map((f) => f.box);
  })()`);
}

/** Pairs of boxes that cover each other by more than a pixel each way. */
export function overlaps(list: Box[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (a.within.includes(b.name) || b.within.includes(a.name)) continue;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 1 && h > 1) found.push(`${a.name} overlaps ${b.name} by ${Math.round(w)}×${Math.round(h)} px`);
    }
  return found;
}

/** Boxes that reach outside the window. */
export function outsideWindow(list: Box[], viewport: { width: number; height: number }): string[] {
  return list.filter((b) => b.x < -1 || b.y < -1 || b.x + b.width > viewport.width + 1 || b.y + b.height > viewport.height + 1).map((b) => `${b.name} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}`);
}

/**
 * Test ids of the elements matching `selector` that are wholly visible: inside every scrolling
 * ancestor's visible box and the window, and not under the element `coveredBy` (the dock).
 */
export async function fullyVisible(page: Page, selector: string, coveredBy?: string): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const visible = [];
    const cover = ${JSON.stringify(coveredBy ?? '')};
    const coverBox = cover ? document.querySelector(cover)?.getBoundingClientRect() : undefined;
    document.querySelectorAll(${JSON.stringify(selector)}).forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.height === 0) return;
      let top = 0;
      let bottom = window.innerHeight;
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowY)) {
          const pr = p.getBoundingClientRect();
          top = Math.max(top, pr.top);
          bottom = Math.min(bottom, pr.bottom);
        }
      }
      if (coverBox && coverBox.height > 0) bottom = Math.min(bottom, coverBox.top);
      if (r.top >= top - 1 && r.bottom <= bottom + 1) visible.push(el.getAttribute('data-testid') ?? '');
    });
    return visible;
  })()`);
}
