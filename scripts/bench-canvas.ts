/**
 * Canvas benchmark: loads generated labs of 100, 300 and 1000 nodes through the real
 * `labforge ui` server in headless Chromium, then measures frame times (requestAnimationFrame
 * deltas) while panning, zooming and dragging a node, and the time from clicking the file in
 * the open dialog to the first frame that shows the graph.
 *
 * Run: npm run bench:canvas  (needs Chromium at /usr/bin/chromium or CHROMIUM_PATH)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serializeLab, type Lab } from '../common/lab';
import { appRoot } from '../main/api/app-root';
import { startUi } from '../main/ui-server';

const SIZES = (process.env['BENCH_SIZES'] ?? '100,300,1000').split(',').map(Number);
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function generateLab(nodes: number): Lab {
  const nets = Math.max(1, Math.round(nodes / 10));
  const lab: Lab = {
    apiVersion: 'labforge.dev/v1alpha1',
    kind: 'Lab',
    metadata: { name: `bench-${nodes}` },
    networks: Array.from({ length: nets }, (_, i) => ({ name: `net-${i}` })),
    volumes: [],
    exposures: [],
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${i}`,
      kind: i % 7 === 0 ? ('vm' as const) : ('container' as const),
      image: i % 3 === 0 ? 'nginx:1.27' : 'alpine:3.20',
      ports: i % 3 === 0 ? [{ port: 80 }] : undefined,
      // Every fifth node is a router between two segments.
      networks: i % 5 === 0 && nets > 1 ? [`net-${i % nets}`, `net-${(i + 1) % nets}`] : [`net-${i % nets}`],
    })).map((n) => Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)) as unknown as Lab['nodes'][number]),
    layout: { nodes: {}, networks: {} },
  };
  const cols = Math.ceil(Math.sqrt(nodes * 2));
  lab.nodes.forEach((n, i) => (lab.layout!.nodes![n.name] = { x: (i % cols) * 240, y: 200 + Math.floor(i / cols) * 110 }));
  lab.networks.forEach((n, i) => (lab.layout!.networks![n.name] = { x: i * 260, y: 0 }));
  return lab;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), frames: s.length };
};

// Passed as source text: tsx would wrap named functions in a helper the page does not have.
const RECORDER = `(() => {
  window.__frames = [];
  window.__rec = true;
  let last = performance.now();
  function tick(t) {
    window.__frames.push(t - last);
    last = t;
    if (window.__rec) requestAnimationFrame(tick);
  }
  requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
})()`;

async function startRecording(page: Page) {
  await page.evaluate(RECORDER);
}
async function stopRecording(page: Page): Promise<number[]> {
  return page.evaluate<number[]>('(() => { window.__rec = false; return window.__frames.slice(1); })()');
}

async function main() {
  const root = appRoot();
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'renderer', 'vite.config.ts'), '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('renderer build failed');

  const workspace = await mkdtemp(join(tmpdir(), 'labforge-bench-'));
  for (const n of SIZES) await writeFile(join(workspace, `bench-${n}.yaml`), serializeLab(generateLab(n)));
  const server = await startUi({ workspace, port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=canvas]');
  if (process.env['BENCH_CSS']) await page.addStyleTag({ content: process.env['BENCH_CSS'] });

  const rows: string[] = [];
  for (const n of SIZES) {
    await page.click('[data-testid=menu-file]');
    await page.click('[data-testid=cmd-new]');
    const confirm = page.locator('[data-testid=confirm-ok]');
    if (await confirm.isVisible().catch(() => false)) await confirm.click();
    await page.click('[data-testid=menu-file]');
    await page.click('[data-testid=cmd-open]');
    await page.waitForSelector(`[data-testid="file-bench-${n}.yaml"]`);
    // Time from the click to the first frame with the lab's nodes on screen.
    const firstRender = (await page.evaluate(`(async () => {
      const start = performance.now();
      document.querySelector('[data-testid="file-bench-${n}.yaml"]').click();
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if (document.querySelectorAll('.lab-node').length > 0) {
          await new Promise((r) => requestAnimationFrame(r));
          return performance.now() - start;
        }
      }
    })()`)) as number;
    await page.waitForTimeout(600); // fitView animation and measuring settle

    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;

    // Pan: drag the empty pane around for ~1.5 s.
    await startRecording(page);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i < 90; i++) await page.mouse.move(cx + Math.sin(i / 10) * 200, cy + Math.cos(i / 10) * 120, { steps: 1 });
    await page.mouse.up();
    const pan = stats(await stopRecording(page));

    // Zoom: wheel in and out.
    await startRecording(page);
    await page.mouse.move(cx, cy);
    for (let i = 0; i < 60; i++) {
      await page.mouse.wheel(0, i < 30 ? -40 : 40);
      await page.waitForTimeout(16);
    }
    const zoom = stats(await stopRecording(page));
    await page.keyboard.press('Shift+Digit1'); // zoom to fit again
    await page.waitForTimeout(400);

    // Drag a node for ~1.5 s.
    const node = page.locator('.lab-node').first();
    const box = (await node.boundingBox())!;
    await startRecording(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    for (let i = 0; i < 90; i++) await page.mouse.move(box.x + box.width / 2 + Math.sin(i / 8) * 150, box.y + box.height / 2 + i * 2, { steps: 1 });
    await page.mouse.up();
    const drag = stats(await stopRecording(page));

    const f = (x: number) => x.toFixed(1);
    const line = `| ${n} | ${f(firstRender)} | ${f(pan.median)} / ${f(pan.p95)} | ${f(zoom.median)} / ${f(zoom.p95)} | ${f(drag.median)} / ${f(drag.p95)} |`;
    rows.push(line);
    console.error(`${n} nodes: first render ${f(firstRender)} ms; pan ${f(pan.median)}/${f(pan.p95)} ms (${pan.frames} frames); zoom ${f(zoom.median)}/${f(zoom.p95)}; drag ${f(drag.median)}/${f(drag.p95)}`);
  }
  await browser.close();
  await server.close();
  await rm(workspace, { recursive: true, force: true });

  console.log('| nodes | first render (ms) | pan median / p95 (ms) | zoom median / p95 (ms) | drag median / p95 (ms) |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

if (!process.env['BENCH_NO_MAIN']) await main();
