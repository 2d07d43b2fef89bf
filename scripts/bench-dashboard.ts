/**
 * `npm run bench:dashboard [students]`: the class dashboard at 500 students × 4 lab nodes on the
 * local control plane. Publishes routing-lab to the class with the engine, opens the Class view
 * in Chromium through `labforge ui`, then flips pods between ready and not ready through the API
 * server's status subresource and times each change from the PATCH to the cell's colour changing
 * in the page. Prints p50/p95 of that latency, and the memory of the `labforge ui` server process
 * (its RSS: it runs as its own process, from the built bundle, as an instructor runs it) and of
 * the renderer's JS heap (CDP Runtime.getHeapUsage).
 *
 * Goals: p95 < 1 s; server RSS + renderer heap < 400 MB.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { studentNamespace } from '../common/compile';
import { numberedStudents } from '../main/class/roster';
import { clusterUp } from '../main/cluster';
import { deploy } from '../main/engine/deploy';
import { publish } from '../main/engine/publish';
import { getRelease, snapshot, type Release } from '../main/engine/releases';
import { connect } from '../main/kube/http-cluster';
import { POD } from '../main/kube/kinds';
import { exampleLab } from '../test/helpers/examples';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, ROOT } from '../test/e2e/helpers';
import { writeBenchOutput } from './bench-report';

const STUDENTS = Number(process.argv[2] ?? 500);
const CHANGES = 40;
const className = `dash-${STUDENTS}`;

const nodes = Math.max(4, Math.ceil((STUDENTS * 4 * 1.2) / 110));
const { kubeconfig } = await clusterUp({ nodes, log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
process.env['KUBECONFIG'] = kubeconfig;
const cluster = connect({ kubeconfig });

const lab = exampleLab('routing-lab.yaml');
lab.metadata.name = 'bench-dashboard';
let release: Release;
try {
  release = await getRelease(cluster, lab.metadata.name, 'v1');
} catch {
  await deploy(cluster, lab, { timeoutMs: 120_000 });
  release = await snapshot(cluster, 'v1', { fileLab: lab });
}
const t0 = Date.now();
const roster = numberedStudents(STUDENTS);
const pub = await publish(cluster, { className, students: roster, release, force: true });
const failed = pub.results.filter((r) => r.status === 'failed').length;
process.stderr.write(`published ${STUDENTS} students in ${((Date.now() - t0) / 1000).toFixed(1)} s (${failed} failed)\n`);

buildRenderer();
execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-main.mjs')], { stdio: 'ignore' });
const workspace = await mkdtemp(join(tmpdir(), 'labforge-dash-'));
const serverProcess = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'ui', '--no-open', '--port', '0', '--workspace', workspace], { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  serverProcess.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /(http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  serverProcess.once('exit', (code) => reject(new Error(`labforge ui exited (${code}): ${out}`)));
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('[data-testid=canvas]');
  await page.locator('[data-testid=view-class]').click();
  await page.locator('[data-testid=class-name]').fill(className);
  await page.locator('[data-testid=class-open]').click();
  const tReady = Date.now();
  await page.locator('[data-testid=class-summary]', { hasText: `${STUDENTS}/${STUDENTS} students ready` }).waitFor({ timeout: 900_000 });
  process.stderr.write(`dashboard shows ${STUDENTS}/${STUDENTS} ready after ${((Date.now() - tReady) / 1000).toFixed(1)} s\n`);

  // A page-side recorder: the wall-clock time each cell's state attribute changes.
  await page.evaluate(`(() => {
    window.__cellChanges = [];
    new MutationObserver((ms) => {
      for (const m of ms) if (m.attributeName === 'data-state') window.__cellChanges.push({ id: m.target.getAttribute('data-testid'), state: m.target.getAttribute('data-state'), at: Date.now() });
    }).observe(document.querySelector('[data-testid=class-grid]'), { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  })()`);

  const latencies: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    // Students in the first screenful, so their rows are rendered; each change alternates state.
    const student = roster[i % 10]!.id;
    const node = lab.nodes[i % lab.nodes.length]!.name;
    const namespace = studentNamespace(className, student);
    const pods = await cluster.list(POD, { namespace, labelSelector: `labforge.dev/node=${node}` });
    const pod = pods.items[0];
    if (!pod?.metadata?.name) throw new Error(`no pod for ${student}/${node}`);
    const wasReady = pod.status?.containerStatuses?.every((c) => c.ready) ?? false;
    const want = wasReady ? 'starting' : 'ready';
    const statuses = (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, ready: !wasReady }));
    const cellId = `cell-${student}-${node}`;
    const patchedAt = Date.now();
    // As a kubelet reports a container becoming (un)ready: the status subresource.
    await cluster.patch(POD, pod.metadata.name, namespace, [{ op: 'replace', path: '/status/containerStatuses', value: statuses }], 'status');
    let at: number | undefined;
    for (let k = 0; k < 200 && at === undefined; k++) {
      at = await page.evaluate(`(window.__cellChanges.find((c) => c.id === ${JSON.stringify(cellId)} && c.state === ${JSON.stringify(want)} && c.at >= ${patchedAt}) || {}).at`) as number | undefined;
      if (at === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    if (at === undefined) throw new Error(`cell ${cellId} never became ${want}`);
    latencies.push(at - patchedAt);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${serverProcess.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const report = [
    `students ${STUDENTS} × ${lab.nodes.length} nodes, ${CHANGES} pod changes`,
    `pod change → cell: p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${latencies.at(-1)} ms`,
    `memory: labforge ui RSS ${mb(rss)} MB + renderer JS heap ${mb(heap.usedSize)} MB = ${mb(rss + heap.usedSize)} MB`,
    `dashboard: p95 ${pct(0.95)} ms, memory ${mb(rss + heap.usedSize)} MB, ${STUDENTS} students`,
  ];
  for (const line of report) console.log(line);
  writeBenchOutput('## Class dashboard at 500 students', 'bench:dashboard', `npm run bench:dashboard -- ${STUDENTS}`, report);
} finally {
  await browser.close();
  serverProcess.kill();
  cluster.close();
}
