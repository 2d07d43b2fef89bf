// Runs the real `labforge compile` process on lab mutants and judges each run: exit 0 or 1 and
// never a crash, every error line positioned and free of control characters, under a time and
// a memory budget. What the accepted mutants compile to is returned for the server-side dry-run.
//
// Time is judged as the CPU time the process used (user + system, from getrusage), which is what
// the input costs; wall time on a shared machine mostly measures the other processes. A process
// that is still running after HANG_MS of wall time (blocked, not busy) is killed and fails.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../common/compile';
import type { Mutant } from './lab-fuzz';

const ROOT = join(import.meta.dirname, '../..');
const USAGE_PRELOAD = pathToFileURL(join(import.meta.dirname, 'usage-report.mjs')).href;

export const BUDGET = { ms: 10_000, rssKb: 512 * 1024 };
const HANG_MS = 60_000;

export interface MutantRun {
  mutant: Mutant;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time. */
  ms: number;
  /** CPU time and peak resident set size; undefined when the process did not exit normally. */
  cpuMs?: number;
  maxRssKb?: number;
  stderr: string;
  /** What compile printed, when it accepted the mutant. */
  objects: KubeObject[];
  /** Why this run breaks a rule; empty when it is fine. */
  problems: string[];
}

function runOne(mutant: Mutant, dir: string, namespace: string): Promise<MutantRun> {
  const file = `m${String(mutant.id).padStart(5, '0')}.yaml`;
  writeFileSync(join(dir, file), mutant.text);
  const usageFile = join(dir, `${file}.usage`);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', USAGE_PRELOAD, join(ROOT, 'bin/labforge.mjs'), 'compile', file, '--namespace', namespace], {
    cwd: dir,
    env: { ...process.env, LABFORGE_USAGE_FILE: usageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => {
    errBytes += b.length;
    if (errBytes < 4 * 2 ** 20) err.push(b);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const stderr = Buffer.concat(err).toString('utf8');
      let usage: { cpuMs: number; maxRssKb: number } | undefined;
      try {
        usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssKb: number };
      } catch {
        usage = undefined;
      }
      const problems = judge(file, code, signal, usage, stderr, errBytes);
      let objects: KubeObject[] = [];
      if (code === 0) {
        try {
          objects = parseAllDocuments(Buffer.concat(out).toString('utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o);
          if (objects.length === 0) problems.push('exit 0 but no objects printed');
        } catch (e) {
          problems.push(`exit 0 but the output is not YAML: ${(e as Error).message}`);
        }
      }
      resolve({ mutant, code, signal, ms, ...usage, stderr, objects, problems });
    });
  });
}

function judge(
  file: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  usage: { cpuMs: number; maxRssKb: number } | undefined,
  stderr: string,
  errBytes: number,
): string[] {
  const problems: string[] = [];
  if (signal) problems.push(`killed by ${signal}${signal === 'SIGKILL' ? ` (still running after ${HANG_MS / 1000} s)` : ''}`);
  if (code !== 0 && code !== 1) problems.push(`exit code ${code}`);
  if (usage === undefined) problems.push('no usage reported (the process did not exit normally)');
  else {
    if (usage.cpuMs > BUDGET.ms) problems.push(`used ${usage.cpuMs} ms of CPU`);
    if (usage.maxRssKb > BUDGET.rssKb) problems.push(`peak RSS ${Math.round(usage.maxRssKb / 1024)} MB`);
  }
  if (/\n\s+at .*:\d+:\d+\)?\n/.test(stderr)) problems.push('a stack trace on stderr');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(stderr)) problems.push('a control character on stderr');
  if (errBytes > 64 * 1024) problems.push(`${errBytes} bytes of errors`);
  if (code === 1) {
    const lines = stderr.split('\n').filter((l) => l !== '');
    const summary = lines.pop();
    if (!summary || !/^\d+ errors?$/.test(summary)) problems.push(`no error count at the end: ${JSON.stringify(summary)}`);
    if (lines.length === 0) problems.push('exit 1 without an error');
    const positioned = new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+: `);
    const unpositioned = lines.filter((l) => !positioned.test(l));
    if (unpositioned.length) problems.push(`unpositioned errors: ${JSON.stringify(unpositioned.slice(0, 3))}`);
  }
  return problems;
}

/** Runs every mutant through the CLI, `concurrency` processes at a time. */
export async function runMutants(mutants: Mutant[], namespace: string, concurrency = 2): Promise<MutantRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'labforge-fuzz-'));
  const runs: MutantRun[] = new Array(mutants.length);
  let next = 0;
  const worker = async () => {
    while (next < mutants.length) {
      const i = next++;
      runs[i] = await runOne(mutants[i]!, dir, namespace);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/** One line per broken rule, naming the mutant so it can be regenerated. */
export function describeProblems(runs: MutantRun[]): string[] {
  return runs.filter((r) => r.problems.length).map((r) => `mutant ${r.mutant.id} (${r.mutant.how}): ${r.problems.join('; ')}`);
}
