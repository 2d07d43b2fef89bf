/**
 * `npm run bench:time-to-class`: the instructor's walkthrough, scripted in Chromium against the
 * local control plane — open the app with a kubeconfig, open routing-lab, deploy, snapshot,
 * publish to a class of 30, until every cell of the dashboard is ready. Prints the user actions
 * (clicks, keystroke entries, file drops) and the wall time. The class is left in place so the
 * result can be inspected; `labforge teardown --class <C>` removes it.
 *
 * The class runs on the real node (BENCH_PLACEMENT=real, the default: `cluster up --placement
 * real`), so a cell is ready when its pod is Ready in a real container; there, every container's
 * requests are lowered to 10m / 16Mi (30 students of routing-lab by the lab's own requests do not
 * fit 2 cores) and the class is torn down at the end. BENCH_PLACEMENT=simulated runs it on kwok's
 * nodes as before and leaves the class in place.
 *
 * Goal: ≤ 12 actions and ≤ 3 minutes on the local cluster.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serializeLab } from '../common/lab';
import { clusterUp } from '../main/cluster';
import { teardown } from '../main/engine/class-ops';
import { connect } from '../main/kube/http-cluster';
import { startUi } from '../main/ui-server';
import { exampleLab } from '../test/helpers/examples';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/helpers';
import { deployToDev, driver, openLab, publish, snapshot, waitClassReady } from '../test/e2e/class-walkthrough';
import { writeBenchOutput } from './bench-report';

const STUDENTS = 30;
const id = Math.random().toString(16).slice(2, 8);
const className = `ttc-${id}`;

const PLACEMENT = process.env['BENCH_PLACEMENT'] === 'simulated' ? 'simulated' : 'real';
const { kubeconfig } = await clusterUp({ placement: PLACEMENT, log: (l) => process.stderr.write(`[cluster] ${l}\n`) });
process.env['KUBECONFIG'] = kubeconfig;
buildRenderer();
const lab = exampleLab('routing-lab.yaml');
lab.metadata.name = `ttc-${id}`;
if (PLACEMENT === 'real') for (const n of lab.nodes) if (n.kind === 'container') n.resources = { ...n.resources, requests: { cpu: '10m', memory: '16Mi' } };
const workspace = await mkdtemp(join(tmpdir(), 'labforge-ttc-'));
await writeFile(join(workspace, 'my-lab.yaml'), serializeLab(lab));
const server = await startUi({ workspace, port: 0 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const d = driver(page);
  const t0 = Date.now();
  const lap = (what: string) => process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${String(d.actions).padStart(2)} actions  ${what}\n`);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=canvas]');
  lap('app open');
  await openLab(d, 'my-lab.yaml');
  lap('lab open');
  const deployed = await deployToDev(d);
  if (deployed !== 'done') throw new Error(`deploy ended ${deployed}`);
  lap('deployed to dev, all nodes ready');
  await snapshot(d);
  lap('snapshot v1');
  await publish(d, className);
  lap('publish confirmed');
  await waitClassReady(page, STUDENTS, 600_000);
  lap(`${STUDENTS}/${STUDENTS} students ready`);
  const seconds = (Date.now() - t0) / 1000;
  const where = PLACEMENT === 'real' ? 'on the real node (requests lowered to 10m / 16Mi)' : "on kwok's simulated nodes";
  const line = `time-to-class: ${d.actions} actions, ${seconds.toFixed(1)} s, class ${className}, ${STUDENTS} students ${where}`;
  console.log(line);
  writeBenchOutput('## Time to class', 'bench:time-to-class', `BENCH_PLACEMENT=${PLACEMENT} npm run bench:time-to-class`, [line]);
  if (PLACEMENT === 'real') await teardown(connect({ kubeconfig }), className).catch(() => undefined);
} finally {
  await browser.close();
  await server.close();
}
