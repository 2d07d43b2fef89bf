/**
 * How long the `labforge` command takes as a whole process, the way a script or a pipeline
 * calls it: `node bin/labforge.mjs …` (the installed command), timed from spawn to exit.
 *
 * Commands: `--help`, `validate resources/examples/web-db.yaml`, `compile … --students 30`
 * (its YAML written to /dev/null). Baselines from the same run, interleaved with them so
 * they share the machine's load: `node -e 0` (Node's own start, the floor of any Node CLI)
 * and `kubectl version --client` (the binary from the local cluster's cache, or PATH).
 *
 * Each command runs RUNS times (default 15, env BENCH_CLI_RUNS) after one warm-up; medians
 * and 90th percentiles are printed, the figures go to docs/benchmarks.md (section "CLI start",
 * block bench:cli),
 * and the last line is `cli: help A ms, validate B ms, compile C ms, kubectl D ms`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchBlock } from './bench-report';
import { kubectlPath } from './kubectl-path';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const GOALS = { help: 150, validate: 250, compile: 400 } as const;


const devNull = openSync('/dev/null', 'w');
// GNU time reports the child's CPU time (user + system), which the machine's load barely moves.
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = join(mkdtempSync(join(tmpdir(), 'bench-cli-')), 'cpu');

/** One whole process, spawn to exit: wall ms, and CPU ms (user + system) when GNU time is there. */
function timeOnce(cmd: string, args: string[]): { wall: number; cpu: number } {
  const [file, argv] = TIME ? [TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { cwd: ROOT, stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu = TIME ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b) * 1000, 0) : NaN;
  return { wall, cpu };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const bin = join(ROOT, 'bin/labforge.mjs');
const example = 'resources/examples/web-db.yaml';
// The bundle is current before timing starts (bin/labforge.mjs would rebuild it on the first run).
execFileSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });

const kubectl = await kubectlPath();
const cases: { key: string; label: string; cmd: string; args: string[] }[] = [
  { key: 'node', label: '`node -e 0` (Node start, baseline)', cmd: process.execPath, args: ['-e', '0'] },
  { key: 'help', label: '`labforge --help`', cmd: process.execPath, args: [bin, '--help'] },
  { key: 'validate', label: `\`labforge validate ${example}\``, cmd: process.execPath, args: [bin, 'validate', example] },
  { key: 'compile', label: `\`labforge compile ${example} --students 30\``, cmd: process.execPath, args: [bin, 'compile', example, '--students', '30'] },
  // The same validate from the ES-module bundle alone, which cluster commands run: what the
  // offline build and its code cache save, measured in the same run.
  { key: 'help-esm', label: '`node out/main/cli.js --help` (ES-module bundle, no code cache; comparison)', cmd: process.execPath, args: [join(ROOT, 'out/main/cli.js'), '--help'] },
  { key: 'validate-esm', label: `\`node out/main/cli.js validate ${example}\` (ES-module bundle, no code cache; comparison)`, cmd: process.execPath, args: [join(ROOT, 'out/main/cli.js'), 'validate', example] },
  ...(kubectl ? [{ key: 'kubectl', label: '`kubectl version --client` (baseline)', cmd: kubectl, args: ['version', '--client'] }] : []),
];

const times = new Map<string, number[]>(cases.map((c) => [c.key, []]));
const cpu = new Map<string, number[]>(cases.map((c) => [c.key, []]));
for (const c of cases) timeOnce(c.cmd, c.args); // warm-up: page cache, first-build effects
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    const t = timeOnce(c.cmd, c.args);
    times.get(c.key)!.push(t.wall);
    cpu.get(c.key)!.push(t.cpu);
  }
}

const med = (k: string) => (times.has(k) ? median(times.get(k)!) : NaN);
const fmt = (ms: number) => (Number.isNaN(ms) ? 'n/a' : ms.toFixed(0));
const node = med('node');
const kube = med('kubectl');
const rows = cases.map((c) => {
  const m = med(c.key);
  const goal = (GOALS as Record<string, number>)[c.key];
  return `| ${c.label} | ${fmt(m)} | ${fmt(quantile(times.get(c.key)!, 0.9))} | ${fmt(median(cpu.get(c.key)!))} | ${(m / node).toFixed(2)}× | ${kubectl ? `${(m / kube).toFixed(1)}×` : 'n/a'} | ${goal ? `≤ ${goal} ms: ${m <= goal ? 'met' : 'NOT met'}` : ''} |`;
});

const load = loadavg().map((l) => l.toFixed(2)).join(', ');
const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
// Only the figures are generated; the prose around them in docs/benchmarks.md is written by
// hand, and other blocks in the section (bench:cli-cluster) are left as they are.
writeBenchBlock('## CLI start', 'bench:cli', `Measured ${when} UTC on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${RUNS} runs of each command, load average ${load}
(${loadavg()[0]! > 1.5 ? 'other work was running on the machine' : 'nothing else running'}), Node ${process.version}.

| command | median ms | p90 ms | CPU ms (median, user+sys) | × node start | × kubectl | goal (median) |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`);

console.log(rows.join('\n'));
console.log(`cli: help ${fmt(med('help'))} ms, validate ${fmt(med('validate'))} ms, compile ${fmt(med('compile'))} ms, kubectl ${fmt(kube)} ms`);
