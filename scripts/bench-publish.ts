/**
 * `npm run bench:publish`: how fast `publish` fans a release out, against three ways of writing
 * the same objects, measured on the same cluster in the same run:
 *   - ceiling:     a raw concurrent create (POST) of the same objects over the same keep-alive
 *                  pool publish uses (main/kube/http.ts), namespaces first, no apply, no
 *                  retries, no checks — at the concurrency that gave the most objects/s in a
 *                  sweep of this run;
 *   - one kubectl: what a Kubernetes user tries first, `labforge compile ... -o DIR` then one
 *                  `kubectl apply --server-side -R -f DIR` for the whole class;
 *   - loop:        a shell loop of `kubectl apply --server-side -f <student>.yaml`, one per student.
 * Each figure is the median of BENCH_REPEATS runs; the methods run in a different order in each
 * repeat (forward, then reversed, …), so a slow phase of a shared machine does not fall on
 * one method only. During every run the CPU time of kube-apiserver, etcd, the controller
 * manager, the scheduler and kwok is read from /proc/<pid>/stat, and the machine's busy
 * share from /proc/stat, so the figures show where the limit is.
 * Prints seconds, objects/s, CPU and the ratios; not a test, nothing here asserts a speed.
 *
 * Options (env): BENCH_LAB=routing-lab (an example in resources/examples; labs with volumes
 *                make every teardown wait for the PVCs' protection finalizers)
 *                BENCH_SIZES=50      BENCH_REPEATS=3
 *                BENCH_CONCURRENCY=16,32,64 (publish sweep; empty: none)  BENCH_CEILING_CONCURRENCY=8,16,32,64
 *                BENCH_SWEEP_REPEATS=1 (runs per sweep point; the median is kept)
 *                BENCH_STUDENTS_IN_FLIGHT=  (publish sweep: students written at once, e.g. 16,64; default publish's own)
 *                BENCH_DECOMPOSE=1   (first, one traced publish: time to the first student write, requests in flight)
 *                BENCH_SSA=1         (the ceiling sweep also runs a raw server-side apply of the same objects)
 *                BENCH_ORDERED=1     (… and a raw create in publish's order: namespaces, governing objects, workloads)
 *                BENCH_AUTH=1        (publish with the local admin's client certificate, interleaved with its
 *                                     token, the kubeconfig's credential: the cost of certificate authentication)
 * Every run uses a fresh class and is torn down (and waited for) before the next.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { numberedStudents } from '../main/class/roster';
import { compileLab, objectsToYaml, studentNamespace, type KubeObject } from '../common/compile';
import { clusterUp } from '../main/cluster';
import { locateBinaries } from '../main/cluster/binaries';
import { resolveStateDir } from '../main/cluster/paths';
import { classNamespaces, DEFAULT_CONCURRENCY, publish, waitNamespacesGone } from '../main/engine/publish';
import { deploy } from '../main/engine/deploy';
import { getRelease, snapshot, type Release } from '../main/engine/releases';
import { deleteClassSettings } from '../main/engine/reconcile-settings';
import { parseLab } from '../common/lab';
import type { Cluster } from '../main/kube/cluster';
import { connect } from '../main/kube/http-cluster';
import { applyPhases } from '../main/kube/apply';
import { NAMESPACE } from '../main/kube/kinds';
import { mapLimit, withRetry } from '../main/kube/retry';
import { cpuLine, measured, medianOf, pct, watchComponents, type Sample } from './bench-cpu';
import { inFlight, traced } from './bench-publish-trace';
import { benchLog, runHeader, writeBenchBlock } from './bench-report';

const bench = benchLog();
const log = (...parts: unknown[]) => bench.log(parts.map(String).join(' '));

const root = join(import.meta.dirname, '..');
const labName = process.env['BENCH_LAB'] ?? 'routing-lab';
const sizes = (process.env['BENCH_SIZES'] ?? '50').split(',').map(Number);
const sweep = (process.env['BENCH_CONCURRENCY'] ?? '16,32,64').split(',').filter(Boolean).map(Number);
const ceilingSweep = (process.env['BENCH_CEILING_CONCURRENCY'] ?? '8,16,32,64').split(',').map(Number);
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const sweepRepeats = Number(process.env['BENCH_SWEEP_REPEATS'] ?? 1);
const studentSweep: (number | undefined)[] = process.env['BENCH_STUDENTS_IN_FLIGHT'] ? process.env['BENCH_STUDENTS_IN_FLIGHT'].split(',').map(Number) : [undefined];
const decompose = process.env['BENCH_DECOMPOSE'] !== '0';
const ssaSweep = process.env['BENCH_SSA'] !== '0';
const orderedSweep = process.env['BENCH_ORDERED'] !== '0';
const authSweep = process.env['BENCH_AUTH'] !== '0';
const run = randomBytes(2).toString('hex');
let seq = 0;

const secs = (ms: number) => (ms / 1000).toFixed(2);

// ---- runs ------------------------------------------------------------------------------------

async function cleanup(client: Cluster, className: string): Promise<void> {
  // A loaded, shared control plane drops a connection now and then; the cleanup retries.
  const names = (await withRetry(() => classNamespaces(client, className), { attempts: 8 })).map((n) => n.metadata!.name!);
  await mapLimit(names, 16, (name) => client.delete(NAMESPACE, name).catch(() => undefined));
  await withRetry(() => waitNamespacesGone(client, names, 600_000), { attempts: 8 });
  // Publishing recorded the class in labforge-system; without this every run leaves one behind.
  await withRetry(() => deleteClassSettings(client, className), { attempts: 8 });
  // Let the garbage collector and kwok finish with the deleted pods before the next run.
  await new Promise((r) => setTimeout(r, 3000));
}

/** One measured run on a fresh class, then its teardown (not measured). */
async function once(client: Cluster, prefix: string, measure: (className: string) => Promise<Sample>): Promise<Sample> {
  const className = `${prefix}${run}-${seq++}`;
  try {
    return await measure(className);
  } finally {
    await cleanup(client, className);
  }
}

async function main(): Promise<void> {
  let kubeconfig = process.env['BENCH_KUBECONFIG'];
  if (!kubeconfig) {
    // Enough fake nodes for every pod of the largest class (4 per student, 110 per node, 20%
    // spare): unschedulable pods would keep the scheduler busy and skew the figures.
    const nodes = Math.max(4, Math.ceil((Math.max(...sizes) * 4 * 1.2) / 110));
    kubeconfig = (await clusterUp({ nodes, log: (l) => process.stderr.write(`[cluster] ${l}\n`) })).kubeconfig;
  }
  const watched = watchComponents(existsSync(join(dirname(kubeconfig), 'run')) ? dirname(kubeconfig) : resolveStateDir());
  const client = connect({ kubeconfig });
  const kubectl = (await locateBinaries()).paths.kubectl;

  // The example under a bench-only name; released the normal way.
  const labFile = join(root, `resources/examples/${labName}.yaml`);
  const parsed = parseLab(readFileSync(labFile, 'utf8'));
  if (!parsed.ok) throw new Error(`${labName}.yaml is invalid`);
  const lab = parsed.lab;
  lab.metadata.name = `bench-${labName}`;
  let release: Release;
  try {
    release = await getRelease(client, lab.metadata.name, 'v1');
  } catch {
    await deploy(client, lab, { timeoutMs: 120_000 });
    release = await snapshot(client, 'v1', { fileLab: lab });
  }
  // The same lab, renamed, as the file `labforge compile` reads.
  const work = mkdtempSync(join(tmpdir(), 'lf-bench-'));
  const benchLabFile = join(work, 'lab.yaml');
  writeFileSync(benchLabFile, readFileSync(labFile, 'utf8').replace(/^(\s*name:\s*)\S+/m, `$1${lab.metadata.name}`));

  const compiled = (className: string, n: number) =>
    numberedStudents(n).map((s) => compileLab(release.lab, { namespace: studentNamespace(className, s.id), class: className, student: s.id, release: release.tag }));
  const perStudent = compiled('x', 1)[0]!.length;
  log(`lab ${labName}: ${lab.nodes.length} nodes, ${perStudent} objects per student (plus one shared ClusterRole per publish); cluster ${client.identity.server}`);
  log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${new Date().toISOString()}`);
  log(`control plane pids: ${watched}\n`);

  const publishRun = (n: number, concurrency: number, studentsInFlight?: number, as: Cluster = client) => (className: string) =>
    measured(() => publish(as, { className, students: numberedStudents(n), release, concurrency, force: true, ...(studentsInFlight ? { studentsInFlight } : {}) }));

  /** One publish through a tracing Cluster: where the time goes before and during the writes. */
  const decomposition = async (n: number) => {
    const trace = traced(client);
    const marks: [string, number][] = [];
    await once(client, 'bd', async (className) => {
      trace.reset();
      const s = await measured(() =>
        publish(trace.cluster, {
          className,
          students: numberedStudents(n),
          release,
          force: true,
          onPhase: (p) => marks.push([p, trace.now()]),
        }),
      );
      const end = trace.now();
      const at = (name: string) => marks.find(([m]) => m === name)?.[1] ?? NaN;
      const writes = trace.calls.filter((c) => c.studentWrite);
      const first = Math.min(...writes.map((c) => c.start));
      const window = inFlight(trace.calls, first, end);
      const latency = writes.map((c) => c.end - c.start).sort((a, b) => a - b);
      const ms = (x: number) => `${Math.round(x)} ms`;
      log(`decomposition of one publish, ${n} students at ${DEFAULT_CONCURRENCY} in flight: ${secs(s.ms)} s in all; ${cpuLine(s)}`);
      log(`  class listing + stored settings  ${ms(at('preflight'))}`);
      log(`  preflight (schemas, discovery, dry run of ${perStudent + 1} objects)  ${ms(at('capacity') - at('preflight'))}`);
      log(`  capacity check (what is left of it after the preflight) + class settings write  ${ms(at('apply') - at('capacity'))}`);
      log(`  shared ClusterRole, up to the first student write  ${ms(first - at('apply'))}`);
      log(`  => first student write at ${ms(first)} (${((first / end) * 100).toFixed(0)}% of the publish)`);
      log(`  student writes: ${writes.length} requests over ${ms(end - first)}, ${window.mean.toFixed(1)} in flight on average (peak ${window.peak}); latency median ${ms(latency[Math.floor(latency.length / 2)] ?? NaN)}, p90 ${ms(latency[Math.floor(latency.length * 0.9)] ?? NaN)}`);
      const byVerb = new Map<string, number>();
      for (const c of trace.calls) byVerb.set(`${c.verb}${c.dryRun ? ' (dry run)' : ''}`, (byVerb.get(`${c.verb}${c.dryRun ? ' (dry run)' : ''}`) ?? 0) + 1);
      log(`  requests: ${[...byVerb].map(([v, k]) => `${v} ${k}`).join(', ')}\n`);
      return s;
    });
  };

  const ceilingRun = (n: number, concurrency: number) => async (className: string) => {
    const all = compiled(className, n);
    const namespaces = all.map((objs) => objs[0]!);
    const rest = all.flatMap((objs) => objs.slice(1));
    return measured(async () => {
      await mapLimit(namespaces, concurrency, (o: KubeObject) => client.create(o));
      await mapLimit(rest, concurrency, (o: KubeObject) => client.create(o));
    });
  };

  /**
   * The ceiling's objects in publish's order, in three waves over the whole class: every
   * namespace, then what governs them (quota, limits, policies, RBAC), then the workloads. The
   * plain ceiling races workloads against their namespace's quota, so some Services are stored
   * before a quota exists to charge them; publish never lets that happen.
   */
  const orderedCreateRun = (n: number, concurrency: number) => async (className: string) => {
    const phases = [[], [], []] as KubeObject[][];
    for (const objs of compiled(className, n)) applyPhases(objs).forEach((p, i) => phases[i]!.push(...p));
    return measured(async () => {
      for (const p of phases) await mapLimit(p, concurrency, (o: KubeObject) => client.create(o));
    });
  };

  /** The ceiling's objects, server-side applied instead of created: the cost of SSA itself. */
  const rawApplyRun = (n: number, concurrency: number) => async (className: string) => {
    const all = compiled(className, n);
    const namespaces = all.map((objs) => objs[0]!);
    const rest = all.flatMap((objs) => objs.slice(1));
    return measured(async () => {
      await mapLimit(namespaces, concurrency, (o: KubeObject) => client.apply(o));
      await mapLimit(rest, concurrency, (o: KubeObject) => client.apply(o));
    });
  };

  const oneKubectlRun = (n: number) => async (className: string) => {
    const dir = join(work, className);
    const s = await measured(async () => {
      execFileSync(process.execPath, [join(root, 'bin/labforge.mjs'), 'compile', benchLabFile, '--class', className, '--students', String(n), '--release', release.tag, '-o', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--field-manager', 'labforge', '-R', '-f', dir], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 64 << 20 });
    });
    rmSync(dir, { recursive: true, force: true });
    return s;
  };

  const loopRun = (n: number) => async (className: string) => {
    const dir = join(work, className);
    execFileSync('mkdir', ['-p', dir]);
    const files = compiled(className, n).map((objs, i) => {
      const file = join(dir, `${i}.yaml`);
      writeFileSync(file, objectsToYaml(objs));
      return file;
    });
    writeFileSync(join(dir, 'loop.sh'), `set -e\nfor f in ${files.map((f) => `'${f}'`).join(' ')}; do '${kubectl}' --kubeconfig '${kubeconfig}' apply --server-side --field-manager labforge -f "$f" >/dev/null; done\n`);
    const s = await measured(async () => execFileSync('bash', [join(dir, 'loop.sh')], { stdio: 'inherit' }));
    rmSync(dir, { recursive: true, force: true });
    return s;
  };

  const sweepMedian = async (prefix: string, measure: (className: string) => Promise<Sample>) => {
    const samples: Sample[] = [];
    for (let i = 0; i < sweepRepeats; i++) samples.push(await once(client, prefix, measure));
    return medianOf(samples);
  };

  // Sweeps at the first size: publish's concurrency (checks the default), the ceiling's (picks its best).
  const n0 = sizes[0]!;
  const objects0 = n0 * perStudent;
  if (decompose) await decomposition(n0);
  log(`concurrency sweep, ${n0} students (${objects0} objects), median of ${sweepRepeats}:`);
  for (const c of sweep) {
    for (const k of studentSweep) {
      const s = await sweepMedian('bs', publishRun(n0, c, k));
      log(`  publish  ${String(c).padStart(3)} in flight${k ? `, ${k} students at once` : ''}: ${secs(s.ms)} s, ${(objects0 / (s.ms / 1000)).toFixed(0)} objects/s; ${cpuLine(s)} (load ${loadavg()[0]!.toFixed(2)})`);
    }
  }
  let best = { c: ceilingSweep[0]!, ms: Infinity };
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const c of ceilingSweep) {
    // Interleaved (create, ordered create, apply; again …) so that a busy spell of a shared
    // machine falls on all three; each ratio is the median of the per-round ratios.
    type Variant = [string, string, (className: string) => Promise<Sample>];
    const variants: Variant[] = [['raw create', 'bc', ceilingRun(n0, c)]];
    if (orderedSweep) variants.push(["raw create in publish's order", 'bo', orderedCreateRun(n0, c)]);
    if (ssaSweep) variants.push(['raw apply', 'ba', rawApplyRun(n0, c)]);
    const samples = variants.map((): Sample[] => []);
    for (let r = 0; r < sweepRepeats; r++) for (const [i, v] of variants.entries()) samples[i]!.push(await once(client, v[1], v[2]));
    const create = medianOf(samples[0]!);
    for (const [i, [name]] of variants.entries()) {
      const m = medianOf(samples[i]!);
      const ratio = i === 0 ? '' : `; ÷ raw create ${mid(samples[i]!.map((x, r) => x.ms / samples[0]![r]!.ms)).toFixed(2)}× (per round: ${samples[i]!.map((x, r) => (x.ms / samples[0]![r]!.ms).toFixed(2)).join(', ')})`;
      log(`  ${name} ${String(c).padStart(3)} in flight: ${secs(m.ms)} s, ${(objects0 / (m.ms / 1000)).toFixed(0)} objects/s; ${cpuLine(m)} (load ${loadavg()[0]!.toFixed(2)})${ratio}`);
    }
    if (create.ms < best.ms) best = { c, ms: create.ms };
  }
  log(`  (publish default in main/engine/publish.ts: ${DEFAULT_CONCURRENCY}; ceiling uses ${best.c} in flight)\n`);
  const pki = join(dirname(kubeconfig), 'pki');
  if (authSweep && existsSync(join(pki, 'client-admin.crt'))) {
    // The local cluster's kubeconfig carries a static token (main/cluster/certs.ts); the same
    // identity's certificate, in a kubeconfig of its own, is what it carried before.
    const certConfig = join(work, 'admin-cert.kubeconfig');
    const data = (f: string) => readFileSync(join(pki, f)).toString('base64');
    writeFileSync(certConfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: client.identity.server, 'certificate-authority-data': client.identity.caData } }],
      users: [{ name: 'u', user: { 'client-certificate-data': data('client-admin.crt'), 'client-key-data': data('client-admin.key') } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }));
    const certClient = connect({ kubeconfig: certConfig });
    const token: Sample[] = [];
    const cert: Sample[] = [];
    for (let r = 0; r < Math.max(2, sweepRepeats); r++) {
      const pair: [Sample[], string, Cluster][] = [[token, 'bt', client], [cert, 'bx', certClient]];
      for (const [into, prefix, as] of r % 2 ? pair.reverse() : pair) into.push(await once(client, prefix, publishRun(n0, DEFAULT_CONCURRENCY, undefined, as)));
    }
    certClient.close();
    const [t, c] = [medianOf(token), medianOf(cert)];
    log(`authentication, publish at ${DEFAULT_CONCURRENCY} in flight, median of ${token.length} interleaved:`);
    log(`  admin token (the kubeconfig's)        ${secs(t.ms)} s; ${cpuLine(t)}`);
    log(`  admin client certificate, same user   ${secs(c.ms)} s; ${cpuLine(c)}; ÷ token ${mid(cert.map((x, r) => x.ms / token[r]!.ms)).toFixed(2)}× (per round: ${cert.map((x, r) => (x.ms / token[r]!.ms).toFixed(2)).join(', ')})\n`);
  }

  const rows: string[] = [];
  const cpuRows: string[] = [];
  // BENCH_REPEATS=0: the decomposition and the sweeps only.
  for (const n of repeats > 0 ? sizes : []) {
    const objects = n * perStudent;
    const methods: [string, string, (className: string) => Promise<Sample>][] = [
      ['publish', 'bp', publishRun(n, DEFAULT_CONCURRENCY)],
      ['ceiling', 'br', ceilingRun(n, best.c)],
      ['one kubectl', 'bk', oneKubectlRun(n)],
      ['kubectl loop', 'bl', loopRun(n)],
    ];
    const samples = new Map<string, Sample[]>(methods.map(([m]) => [m, []]));
    for (let i = 0; i < repeats; i++) {
      const order = i % 2 === 0 ? methods : [...methods].reverse();
      log(`N=${n}, round ${i + 1}: ${order.map(([m]) => m).join(' → ')} (load average ${loadavg()[0]!.toFixed(2)})`);
      for (const [m, prefix, fn] of order) {
        const s = await once(client, prefix, fn);
        samples.get(m)!.push(s);
        log(`  ${m.padEnd(12)} ${secs(s.ms)} s; ${cpuLine(s)}`);
      }
    }
    const med = Object.fromEntries([...samples].map(([m, ss]) => [m, medianOf(ss)])) as Record<string, Sample>;
    const [p, c, k, l] = [med['publish']!, med['ceiling']!, med['one kubectl']!, med['kubectl loop']!];
    const rate = (s: Sample) => `${secs(s.ms)} s (${(objects / (s.ms / 1000)).toFixed(0)}/s)`;
    rows.push(`| ${n} | ${objects} | ${rate(p)} | ${rate(c)} | ${rate(k)} | ${rate(l)} | ${(l.ms / p.ms).toFixed(1)}× | ${(k.ms / p.ms).toFixed(2)}× | ${(p.ms / c.ms).toFixed(2)}× |`);
    for (const [m, s] of Object.entries(med)) cpuRows.push(`| ${n} | ${m} | ${pct(s.cpu['kube-apiserver'])} | ${pct(s.cpu.etcd)} | ${pct(s.cpu['kube-controller-manager'])} | ${pct(s.cpu['kube-scheduler'])} | ${pct(s.cpu.kwok)} | ${pct(s.cpu.client)} | ${pct(s.machine)} |`);
    log(`N=${n} medians: publish ${secs(p.ms)} s, ceiling ${secs(c.ms)} s, one kubectl ${secs(k.ms)} s, loop ${secs(l.ms)} s\n`);
  }

  log(`| students | objects | labforge publish | raw create (ceiling, ${best.c} in flight) | one kubectl apply -R | kubectl apply loop | loop ÷ publish (goal ≥ 10) | one kubectl ÷ publish (goal ≥ 2) | publish ÷ ceiling (goal ≤ 1.2) |`);
  log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) log(r);
  log('\nCPU during the run (median share of one core; machine = all cores, every process):\n');
  log('| students | method | kube-apiserver | etcd | controller-manager | scheduler | kwok | client | machine busy |');
  log('|---|---|---|---|---|---|---|---|---|');
  for (const r of cpuRows) log(r);
  // The progress lines as printed, then the two tables as Markdown.
  const tableAt = bench.lines.findIndex((l) => l.startsWith('| students |'));
  // Every setting that changes what ran, so the header is a command that repeats the run.
  const env = ['BENCH_LAB', 'BENCH_SIZES', 'BENCH_REPEATS', 'BENCH_SWEEP_REPEATS', 'BENCH_CONCURRENCY', 'BENCH_CEILING_CONCURRENCY', 'BENCH_STUDENTS_IN_FLIGHT', 'BENCH_DECOMPOSE', 'BENCH_SSA', 'BENCH_ORDERED', 'BENCH_AUTH', 'BENCH_KUBECONFIG'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  writeBenchBlock(
    '## Publish',
    'bench:publish',
    `${runHeader([...env, 'npm run bench:publish'].join(' '))}\n\n\`\`\`\n${bench.lines.slice(0, tableAt).join('\n').trim()}\n\`\`\`\n\n${bench.lines.slice(tableAt).join('\n')}`,
  );
  rmSync(work, { recursive: true, force: true });
  client.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
