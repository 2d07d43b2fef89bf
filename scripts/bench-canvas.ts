/**
 * Canvas benchmark: loads generated labs of 100, 300 and 1000 nodes through the real
 * `labforge ui` server in headless Chromium, then measures frame times (requestAnimationFrame
 * deltas) while panning, zooming and dragging a node, and the time from clicking the file in
 * the open dialog to the first frame that shows the graph. Each size is measured as shipped (the
 * far view, renderer/src/canvas/FarView.tsx, takes over large labs when zoomed out) and, as the
 * same run's baseline, with the far view switched off; idle frames and the load average show how
 * busy the machine was.
 *
 * Run: npm run bench:canvas  (BENCH_SIZES=100,300,1000 BENCH_MODES=far,dom BENCH_REPEAT=1)  (needs Chromium at /usr/bin/chromium or CHROMIUM_PATH)
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serializeLab, type Lab } from '../common/lab';
import { appRoot } from '../main/paths';
import { startUi } from '../main/ui-server';
import { benchLog, runHeader, writeBenchBlock } from './bench-report';

const SIZES = (process.env['BENCH_SIZES'] ?? '100,300,1000').split(',').map(Number);
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** far: as shipped (the far view for large labs when zoomed out); dom: the far view switched off, the baseline. */
const MODES = (process.env['BENCH_MODES'] ?? 'far,dom').split(',');
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? '1');

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

/** Where a lab item's centre is on screen, from its place in the lab and React Flow's viewport. */
async function screenPoint(page: Page, lab: { x: number; y: number }): Promise<{ x: number; y: number }> {
  return page.evaluate<{ x: number; y: number }>(`(() => {
    const m = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform);
    const r = document.querySelector('.react-flow').getBoundingClientRect();
    return { x: r.left + m.e + ${lab.x} * m.a, y: r.top + m.f + ${lab.y} * m.a };
  })()`);
}

/** The lab point at a screen point. */
async function labPoint(page: Page, screen: { x: number; y: number }): Promise<{ x: number; y: number }> {
  return page.evaluate<{ x: number; y: number }>(`(() => {
    const m = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform);
    const r = document.querySelector('.react-flow').getBoundingClientRect();
    return { x: (${screen.x} - r.left - m.e) / m.a, y: (${screen.y} - r.top - m.f) / m.a };
  })()`);
}

/**
 * The node nearest the middle of the pane: "zoom to fit" of the 1000-node lab stops at the
 * minimum zoom, with the lab's left end (node-0) off screen.
 */
async function middleNode(page: Page, lab: Lab, pane: { x: number; y: number; width: number; height: number }): Promise<{ name: string; x: number; y: number }> {
  const mid = await labPoint(page, { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 });
  let best = { name: '', x: 0, y: 0 };
  let dist = Infinity;
  for (const [name, p] of Object.entries(lab.layout?.nodes ?? {})) {
    const d = Math.hypot(p.x + 100 - mid.x, p.y + 33 - mid.y);
    if (d < dist) [best, dist] = [{ name, ...p }, d];
  }
  return best;
}

const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');

interface Row {
  mode: string;
  nodes: number;
  firstRender: number;
  view: string;
  pan: ReturnType<typeof stats>;
  zoom: ReturnType<typeof stats>;
  drag: ReturnType<typeof stats>;
  idle: ReturnType<typeof stats>;
  load: string;
  /** The far view's last redraw of its bitmap (after the drag), in ms; empty for the DOM. */
  drawMs: string;
}

async function measure(page: Page, n: number, mode: string): Promise<Row> {
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
      if (document.querySelectorAll('.lab-node').length > 0 || document.querySelector('[data-testid=far-view][data-items]')) {
        await new Promise((r) => requestAnimationFrame(r));
        return performance.now() - start;
      }
    }
  })()`)) as number;
  await page.waitForTimeout(800); // fitView animation, measuring and the switch to the far view settle
  const load = loadAverage();

  // The same run's baseline: frames of the page doing nothing, on a machine this busy.
  await startRecording(page);
  await page.waitForTimeout(1000);
  const idle = stats(await stopRecording(page));

  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  const cx = pane.x + pane.width / 2;
  const cy = pane.y + pane.height / 2;
  const view = (await page.locator('[data-testid=far-view]').count()) ? 'far view' : 'DOM';

  // Pan: drag the empty pane around for ~1.5 s, from between two rows of nodes.
  const lab = generateLab(n);
  const near = await middleNode(page, lab, pane);
  const empty = await screenPoint(page, { x: near.x + 100, y: near.y - 20 });
  await startRecording(page);
  await page.mouse.move(empty.x, empty.y);
  await page.mouse.down();
  for (let i = 0; i < 90; i++) await page.mouse.move(empty.x + Math.sin(i / 10) * 200, empty.y + Math.cos(i / 10) * 120 - 120, { steps: 1 });
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
  await page.waitForTimeout(600);

  // Drag the node in the middle of the pane for ~1.5 s.
  const target = await middleNode(page, lab, pane);
  const node = await screenPoint(page, { x: target.x + 60, y: target.y + 30 });
  await startRecording(page);
  await page.mouse.move(node.x, node.y);
  await page.mouse.down();
  for (let i = 0; i < 90; i++) await page.mouse.move(node.x + Math.sin(i / 8) * 150, node.y + i * 2, { steps: 1 });
  await page.mouse.up();
  const drag = stats(await stopRecording(page));
  // The press was on the node: it is selected (in either view), so the frames are a node drag.
  const selected = (await page.locator('[data-testid=far-view]').count())
    ? await page.locator('[data-testid=far-view]').getAttribute('data-selected')
    : await page.locator('.react-flow__node.selected').first().getAttribute('data-id').catch(() => null);
  if (selected !== `node:${target.name}`) throw new Error(`the drag did not take ${target.name} (selected: ${selected})`);
  const drawMs = (await page.locator('[data-testid=far-view]').count()) ? ((await page.locator('[data-testid=far-view]').getAttribute('data-draw-ms')) ?? '') : '';
  return { mode, nodes: n, firstRender, view, pan, zoom, drag, idle, load, drawMs };
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

  const rows: Row[] = [];
  const f = (x: number) => x.toFixed(1);
  for (let round = 0; round < REPEAT; round++) {
    for (const mode of MODES) {
      // The far view is on by default; the DOM baseline is the same page with it switched off.
      await page.evaluate(`localStorage.setItem('labforge.farView', '${mode === 'dom' ? 'off' : 'on'}')`);
      await page.reload();
      await page.waitForSelector('[data-testid=canvas]');
      if (process.env['BENCH_CSS']) await page.addStyleTag({ content: process.env['BENCH_CSS'] });
      for (const n of SIZES) {
        const r = await measure(page, n, mode);
        rows.push(r);
        console.error(
          `${mode} ${n} nodes (${r.view}, load ${r.load}): first render ${f(r.firstRender)} ms; idle ${f(r.idle.median)}/${f(r.idle.p95)}; pan ${f(r.pan.median)}/${f(r.pan.p95)} ms (${r.pan.frames} frames); zoom ${f(r.zoom.median)}/${f(r.zoom.p95)}; drag ${f(r.drag.median)}/${f(r.drag.p95)}${r.drawMs ? `; far view redraw ${r.drawMs} ms` : ''}`,
        );
      }
    }
  }
  await browser.close();
  await server.close();
  await rm(workspace, { recursive: true, force: true });

  const { log, lines } = benchLog();
  const command = `BENCH_SIZES=${SIZES.join(',')} BENCH_MODES=${MODES.join(',')} BENCH_REPEAT=${REPEAT} npm run bench:canvas`;
  console.log(`Command: ${command}; ${cpus().length} cores; load average at the end ${loadAverage()}`);
  log('| mode | nodes | view | load avg (1/5/15 min) | first render (ms) | idle p95 (ms) | pan median / p95 (ms) | zoom median / p95 (ms) | drag median / p95 (ms) |');
  log('|---|---:|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    log(`| ${r.mode} | ${r.nodes} | ${r.view} | ${r.load} | ${f(r.firstRender)} | ${f(r.idle.p95)} | ${f(r.pan.median)} / ${f(r.pan.p95)} | ${f(r.zoom.median)} / ${f(r.zoom.p95)} | ${f(r.drag.median)} / ${f(r.drag.p95)} |`);
  }
  // Ratios against the DOM measured in the same run, per size (lower is better).
  const far = rows.filter((r) => r.mode === 'far');
  for (const r of far) {
    const base = rows.filter((d) => d.mode === 'dom' && d.nodes === r.nodes);
    if (!base.length) continue;
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = (k: 'pan' | 'zoom' | 'drag') => (r[k].p95 / med(base.map((d) => d[k].p95))).toFixed(2);
    log(`canvas ${r.nodes}: far view p95 / DOM p95: pan ${ratio('pan')}, zoom ${ratio('zoom')}, drag ${ratio('drag')}`);
  }
  // The table goes into the Canvas section of docs/benchmarks.md (BENCH_DOCS for a trial run).
  const [table, ratios] = [lines.filter((l) => l.startsWith('|')), lines.filter((l) => !l.startsWith('|'))];
  writeBenchBlock('## Canvas', 'bench-canvas', `${runHeader(command)}\n\n${table.join('\n')}\n\n${ratios.map((l) => `- ${l}`).join('\n')}`);
}

if (!process.env['BENCH_NO_MAIN']) await main();
