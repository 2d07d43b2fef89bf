// Spawning, identifying and stopping the cluster's own processes. Components run detached (they
// outlive the CLI call that started them); each has a pid file and a log file in the state
// directory. A pid is only ever signalled after /proc proves it is still the process we started:
// same executable argv[0], the state directory in its command line, and the same start time.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcessRecord {
  pid: number;
  /** argv[0] as spawned (absolute path). */
  command: string;
  args: string[];
  /** /proc/<pid>/stat start time in clock ticks since boot; guards against pid reuse. */
  startTicks: number;
  startedAt: string;
  logFile: string;
}

/** Environment for every child: ours, plus loopback excluded from any proxy. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const merge = (v: string | undefined) =>
    [...new Set([...(v ?? '').split(',').map((s) => s.trim()).filter(Boolean), '127.0.0.1', 'localhost', '::1'])].join(',');
  return { ...process.env, NO_PROXY: merge(process.env.NO_PROXY), no_proxy: merge(process.env.no_proxy), ...extra };
}

export interface Spawned {
  record: ProcessRecord;
  /** Resolves with the exit code/signal if the process ends while this CLI call is still running. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnDetached(command: string, args: string[], logFile: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Spawned {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? childEnv(),
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: -1, signal: null }));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`failed to start ${command}`);
    const record: ProcessRecord = {
      pid: child.pid,
      command,
      args,
      startTicks: startTicks(child.pid) ?? 0,
      startedAt: new Date().toISOString(),
      logFile,
    };
    return { record, exited };
  } finally {
    closeSync(fd);
  }
}

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces; everything after the last ')' is space separated from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 overall
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1);
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** True when `pid` is alive and still the very process described by `record`. */
export function isOurs(record: Pick<ProcessRecord, 'pid' | 'command' | 'args' | 'startTicks'>): boolean {
  const argv = cmdline(record.pid);
  if (!argv || argv.length === 0 || isZombie(record.pid)) return false;
  if (argv[0] !== record.command) return false;
  if (argv.length !== record.args.length + 1 || argv.slice(1).some((a, i) => a !== record.args[i])) return false;
  if (record.startTicks !== 0 && startTicks(record.pid) !== record.startTicks) return false;
  return true;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; only if the pid is still ours. Returns whether it was running. */
export async function stopProcess(record: ProcessRecord, graceMs = 10_000): Promise<boolean> {
  if (!isOurs(record)) return false;
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurs(record)) return true;
    await sleep(100);
  }
  if (isOurs(record)) {
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isOurs(record)) await sleep(50);
  }
  return true;
}

export async function tailFile(file: string, lines = 15): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
