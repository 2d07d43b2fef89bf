/**
 * `npm run bench:republish`: the first publish of a class against publishing the same release
 * to it again unchanged (what every converging re-run and every resume does), through the CLI
 * as an instructor runs it (`node bin/labforge.mjs publish <lab>@v1 --class C --students N`),
 * both in the same run on the same class, so a load change of a shared machine hits both.
 * First, on a class of its own, the re-publish right after a first publish runs in this process
 * through a tracing Cluster, which says where it spends its requests (lists, adoption patches,
 * applies, deletes).
 *
 * It never starts a cluster: it uses KUBECONFIG (or BENCH_KUBECONFIG), e.g. the shared local
 * control plane's. Each round uses a fresh class, torn down (and waited for) afterwards.
 *
 * Options (env): BENCH_LAB=web-db (an example in resources/examples)  BENCH_STUDENTS=40
 *                BENCH_REPEATS=3
 * Writes its lines to docs/benchmarks.md (## Re-publish, block bench:republish).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseLab } from '../common/lab';
import { numberedStudents } from '../main/class/roster';
import { deploy } from '../main/engine/deploy';
import { classNamespaces, publish, waitNamespacesGone } from '../main/engine/publish';
import { deleteClassSettings } from '../main/engine/reconcile-settings';
import { getRelease, snapshot, type Release } from '../main/engine/releases';
import type { Cluster } from '../main/kube/cluster';
import { connect } from '../main/kube/http-cluster';
import { NAMESPACE } from '../main/kube/kinds';
import { mapLimit, withRetry } from '../main/kube/retry';
import { inFlight, traced } from './bench-publish-trace';
import { benchLog, runHeader, writeBenchBlock } from './bench-report';

const root = join(import.meta.dirname, '..');
const labName = process.env['BENCH_LAB'] ?? 'web-db';
const sizes = (process.env['BENCH_STUDENTS'] ?? '40').split(',').map(Number);
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const kubeconfig = process.env['BENCH_KUBECONFIG'] ?? process.env['KUBECONFIG'];
if (!kubeconfig) throw new Error('set KUBECONFIG (or BENCH_KUBECONFIG): this benchmark never starts a cluster');
const run = randomBytes(2).toString('hex');
const bench = benchLog();
const log = (line: string) => bench.log(line);
const secs = (ms: number) => (ms / 1000).toFixed(2);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};

const client = connect({ kubeconfig });

/** The example under a bench-only name, released the normal way (deploy, then snapshot v1), once. */
async function benchRelease(): Promise<Release> {
  const parsed = parseLab(readFileSync(join(root, `resources/examples/${labName}.yaml`), 'utf8'));
  if (!parsed.ok) throw new Error(`${labName}.yaml is invalid`);
  const lab = parsed.lab;
  lab.metadata.name = `bench-rp-${labName}`.slice(0, 40);
  try {
    return await getRelease(client, lab.metadata.name, 'v1');
  } catch {
    await deploy(client, lab, { timeoutMs: 180_000 });
    return snapshot(client, 'v1', { fileLab: lab });
  }
}

/** One CLI publish, wall-clock ms (process start included, as the instructor waits for it). */
function cliPublish(release: Release, className: string, n: number): number {
  const t = performance.now();
  execFileSync(process.execPath, [join(root, 'bin/labforge.mjs'), 'publish', `${release.lab.metadata.name}@${release.tag}`, '--class', className, '--students', String(n), '--force', '--progress', 'lines'], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  return performance.now() - t;
}

async function cleanup(className: string): Promise<void> {
  // A loaded, shared control plane drops a connection now and then; the cleanup retries.
  const names = (await withRetry(() => classNamespaces(client, className), { attempts: 8 })).map((n) => n.metadata!.name!);
  await mapLimit(names, 16, (name) => client.delete(NAMESPACE, name).catch(() => undefined));
  await withRetry(() => waitNamespacesGone(client, names, 600_000), { attempts: 8 });
  await withRetry(() => deleteClassSettings(client, className), { attempts: 8 });
  // Let the garbage collector and kwok finish with the deleted pods before the next round.
  await new Promise((r) => setTimeout(r, 3000));
}

/** One unchanged re-publish through a tracing Cluster: requests by verb, and their share of the request time. */
async function decomposition(release: Release, className: string, n: number): Promise<void> {
  const trace = traced(client as Cluster);
  const t = performance.now();
  const result = await publish(trace.cluster, { className, students: numberedStudents(n), release, force: true });
  const ms = performance.now() - t;
  const failed = result.results.filter((r) => r.status === 'failed').length;
  const all = trace.calls.filter((c) => !c.dryRun);
  // The dry runs (the preflight's, and those that read the server's defaults) are counted apart.
  const dryRuns = trace.calls.length - all.length;
  const busy = all.reduce((a, c) => a + (c.end - c.start), 0);
  const byVerb = new Map<string, number[]>();
  for (const c of all) byVerb.set(c.verb, [...(byVerb.get(c.verb) ?? []), c.end - c.start]);
  const window = inFlight(all, 0, trace.now());
  log(`  then an unchanged re-publish in-process (traced): ${secs(ms)} s, ${failed} failed; ${all.length} requests (and ${dryRuns} dry runs), ${window.mean.toFixed(1)} in flight on average`);
  for (const [verb, lat] of [...byVerb].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) {
    const sum = lat.reduce((x, y) => x + y, 0);
    log(`    ${verb.padEnd(8)} ${String(lat.length).padStart(5)} requests, median ${median(lat).toFixed(0)} ms, ${((sum / busy) * 100).toFixed(0)}% of the request time`);
  }
}

async function main(): Promise<void> {
  const release = await benchRelease();
  log(`lab ${labName} as ${release.lab.metadata.name}@${release.tag}; cluster ${client.identity.server}; node ${process.version}, ${cpus().length} cores, load average ${load()}`);
  const rows: string[] = [];
  for (const n of sizes) {
    // Where a re-publish right after the first one goes, on a class of its own: the CLI's
    // first publish, then the same release again in this process through the trace.
    const traceClass = `brp${run}-${n}-t`;
    try {
      log(`${n} students, traced: first publish (CLI) ${secs(cliPublish(release, traceClass, n))} s`);
      await decomposition(release, traceClass, n);
    } finally {
      await cleanup(traceClass);
    }
    const first: number[] = [];
    const again: number[] = [];
    const steady: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const className = `brp${run}-${n}-${r}`;
      try {
        const f = cliPublish(release, className, n);
        const a = cliPublish(release, className, n);
        // Once more: the created fields the first re-publish adopted are its own now.
        const t = cliPublish(release, className, n);
        first.push(f);
        again.push(a);
        steady.push(t);
        log(`${n} students, round ${r + 1}: first publish ${secs(f)} s, unchanged re-publish ${secs(a)} s (ratio ${(a / f).toFixed(2)}), and again ${secs(t)} s (ratio ${(t / f).toFixed(2)}) (load average ${load()})`);
      } finally {
        await cleanup(className);
      }
    }
    const ratios = first.map((f, i) => again[i]! / f);
    const steadyRatios = first.map((f, i) => steady[i]! / f);
    const per = (xs: number[]) => `${median(xs).toFixed(2)} (per round: ${xs.map((x) => x.toFixed(2)).join(', ')})`;
    rows.push(`| ${n} | ${secs(median(first))} s | ${secs(median(again))} s | ${per(ratios)} | ${secs(median(steady))} s | ${per(steadyRatios)} |`);
  }
  log('');
  log('| students | first publish (CLI, median) | unchanged re-publish (CLI, median) | re-publish ÷ first (median; goal ≤ 1) | a third publish, unchanged (CLI, median) | third ÷ first |');
  log('|---|---|---|---|---|---|');
  for (const r of rows) log(r);
  const env = ['BENCH_LAB', 'BENCH_STUDENTS', 'BENCH_REPEATS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
  const tableAt = bench.lines.findIndex((l) => l.startsWith('| students |'));
  writeBenchBlock(
    '## Re-publish',
    'bench:republish',
    `${runHeader([...env, 'npm run bench:republish'].join(' '))}\n\n\`\`\`\n${bench.lines.slice(0, tableAt).join('\n').trim()}\n\`\`\`\n\n${bench.lines.slice(tableAt).join('\n')}`,
  );
  client.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
