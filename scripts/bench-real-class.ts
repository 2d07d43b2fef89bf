/**
 * Time to a running class on the local cluster's real node: publish → every pod Ready, for
 * BENCH_STUDENTS (default "10,30") students of routing-lab and web-db. In the same run, for each
 * size: the node's ceiling (the same number of bare pods of the same images, created at once in
 * one namespace, until all are Ready) and the same class on kwok's simulated nodes. Node CPU and
 * memory per student come from the kubepods cgroup (cpuacct usage over the run; memory at the end).
 *
 * The node has 2 cores: with the example labs' own requests (100m to 250m a container) only a
 * few students fit, so every container's requests are lowered to 10m / 16Mi here (BENCH_REQUESTS=lab
 * keeps the lab's own and measures what fits). Writes its block to docs/benchmarks.md
 * (## Real class, block bench:real-class).
 *
 *   npm run bench:real-class       (needs `labforge cluster up` with the real node)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab, type Lab } from '../common/lab';
import { compileLab, studentNamespace } from '../common/compile';
import { numberedStudents } from '../main/class/roster';
import { REAL_NODE } from '../main/cluster/node/config';
import { placementAnnotations, type Placement } from '../main/cluster/node/placement';
import { teardown } from '../main/engine/class-ops';
import { publish } from '../main/engine/publish';
import type { Release } from '../main/engine/releases';
import { connect, type HttpCluster } from '../main/kube/http-cluster';
import { NAMESPACE, POD, type IPod } from '../main/kube/kinds';
import { benchLog, runHeader, writeBenchBlock } from './bench-report';
import { kubepods } from './kubepods';

const ROOT = join(import.meta.dirname, '..');
const SIZES = (process.env['BENCH_STUDENTS'] ?? '10,30').split(',').map(Number);
const LABS = (process.env['BENCH_LABS'] ?? 'routing-lab,web-db').split(',');
const KEEP_REQUESTS = process.env['BENCH_REQUESTS'] === 'lab';
const KUBECONFIG = process.env['KUBECONFIG'] ?? join(ROOT, '.labforge/cluster/kubeconfig');
const TIMEOUT_MS = 15 * 60_000;
const { log, lines } = benchLog();

const cluster: HttpCluster = connect({ kubeconfig: KUBECONFIG });

function loadLab(name: string): Lab {
  const r = parseLab(readFileSync(join(ROOT, 'resources/examples', `${name}.yaml`), 'utf8'));
  if (!r.ok) throw new Error(`${name} does not parse`);
  const lab = r.lab;
  lab.metadata.name = `bench-rc-${name}`.slice(0, 40);
  if (!KEEP_REQUESTS) for (const n of lab.nodes) if (n.kind === 'container') n.resources = { ...n.resources, requests: { cpu: '10m', memory: '16Mi' } };
  return lab;
}

const ready = (p: IPod) => !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Creates namespaces with a placement first (the engine keeps the annotations). */
async function placeNamespaces(names: string[], placement: Placement) {
  for (const name of names) {
    await cluster.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations: placementAnnotations(placement) } }).catch(() => undefined);
  }
}

async function waitGone(names: string[]) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const left = await Promise.all(names.map((n) => cluster.read(NAMESPACE, n)));
    if (left.every((n) => !n)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('namespaces did not go away');
}

/** Polls until every pod of `namespaces` is Ready; returns each namespace's time to its last Ready pod. */
async function untilReady(namespaces: string[], podsEach: number, t0: number): Promise<number[]> {
  const doneAt = new Map<string, number>();
  const deadline = Date.now() + TIMEOUT_MS;
  while (doneAt.size < namespaces.length) {
    if (Date.now() > deadline) throw new Error(`not ready after ${TIMEOUT_MS / 1000}s: ${namespaces.length - doneAt.size} namespaces left`);
    const pods = (await cluster.list(POD)).items;
    for (const ns of namespaces) {
      if (doneAt.has(ns)) continue;
      const mine = pods.filter((p) => p.metadata?.namespace === ns);
      if (mine.length >= podsEach && mine.filter(ready).length >= podsEach) doneAt.set(ns, Date.now() - t0);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return namespaces.map((n) => doneAt.get(n)!);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const s = (ms: number) => (ms / 1000).toFixed(1);

async function classRun(lab: Lab, students: number, placement: Placement): Promise<{ total: number; perStudent: number[]; cpuMs: number; memMb: number }> {
  const className = `brc-${placement === 'real' ? 'r' : 's'}-${Date.now().toString(36)}`;
  const roster = numberedStudents(students);
  const namespaces = roster.map((st) => studentNamespace(className, st.id));
  const release: Release = { lab, labName: lab.metadata.name, tag: 'v1', createdAt: new Date().toISOString(), author: 'bench', note: '', images: [], template: '' };
  await placeNamespaces(namespaces, placement);
  const cpu0 = kubepods('cpuacct', 'cpuacct.usage');
  const t0 = Date.now();
  const r = await publish(cluster, { className, students: roster, release, force: true });
  if (r.results.some((x) => x.status === 'failed')) throw new Error(`publish failed: ${JSON.stringify(r.results.find((x) => x.status === 'failed'))}`);
  const perStudent = await untilReady(namespaces, lab.nodes.length, t0);
  const total = Date.now() - t0;
  const cpuMs = (kubepods('cpuacct', 'cpuacct.usage') - cpu0) / 1e6;
  const memMb = kubepods('memory', 'memory.usage_in_bytes') / 1024 / 1024;
  await teardown(cluster, className, undefined, 1000).catch(() => undefined);
  await waitGone(namespaces);
  return { total, perStudent, cpuMs, memMb };
}

/**
 * The node's ceiling: the class's own pods as bare pods, created at once in one namespace — the
 * pod templates the compiler writes for each node (same images, commands, env, probes), with
 * volume claims swapped for emptyDir, and the ConfigMaps and Secrets they mount. So the ratio measures what the class adds around its pods
 * (namespaces, quotas, policies, controllers, volumes), not readiness probes the ceiling skipped.
 */
async function ceilingRun(lab: Lab, students: number): Promise<number> {
  const ns = `brc-ceiling-${Date.now().toString(36)}`;
  await placeNamespaces([ns], 'real');
  for (let i = 0; i < 100 && !(await cluster.read(kindSA, 'default', ns)); i++) await new Promise((r) => setTimeout(r, 100));
  const templates = podTemplates(lab, ns);
  const t0 = Date.now();
  // What the pods mount (the lab's files as ConfigMaps, its Secrets) comes first, as in publish.
  await Promise.all(compileLab(lab, { namespace: ns }).filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').map((o) => cluster.create(o)));
  const creates: Promise<unknown>[] = [];
  for (let i = 0; i < students; i++) {
    for (const t of templates) {
      creates.push(cluster.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${t.name}-${i}`, namespace: ns, labels: t.labels }, spec: t.spec }));
    }
  }
  await Promise.all(creates);
  await untilReady([ns], students * templates.length, t0);
  const total = Date.now() - t0;
  await cluster.delete(NAMESPACE, ns);
  await waitGone([ns]);
  return total;
}

interface PodTemplate { name: string; labels: Record<string, string>; spec: Record<string, unknown> }

/** Each workload's pod template as compiled for `namespace`, its claims made emptyDir. */
function podTemplates(lab: Lab, namespace: string): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of compileLab(lab, { namespace })) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const spec = (o as { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> }; volumeClaimTemplates?: { metadata?: { name?: string } }[] } }).spec;
    const pod = structuredClone(spec?.template?.spec ?? {}) as { volumes?: Record<string, unknown>[] };
    const volumes = (pod.volumes ?? []).map((v) => (v['persistentVolumeClaim'] ? { name: v['name'], emptyDir: {} } : v));
    for (const c of spec?.volumeClaimTemplates ?? []) volumes.push({ name: c.metadata?.name, emptyDir: {} });
    out.push({ name: o.metadata?.name ?? 'pod', labels: spec?.template?.metadata?.labels ?? {}, spec: { ...pod, volumes } });
  }
  return out;
}
const kindSA = { apiVersion: 'v1', kind: 'ServiceAccount' } as const;

log(`| lab | students | pods | ceiling (bare pods) | publish → all Ready | ratio | per student p50 / p95 | kwok | node CPU per student | node memory per student |`);
log(`|---|---|---|---|---|---|---|---|---|---|`);
/** How many more pods the real node takes (kubelet's maxPods less what runs there now). */
async function podRoom(): Promise<number> {
  const node = await cluster.read({ apiVersion: 'v1', kind: 'Node' } as const, REAL_NODE.name) as { status?: { allocatable?: Record<string, string> } } | undefined;
  const max = Number(node?.status?.allocatable?.['pods'] ?? 110);
  const there = (await cluster.list(POD)).items.filter((p) => p.spec?.nodeName === REAL_NODE.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  return max - there;
}

for (const name of LABS) {
  const lab = loadLab(name);
  for (const n of SIZES) {
    const room = await podRoom();
    if (n * lab.nodes.length > room) {
      // Said, not waited out: kubelet would leave the rest Pending (OutOfpods) until the timeout.
      log(`| ${name} | ${n} | ${n * lab.nodes.length} | skipped: the node takes ${room} more pods (kubelet maxPods) | | | | | | |`);
      continue;
    }
    process.stderr.write(`${name} × ${n}: ceiling…\n`);
    const ceiling = await ceilingRun(lab, n);
    process.stderr.write(`${name} × ${n}: real class…\n`);
    const real = await classRun(lab, n, 'real');
    process.stderr.write(`${name} × ${n}: kwok class…\n`);
    const sim = await classRun(lab, n, 'simulated');
    log(`| ${name} | ${n} | ${n * lab.nodes.length} | ${s(ceiling)} s | ${s(real.total)} s | ${(real.total / ceiling).toFixed(2)}× | ${s(pct(real.perStudent, 50))} / ${s(pct(real.perStudent, 95))} s | ${s(sim.total)} s | ${(real.cpuMs / n / 1000).toFixed(2)} CPU-s | ${(real.memMb / n).toFixed(0)} MiB |`);
  }
}
cluster.close();
log('');
log(`Node: ${REAL_NODE.name}; requests ${KEEP_REQUESTS ? "as the labs declare" : 'lowered to 10m / 16Mi per container'}. Goal: publish → all Ready ≤ 1.5× the ceiling.`);
writeBenchBlock('## Real class', 'bench:real-class', `${runHeader(`BENCH_STUDENTS=${SIZES.join(',')} BENCH_LABS=${LABS.join(',')} npm run bench:real-class`)}\n\n${lines.join('\n')}`);
