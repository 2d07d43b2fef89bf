/**
 * `npm run bench:terminal`: a terminal pane's whole path — exec (apiserver → kwok) → main's
 * session and stream hub → WebSocket → xterm in headless Chromium — against `kubectl exec` of
 * the same command in the same run. Not a test; nothing here asserts a speed.
 *
 *   - throughput: `head -c 50M /dev/zero | base64` typed into the pane, timed from the Enter
 *     key to the moment xterm shows the marker printed after it (so every byte was parsed and
 *     acknowledged); bytes counted by main's session. kubectl: the same command with its stdout
 *     counted by this script, timed from spawn to exit.
 *   - echo latency: one key at a time pressed in the pane; the time from the page's keydown to
 *     the DOM rows showing the echoed character (what the user sees).
 *   - for the analysis, two more figures of the same command: `kubectl exec -t` under script(1)
 *     (a tty, as the pane has; kwok runs tty sessions through a pty), and the pane's stream
 *     without a browser (TerminalService → WebSocket → a Node client that acknowledges at once).
 *
 * Options (env): BENCH_RUNS=3 (throughput runs, median reported), BENCH_KEYS=200,
 * BENCH_SIZE=50M (head -c argument).
 * Ends with: `terminal: pane X MB/s, kubectl Y MB/s, echo p50 A ms p95 B ms` (MB = 10^6 bytes).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { chromium, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { createTerminalService } from '../main/streams';
import { startStreamServer } from '../test/integration/terminal-pane';
import { placementAnnotations } from '../main/cluster/node/placement';
import { clusterUp } from '../main/cluster';
import { locateBinaries } from '../main/cluster/binaries';
import { startUi } from '../main/ui-server';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/helpers';
import { benchLog, writeBenchOutput } from './bench-report';

const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const keys = Number(process.env['BENCH_KEYS'] ?? 200);
const size = process.env['BENCH_SIZE'] ?? '50M';
const command = `head -c ${size} /dev/zero | base64`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const bench = benchLog();
const log = bench.log;

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** kubectl exec of the same command; stdout counted here. */
function kubectl(bin: string, kubeconfig: string, namespace: string, pod: string): Promise<{ bytes: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(bin, ['--kubeconfig', kubeconfig, 'exec', '-n', namespace, pod, '-c', 'main', '--', 'sh', '-c', command], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`kubectl exec exited with ${code}`));
      else resolve({ bytes, seconds });
    });
  });
}

/** `kubectl exec -t` needs a terminal on its side too: script(1) gives it one; its output is counted. */
function kubectlTty(bin: string, kubeconfig: string, namespace: string, pod: string): Promise<{ bytes: number; seconds: number } | null> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const inner = [bin, '--kubeconfig', kubeconfig, 'exec', '-it', '-n', namespace, pod, '-c', 'main', '--', 'sh', '-c', `'${command}'`].join(' ');
    const child = spawn('script', ['-qfec', inner, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (d: Buffer) => (bytes += d.length));
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? { bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 } : null));
  });
}

/** The pane's stream without a browser: a Node WebSocket client that acknowledges every frame at once. */
async function streamOnly(kc: KubeConfig, namespace: string): Promise<{ bytes: number; seconds: number; echo: number[] }> {
  const server = await startStreamServer();
  const service = createTerminalService({ connector: server.hub, kubeConfig: () => kc });
  try {
    const opened = await service.open({ namespace, pod: 'bench', cols: 120, rows: 40 });
    if (opened.connect.kind !== 'websocket') throw new Error('expected a WebSocket stream');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${opened.connect.path}`, opened.connect.protocols);
    await new Promise((r) => ws.once('open', r));
    let bytes = 0;
    let tail = '';
    let onEcho: (() => void) | null = null;
    ws.on('message', (d: Buffer, binary) => {
      if (!binary) return;
      bytes += d.length;
      tail = (tail + d.toString('latin1', Math.max(0, d.length - 32))).slice(-32);
      ws.send(JSON.stringify({ type: 'ack', bytes: d.length }));
      if (onEcho && d.includes(0x71)) onEcho();
    });
    await new Promise((r) => setTimeout(r, 500));
    // Echo without a browser: 'q' sent, 'q' back.
    const echo: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (i % 40 === 0) {
        ws.send(Buffer.from('\x15'));
        await new Promise((r) => setTimeout(r, 50));
      }
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        onEcho = () => {
          onEcho = null;
          resolve();
        };
        ws.send(Buffer.from('q'));
      });
      echo.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    ws.send(Buffer.from('\x15'));
    await new Promise((r) => setTimeout(r, 100));
    const before = bytes;
    const started = Date.now();
    ws.send(Buffer.from(`${command}; echo end-$((1+1))\n`));
    const deadline = Date.now() + 600_000;
    while (!tail.includes('end-2')) {
      if (Date.now() > deadline) throw new Error('the stream-only run did not finish');
      await new Promise((r) => setTimeout(r, 2));
    }
    const seconds = (Date.now() - started) / 1000;
    ws.close();
    return { bytes: bytes - before, seconds, echo };
  } finally {
    await service.closeAll();
    await server.close();
  }
}

/**
 * In the page: arms a probe that resolves `window.__echo` with the milliseconds from the next
 * keydown in the pane to the echoed `ch` in xterm's rows. Armed first and awaited after the
 * key, so the key can never arrive before the listeners.
 */
const ARM_ECHO = `(ch) => {
  const pane = document.querySelector('[data-testid=terminal-pane]');
  const rows = pane.querySelector('.xterm-rows');
  const input = pane.querySelector('textarea');
  const count = () => (rows.textContent || '').split(ch).length;
  const before = count();
  window.__echo = new Promise((resolve, reject) => {
    let t0 = 0;
    const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
    const observer = new MutationObserver(() => {
      if (t0 && count() > before) {
        observer.disconnect();
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    observer.observe(rows, { childList: true, subtree: true, characterData: true });
    input.addEventListener('keydown', () => (t0 = performance.now()), { once: true, capture: true });
  });
}`;

/** Milliseconds from the page's keydown to the echoed character in xterm's rows, for one key. */
async function echoOnce(page: Page, key: string): Promise<number> {
  // Strings, not functions: the page gets the code as written (no bundler helpers).
  await page.evaluate(`(${ARM_ECHO})(${JSON.stringify(key)})`);
  await page.keyboard.press(key);
  return page.evaluate<number>('window.__echo');
}

async function main() {
  const cluster = await clusterUp({ log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
  process.env['KUBECONFIG'] = cluster.kubeconfig;
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const { paths } = await locateBinaries();

  const namespace = `bench-term-${randomBytes(3).toString('hex')}`;
  // A real container on the real node: the pane and kubectl both exec into it.
  await core.createNamespace({ body: { metadata: { name: namespace, annotations: placementAnnotations('real') } } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let server: Awaited<ReturnType<typeof startUi>> | null = null;
  try {
    await waitFor('the default ServiceAccount', async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })) && true);
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: 'bench', labels: { 'labforge.dev/node': 'bench' } }, spec: { containers: [{ name: 'main', image: 'alpine:3.20', command: ['sleep', 'infinity'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    });
    await waitFor('the pod to run', async () => ((await core.readNamespacedPod({ name: 'bench', namespace })).status?.phase === 'Running' ? true : undefined));

    buildRenderer();
    server = await startUi({ workspace: await mkdtemp(join(tmpdir(), 'labforge-bench-term-')), port: 0 });
    const terminals = server.terminals!;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=canvas]');

    // Open the pane as a user would: the command palette with a typed namespace/node.
    await page.keyboard.press('Control+Shift+P');
    await page.locator('[data-testid=command-input]').fill(`${namespace}/bench`);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=terminal-pane][data-status=open]').waitFor({ timeout: 60_000 });
    const rows = page.locator('[data-testid=terminal-pane] .xterm-rows');
    await waitFor('the prompt', async () => ((await rows.innerText()).match(/[#$]\s*$/m) ? true : undefined));
    await page.locator('[data-testid=terminal-pane] .xterm-screen').click();
    const session = () => terminals.sessions()[0]!;

    // Warm up both paths once (first exec into a pod, JIT, xterm's buffers).
    await kubectl(paths.kubectl, cluster.kubeconfig, namespace, 'bench');

    const mbps = (r: { bytes: number; seconds: number }) => r.bytes / 1e6 / r.seconds;
    const line = (what: string, i: number, r: { bytes: number; seconds: number }) => log(`${what.padEnd(12)} run ${i + 1}: ${(r.bytes / 1e6).toFixed(1)} MB in ${r.seconds.toFixed(2)} s = ${mbps(r).toFixed(1)} MB/s`);
    const kube: number[] = [];
    const kubeTty: number[] = [];
    const stream: number[] = [];
    const streamEcho: number[] = [];
    for (let i = 0; i < runs; i++) {
      const k = await kubectl(paths.kubectl, cluster.kubeconfig, namespace, 'bench');
      kube.push(mbps(k));
      line('kubectl', i, k);
      const t = await kubectlTty(paths.kubectl, cluster.kubeconfig, namespace, 'bench');
      if (t) {
        kubeTty.push(mbps(t));
        line('kubectl -t', i, t);
      }
      const st = await streamOnly(kc, namespace);
      stream.push(mbps(st));
      streamEcho.push(...st.echo);
      line('stream only', i, st);
    }

    const pane: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.keyboard.type('clear');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(300);
      const marker = `done${i}x${randomBytes(2).toString('hex')}`;
      // `$((i))` keeps the typed line from matching the marker before the output does.
      await page.keyboard.type(`${command}; echo ${marker}-$((${i}+1))`);
      const before = session().stats.bytesOut;
      const started = Date.now();
      await page.keyboard.press('Enter');
      // Checked every frame in the page (the renderer's CSP rules out waitForFunction's eval).
      await page.evaluate(`new Promise((resolve) => {
        const tick = () => ((document.querySelector('[data-testid=terminal-pane] .xterm-rows')?.textContent ?? '').includes(${JSON.stringify(`${marker}-${i + 1}`)}) ? resolve(true) : requestAnimationFrame(tick));
        tick();
      })`);
      const r = { bytes: session().stats.bytesOut - before, seconds: (Date.now() - started) / 1000 };
      pane.push(mbps(r));
      line('pane', i, r);
    }
    log(`max in flight to the pane: ${(session().stats.maxInFlight / 1024).toFixed(0)} KiB`);
    log(`medians: kubectl ${median(kube).toFixed(1)}, kubectl -t ${kubeTty.length ? median(kubeTty).toFixed(1) : 'n/a'}, stream only ${median(stream).toFixed(1)}, pane ${median(pane).toFixed(1)} MB/s`);

    await page.keyboard.type('clear');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    const latencies: number[] = [];
    for (let i = 0; i < keys; i++) {
      // A fresh line every 50 keys keeps the prompt line short.
      if (i > 0 && i % 50 === 0) {
        await page.keyboard.press('Control+U');
        await page.waitForTimeout(50);
      }
      latencies.push(await echoOnce(page, 'q'));
      await page.waitForTimeout(20);
    }
    await page.keyboard.press('Control+U');
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    log(`echo without a browser (Node client): p50 ${percentile(streamEcho, 50).toFixed(1)} ms, p95 ${percentile(streamEcho, 95).toFixed(1)} ms`);
    log(`echo: ${keys} keys, p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
    log(`terminal: pane ${median(pane).toFixed(1)} MB/s, kubectl ${median(kube).toFixed(1)} MB/s, echo p50 ${p50.toFixed(1)} ms p95 ${p95.toFixed(1)} ms`);
  } finally {
    // Each step on its own, so the namespace goes even when the browser or server fails to stop.
    await browser.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  writeBenchOutput('## Terminal', 'bench:terminal', `BENCH_RUNS=${runs} BENCH_KEYS=${keys} BENCH_SIZE=${size} npm run bench:terminal`, bench.lines);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
