/**
 * Class time on the local cluster's real node (issue 31): for BENCH_STUDENTS (default 30)
 * students of BENCH_LAB (default routing-lab), in one run:
 *
 * - a fresh publish → every pod Ready (the baseline);
 * - the node's CPU and memory over a quiet window with the class running;
 * - suspend of the whole class → no pod left, and the same window with the class suspended;
 * - resume of the whole class → every pod Ready again; the ratio against the fresh publish.
 *
 * Node CPU and memory come from the kubepods cgroup (cpuacct usage over the window; memory at
 * its end), so they count the labs' containers, not the control plane. Container requests are
 * lowered to 10m / 16Mi, as bench:real-class does, so a class of 30 fits the 2-core node.
 * Writes its block to docs/benchmarks.md (## Class time, block bench:resume).
 *
 *   npm run bench:resume     (needs `labforge cluster up` with the real node)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { studentNamespace } from '../common/compile';
import { parseLab, type Lab } from '../common/lab';
import { numberedStudents } from '../main/class/roster';
import { placementAnnotations } from '../main/cluster/node/placement';
import { teardown } from '../main/engine/class-ops';
import { publish } from '../main/engine/publish';
import type { Release } from '../main/engine/releases';
import { resumeStudents, suspendStudents } from '../main/engine/suspend';
import { connect, type HttpCluster } from '../main/kube/http-cluster';
import { NAMESPACE, POD, type IPod } from '../main/kube/kinds';
import { benchLog, runHeader, writeBenchBlock } from './bench-report';
import { kubepods } from './kubepods';

const ROOT = join(import.meta.dirname, '..');
const STUDENTS = Number(process.env['BENCH_STUDENTS'] ?? 30);
const LAB = process.env['BENCH_LAB'] ?? 'routing-lab';
const WINDOW_MS = Number(process.env['BENCH_WINDOW_MS'] ?? 20_000);
const KUBECONFIG = process.env['KUBECONFIG'] ?? join(ROOT, '.labforge/cluster/kubeconfig');
const TIMEOUT_MS = 15 * 60_000;
const { log, lines } = benchLog();
const cluster: HttpCluster = connect({ kubeconfig: KUBECONFIG });

function loadLab(): Lab {
  const r = parseLab(readFileSync(join(ROOT, 'resources/examples', `${LAB}.yaml`), 'utf8'));
  if (!r.ok) throw new Error(`${LAB} does not parse`);
  const lab = r.lab;
  lab.metadata.name = `bench-ct-${LAB}`.slice(0, 40);
  for (const n of lab.nodes) if (n.kind === 'container') n.resources = { ...n.resources, requests: { cpu: '10m', memory: '16Mi' } };
  return lab;
}

const ready = (p: IPod) => !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function podsIn(namespaces: Set<string>): Promise<IPod[]> {
  return (await cluster.list(POD)).items.filter((p) => namespaces.has(p.metadata?.namespace ?? ''));
}

/** Polls until `done` holds for the class's pods; returns the time since t0. */
async function until(namespaces: Set<string>, done: (pods: IPod[]) => boolean, t0: number, what: string): Promise<number> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    if (done(await podsIn(namespaces))) return Date.now() - t0;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${TIMEOUT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The kubepods cgroup over a quiet window: CPU in cores, memory at its end in MiB. */
async function nodeWindow(): Promise<{ cores: number; memMb: number }> {
  const cpu0 = kubepods('cpuacct', 'cpuacct.usage');
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const cores = (kubepods('cpuacct', 'cpuacct.usage') - cpu0) / 1e6 / (Date.now() - t0);
  return { cores, memMb: kubepods('memory', 'memory.usage_in_bytes') / 1024 / 1024 };
}

const lab = loadLab();
const className = `bct-${Date.now().toString(36)}`;
const roster = numberedStudents(STUDENTS);
const namespaces = new Set(roster.map((st) => studentNamespace(className, st.id)));
const podsEach = lab.nodes.filter((n) => n.kind === 'container').length;
const allReady = (pods: IPod[]) => pods.filter(ready).length >= STUDENTS * podsEach;
const s = (ms: number) => (ms / 1000).toFixed(1);
// The release lives in this process only (as bench:real-class has it); suspend and resume read it from here.
const releases = async () => release;
const release: Release = { lab, labName: lab.metadata.name, tag: 'v1', createdAt: new Date().toISOString(), author: 'bench', note: '', images: [], template: '' };

try {
  // The class's namespaces choose the real node before publish writes them (the engine keeps the annotations).
  for (const name of namespaces) await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: placementAnnotations('real') } }).catch(() => undefined);
  process.stderr.write(`publishing ${STUDENTS} students of ${LAB}…\n`);
  let t0 = Date.now();
  const r = await publish(cluster, { className, students: roster, release, force: true });
  if (r.results.some((x) => x.status === 'failed')) throw new Error(`publish failed: ${JSON.stringify(r.results.find((x) => x.status === 'failed'))}`);
  const fresh = await until(namespaces, allReady, t0, 'publish');
  process.stderr.write(`running: measuring the node for ${WINDOW_MS / 1000}s…\n`);
  const running = await nodeWindow();

  process.stderr.write('suspending…\n');
  t0 = Date.now();
  const sus = await suspendStudents(cluster, className, { releases });
  if (sus.some((x) => x.status === 'failed')) throw new Error(`suspend failed: ${JSON.stringify(sus.find((x) => x.status === 'failed'))}`);
  const suspendApplied = Date.now() - t0;
  const suspended = await until(namespaces, (pods) => pods.length === 0, t0, 'suspend');
  process.stderr.write(`suspended: measuring the node for ${WINDOW_MS / 1000}s…\n`);
  const idle = await nodeWindow();

  process.stderr.write('resuming…\n');
  t0 = Date.now();
  const res = await resumeStudents(cluster, className, { releases });
  if (res.some((x) => x.status === 'failed')) throw new Error(`resume failed: ${JSON.stringify(res.find((x) => x.status === 'failed'))}`);
  const resumeApplied = Date.now() - t0;
  const resumed = await until(namespaces, allReady, t0, 'resume');

  log('| lab | students | pods | fresh publish → all Ready | resume → all Ready | ratio | resume writes | suspend writes → no pod left | node CPU running / suspended | node memory running / suspended |');
  log('|---|---|---|---|---|---|---|---|---|---|');
  log(
    `| ${LAB} | ${STUDENTS} | ${STUDENTS * podsEach} | ${s(fresh)} s | ${s(resumed)} s | ${(resumed / fresh).toFixed(2)}× | ${s(resumeApplied)} s | ${s(suspendApplied)} → ${s(suspended)} s | ${running.cores.toFixed(3)} / ${idle.cores.toFixed(3)} cores | ${running.memMb.toFixed(0)} / ${idle.memMb.toFixed(0)} MiB |`,
  );
  log('');
  log(`Requests lowered to 10m / 16Mi per container; node figures are the kubepods cgroup over ${WINDOW_MS / 1000} s windows. Goal: resume no slower than a fresh publish of the same class.`);
  writeBenchBlock('## Class time', 'bench:resume', `${runHeader(`BENCH_STUDENTS=${STUDENTS} BENCH_LAB=${LAB} npm run bench:resume`)}\n\n${lines.join('\n')}`);
} finally {
  await teardown(cluster, className, undefined, 120_000).catch(() => undefined);
  cluster.close();
}
