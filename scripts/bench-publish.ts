/**
 * `npm run bench:publish`: how fast `publish` fans a release out, against two baselines
 * measured on the same cluster in the same run:
 *   - loop:    a shell loop of `kubectl apply --server-side -f <student>.yaml`, one per student;
 *   - ceiling: a raw concurrent create of the same objects with client-node (no apply, no
 *              retries, no phases beyond namespaces first) — what the API server allows.
 * Prints seconds, objects/s and the ratios; not a test, nothing here asserts a speed.
 *
 * Options (env): BENCH_SIZES=50,200  BENCH_CONCURRENCY=4,8,16,32 (the sweep, at the first size)
 *                BENCH_REPEATS=3 (each figure is the median of this many runs)
 *                BENCH_KUBECONFIG (default: the local cluster, started if needed)
 * Every run uses a fresh class and is torn down (and waited for) before the next, so each
 * measurement starts from the same, quiet cluster.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { numberedStudents } from '../main/class/roster';
import { compileLab, objectsToYaml, studentNamespace } from '../common/compile';
import { clusterUp } from '../main/cluster';
import { locateBinaries } from '../main/cluster/binaries';
import { classNamespaces, DEFAULT_CONCURRENCY, publish, waitNamespacesGone } from '../main/engine/publish';
import { deploy } from '../main/engine/deploy';
import { getRelease, snapshot, type Release } from '../main/engine/releases';
import { parseLab } from '../common/lab';
import type { Cluster } from '../main/kube/cluster';
import { connect } from '../main/kube/http-cluster';
import { NAMESPACE } from '../main/kube/kinds';
import { mapLimit } from '../main/kube/retry';

const sizes = (process.env['BENCH_SIZES'] ?? '50,200').split(',').map(Number);
const sweep = (process.env['BENCH_CONCURRENCY'] ?? '4,8,16,32').split(',').map(Number);
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const run = randomBytes(2).toString('hex');
let seq = 0;

async function cleanup(client: Cluster, className: string): Promise<void> {
  const names = (await classNamespaces(client, className)).map((n) => n.metadata!.name!);
  await mapLimit(names, 16, (name) => client.delete(NAMESPACE, name).catch(() => undefined));
  await waitNamespacesGone(client, names, 600_000);
  // Let the garbage collector and kwok finish with the deleted pods before the next run.
  await new Promise((r) => setTimeout(r, 3000));
}

/** Runs `measure` (which gets a fresh class name) `repeats` times and returns the median ms. */
async function median(client: Cluster, prefix: string, measure: (className: string) => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const className = `${prefix}${run}-${seq++}`;
    times.push(await measure(className));
    await cleanup(client, className);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  let kubeconfig = process.env['BENCH_KUBECONFIG'];
  if (!kubeconfig) {
    // Enough fake nodes for every pod of the largest class (4 per student, 110 per node, 20%
    // spare): unschedulable pods would keep the scheduler busy and skew the figures.
    const nodes = Math.max(4, Math.ceil((Math.max(...sizes) * 4 * 1.2) / 110));
    kubeconfig = (await clusterUp({ nodes, log: (l) => process.stderr.write(`[cluster] ${l}\n`) })).kubeconfig;
  }
  const client = connect({ kubeconfig });
  // The ceiling baseline is client-node itself, on purpose: what the other library manages.
  const raw = KubernetesObjectApi.makeApiClient(client.kc);
  const kubectl = (await locateBinaries()).paths.kubectl;

  // The routing lab (4 nodes, 3 networks) under a bench-only name; released the normal way.
  const parsed = parseLab(readFileSync(join(import.meta.dirname, '../resources/examples/routing-lab.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error('routing-lab.yaml is invalid');
  const lab = parsed.lab;
  lab.metadata.name = 'bench-routing';
  let release: Release;
  try {
    release = await getRelease(client, lab.metadata.name, 'v1');
  } catch {
    await deploy(client, lab, { timeoutMs: 120_000 });
    release = await snapshot(client, 'v1', { fileLab: lab });
  }

  const perStudent = compileLab(release.lab, { namespace: 'x', class: 'c', student: 's', release: 'v1' }).length;
  console.log(`lab: ${lab.nodes.length} nodes, ${perStudent} objects per student; cluster ${client.identity.server}`);
  console.log(`node ${process.version}, ${new Date().toISOString()}, median of ${repeats} runs each\n`);

  const publishOnce = async (className: string, n: number, concurrency: number) =>
    timeIt(() => publish(client, { className, students: numberedStudents(n), release, concurrency, force: true }));

  // Concurrency sweep at the first size: picks the default.
  const n0 = sizes[0]!;
  console.log(`concurrency sweep, ${n0} students (${n0 * perStudent} objects):`);
  for (const c of sweep) {
    const ms = await median(client, 'bs', (cls) => publishOnce(cls, n0, c));
    console.log(`  concurrency ${String(c).padStart(3)}: ${secs(ms)} s, ${((n0 * perStudent) / (ms / 1000)).toFixed(0)} objects/s`);
  }
  console.log(`  (default in main/engine/publish.ts: ${DEFAULT_CONCURRENCY})\n`);

  const rows: string[] = [];
  for (const n of sizes) {
    const objects = n * perStudent;
    const students = numberedStudents(n);

    // labforge publish, default concurrency.
    const tPublish = await median(client, 'bp', (cls) => publishOnce(cls, n, DEFAULT_CONCURRENCY));

    // Ceiling: raw concurrent creates of the same objects with client-node.
    const tRaw = await median(client, 'br', async (rawClass) => {
      const all = students.map((s) => compileLab(release.lab, { namespace: studentNamespace(rawClass, s.id), class: rawClass, student: s.id, release: release.tag }));
      const namespaces = all.map((objs) => objs[0]!);
      const rest = all.flatMap((objs) => objs.slice(1));
      return timeIt(async () => {
        await mapLimit(namespaces, DEFAULT_CONCURRENCY, (o) => raw.create(o as KubernetesObject));
        await mapLimit(rest, DEFAULT_CONCURRENCY, (o) => raw.create(o as KubernetesObject));
      });
    });

    // Baseline: a shell loop of kubectl apply --server-side, one file per student.
    const tLoop = await median(client, 'bl', async (loopClass) => {
      const dir = mkdtempSync(join(tmpdir(), 'lf-bench-'));
      const files = students.map((s) => {
        const file = join(dir, `${s.id}.yaml`);
        writeFileSync(file, objectsToYaml(compileLab(release.lab, { namespace: studentNamespace(loopClass, s.id), class: loopClass, student: s.id, release: release.tag })));
        return file;
      });
      writeFileSync(join(dir, 'loop.sh'), `set -e\nfor f in ${files.map((f) => `'${f}'`).join(' ')}; do '${kubectl}' --kubeconfig '${kubeconfig}' apply --server-side --field-manager labforge -f "$f" >/dev/null; done\n`);
      return timeIt(async () => execFileSync('bash', [join(dir, 'loop.sh')], { stdio: 'inherit' }));
    });

    const rate = (ms: number) => (objects / (ms / 1000)).toFixed(0);
    rows.push(
      `| ${n} | ${objects} | ${secs(tPublish)} s (${rate(tPublish)}/s) | ${secs(tLoop)} s (${rate(tLoop)}/s) | ${secs(tRaw)} s (${rate(tRaw)}/s) | ${(tLoop / tPublish).toFixed(1)}× | ${(tPublish / tRaw).toFixed(2)}× |`,
    );
    console.log(`N=${n}: publish ${secs(tPublish)} s, kubectl loop ${secs(tLoop)} s, raw create ${secs(tRaw)} s → ${(tLoop / tPublish).toFixed(1)}× faster than the loop, ${(tPublish / tRaw).toFixed(2)}× the ceiling`);
  }

  console.log('\n| students | objects | labforge publish | kubectl apply loop | raw create (ceiling) | loop ÷ publish (goal ≥ 10) | publish ÷ ceiling (goal ≤ 1.3) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
