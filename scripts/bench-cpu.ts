/**
 * The CPU the local control plane's components, this process and the whole machine use while a
 * benchmark step runs, read from /proc (Linux): for scripts/bench-publish.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from '../main/cluster/paths';

const COMPONENTS = ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
type Component = (typeof COMPONENTS)[number];
/** Linux's USER_HZ: utime and stime in /proc/<pid>/stat count these. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * The control plane's pids, read once it is up: from the state directory of the kubeconfig in
 * use (a local cluster keeps its kubeconfig at the top of its state directory). A pid whose
 * process is not the component (a stale pid file) is not reported.
 */
function componentPids(stateDir: string): Partial<Record<Component, number>> {
  const run = layout(stateDir).run;
  const out: Partial<Record<Component, number>> = {};
  for (const c of COMPONENTS) {
    try {
      const pid = Number(readFileSync(join(run, `${c}.pid`), 'utf8').trim());
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(c)) out[c] = pid;
    } catch {
      // not running under this state directory (BENCH_KUBECONFIG elsewhere): not reported
    }
  }
  return out;
}

/** CPU seconds (user + system) a process has used; fields 14 and 15 after the `(comm)`. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies of the whole machine (/proc/stat, first line). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** This process and the children it waited for (kubectl, the compile CLI), in CPU seconds. */
function clientCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

export interface Sample {
  ms: number;
  /** Share of one core each component used during the run. */
  cpu: Record<Component | 'client', number>;
  /** Share of the whole machine that was busy (all processes, ours and others'). */
  machine: number;
}

let pids: Partial<Record<Component, number>> = {};

/** Follows the control plane of the state directory from now on; returns its pids, for the log. */
export function watchComponents(stateDir: string): string {
  pids = componentPids(stateDir);
  return COMPONENTS.map((c) => `${c} ${pids[c] ?? '?'}`).join(', ');
}

/** Runs `fn`, timing it and the CPU each component, this process and the machine used meanwhile. */
export async function measured(fn: () => Promise<unknown>): Promise<Sample> {
  const before = Object.fromEntries(COMPONENTS.map((c) => [c, pids[c] ? cpuSeconds(pids[c]) : NaN]));
  const m0 = machineTicks();
  const c0 = clientCpu();
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  const m1 = machineTicks();
  const secs = ms / 1000;
  const cpu = Object.fromEntries(COMPONENTS.map((c) => [c, pids[c] ? (cpuSeconds(pids[c]) - before[c]!) / secs : NaN])) as Record<Component, number>;
  return { ms, cpu: { ...cpu, client: (clientCpu() - c0) / secs }, machine: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total) };
}

export function medianOf(samples: Sample[]): Sample {
  // The middle value, or the mean of the middle two for an even count.
  const mid = <T>(xs: T[], by: (x: T) => number) => {
    const s = xs.map(by).sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  };
  const cpu = Object.fromEntries([...COMPONENTS, 'client'].map((c) => [c, mid(samples, (s) => s.cpu[c as Component])])) as Sample['cpu'];
  return { ms: mid(samples, (s) => s.ms), cpu, machine: mid(samples, (s) => s.machine) };
}

export const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : 'n/a');
export const cpuLine = (s: Sample) => `apiserver ${pct(s.cpu['kube-apiserver'])}, etcd ${pct(s.cpu.etcd)}, controller-manager ${pct(s.cpu['kube-controller-manager'])}, scheduler ${pct(s.cpu['kube-scheduler'])}, kwok ${pct(s.cpu.kwok)}, client ${pct(s.cpu.client)} of a core; machine ${pct(s.machine)} busy`;
