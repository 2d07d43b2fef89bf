/**
 * Start-up of the CLI's cluster commands, as whole processes against the local control plane:
 * `labforge status --class <class>`, `labforge releases` and `labforge cluster status`, each
 * beside `kubectl get ns` from the same run (kubectl from main/cluster/go/build.sh's bin folder).
 * Medians of BENCH_CLI_RUNS (default 10) wall-clock and CPU (user+system, GNU time) times; the
 * figures are ratios against kubectl so a loaded machine moves both sides. Writes its lines to
 * docs/benchmarks.md (## CLI start, block bench:cli-cluster).
 *
 *   npm run bench:cli-cluster      (BENCH_CLASS picks the class; default: one with no students)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLog, writeBenchOutput } from './bench-report';
import { kubectlPath } from './kubectl-path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env['BENCH_CLI_RUNS'] ?? 10);
const CLASS = process.env['BENCH_CLASS'] ?? 'bench-cli-start';
const KUBECONFIG = process.env['KUBECONFIG'] ?? join(ROOT, '.labforge/cluster/kubeconfig');


const cpuFile = join(mkdtempSync(join(tmpdir(), 'bench-cli-cluster-')), 'cpu');

/** One run: wall ms and CPU ms (user + system of the child). Fails loudly if the command fails. */
function once(cmd: string, args: string[]): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args], { env: { ...process.env, KUBECONFIG }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const [u, s] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { wall, cpu: ((u ?? 0) + (s ?? 0)) * 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const kubectl = (await kubectlPath()) ?? (() => {
  throw new Error('no kubectl: run npm run cluster:build');
})();
const bin = join(ROOT, 'bin/labforge.mjs');
const cases: [string, string, string[]][] = [
  ['kubectl get ns', kubectl, ['get', 'ns']],
  [`status --class ${CLASS}`, process.execPath, [bin, 'status', '--class', CLASS]],
  ['releases', process.execPath, [bin, 'releases']],
  ['cluster status', process.execPath, [bin, 'cluster', 'status']],
];

// One warm-up each (bundle rebuild if stale, page cache), then interleaved runs so load drifts hit every case alike.
for (const [, cmd, args] of cases) once(cmd, args);
const results = new Map<string, { wall: number[]; cpu: number[] }>(cases.map(([name]) => [name, { wall: [], cpu: [] }]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, cmd, args] of cases) {
    const r = once(cmd, args);
    results.get(name)!.wall.push(r.wall);
    results.get(name)!.cpu.push(r.cpu);
  }
}

const { log, lines } = benchLog();
const base = results.get('kubectl get ns')!;
const kWall = median(base.wall);
const kCpu = median(base.cpu);
log(`medians of ${RUNS} runs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
log(`${'command'.padEnd(34)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'wall/kubectl'.padStart(13)} ${'cpu/kubectl'.padStart(12)}`);
const summary: string[] = [];
for (const [name] of cases) {
  const r = results.get(name)!;
  const wall = median(r.wall);
  const cpu = median(r.cpu);
  log(`${name.padEnd(34)} ${wall.toFixed(0).padStart(8)} ${cpu.toFixed(0).padStart(8)} ${(wall / kWall).toFixed(2).padStart(12)}× ${(cpu / kCpu).toFixed(2).padStart(11)}×`);
  summary.push(`${name.split(' ')[0]} ${wall.toFixed(0)} ms`);
}
log(`cli-cluster: ${summary.slice(1).join(', ')}, kubectl ${kWall.toFixed(0)} ms`);
writeBenchOutput('## CLI start', 'bench:cli-cluster', 'npm run bench:cli-cluster', lines);
