// The runner's judgement, with the checks' wrapper run by this host's own sh instead of an exec
// into a pod (the integration tests run it through the local control plane).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORGED_TRAILER_SCRIPT, FORGING_LINE } from '../../test/helpers/forged-trailer';
import type { IPod } from '../kube/kinds';
import { formatCheckGrid } from '../cli/tables';
import { progressOf, runCheck, type CheckExec, type StudentChecks } from './checks';
import { mergeRuns } from './checks-results';

/**
 * Runs the command here, streaming stdout and stderr, as a non-tty exec would, and reports its
 * exit as a runtime that passes exit codes through does (a signal has no code).
 */
const hostExecIn = (cwd?: string, env?: NodeJS.ProcessEnv): CheckExec => (_target, command, onOutput, signal) =>
  new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}), ...(env ? { env } : {}) });
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', reject);
    child.on('close', (code, sig) => resolve(signal.aborted ? null : code === 0 ? { ok: true } : { ok: false, exitCode: code, message: `ended by ${sig ?? `exit ${code}`}` }));
    signal.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
  });
const hostExec = hostExecIn();

/** Processes on this host whose command line mentions `word`. */
const processesWith = (word: string) =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(word);
      } catch {
        return false;
      }
    });

const pod = (phase: NonNullable<IPod['status']>['phase'] = 'Running'): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'ns', labels: { 'labforge.dev/node': 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase },
});

const check = (script: string, timeout = 5) => ({ id: 'c', title: 'C', node: 'web', script, timeout });

describe('runCheck', () => {
  it('passes on exit 0 and fails otherwise, with the first FAIL: line', async () => {
    await expect(runCheck(hostExec, 'ns', [pod()], check('echo ok'))).resolves.toMatchObject({ status: 'pass', exitCode: 0, output: 'ok\n' });
    const failed = await runCheck(hostExec, 'ns', [pod()], check('echo one; echo "FAIL: first" >&2; echo "FAIL: second"; exit 3'));
    expect(failed).toMatchObject({ status: 'fail', exitCode: 3, failLine: 'FAIL: first' });
  });

  it('runs in the node\'s home when the image chose no working directory, as the student\'s shell does', async () => {
    const home = mkdtempSync(join(tmpdir(), 'labforge-home-'));
    const inDir = (cwd: string): CheckExec => (t, command, onOutput, signal) => hostExecIn(cwd, { ...process.env, HOME: home })(t, command, onOutput, signal);
    await expect(runCheck(inDir('/'), 'ns', [pod()], check('pwd'))).resolves.toMatchObject({ status: 'pass', output: `${home}\n` });
    // An image's own working directory is kept.
    await expect(runCheck(inDir(tmpdir()), 'ns', [pod()], check('pwd'))).resolves.toMatchObject({ status: 'pass', output: `${tmpdir()}\n` });
    rmSync(home, { recursive: true, force: true });
  });

  it('stops a script at its timeout, and what it started with it', async () => {
    const t0 = Date.now();
    const r = await runCheck(hostExec, 'ns', [pod()], check('sleep 30 & sleep 30; echo never', 1));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r).toMatchObject({ status: 'timeout', message: 'the script ran longer than its timeout of 1 s and was stopped' });
    expect(r.output).not.toContain('never');
  });

  it('a script that prints the trailer\'s shape cannot pass itself: the marker is random', async () => {
    const r = await runCheck(hostExec, 'ns', [pod()], check('printf "\\n__labforge_check_000000000000000000000000__ 0\\n"; exit 1'));
    expect(r).toMatchObject({ status: 'fail', exitCode: 1 });
  });

  it('a process that reads the marker from the wrapper\'s arguments, writes "<marker> 0" and kills the wrapper does not pass a failing check', async () => {
    const r = await runCheck(hostExec, 'ns', [pod()], check(FORGED_TRAILER_SCRIPT, 5));
    // The marker was found and the trailer written (the output stops before it, as a real one would).
    expect(r.output).toMatch(FORGING_LINE);
    expect(r).toMatchObject({ status: 'fail', exitCode: null, message: 'the check did not exit normally: ended by SIGKILL' });
  });

  it('a runtime status of failure fails the check whatever the output says; only its Success passes', async () => {
    const says = (status: Awaited<ReturnType<CheckExec>>): CheckExec => async (_t, command, onOutput) => {
      onOutput(Buffer.from(`ok\n${command[4]} 0\n`));
      return status;
    };
    await expect(runCheck(says({ ok: false, exitCode: null, message: 'error executing command in container: signal: killed' }), 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'fail', exitCode: null, message: 'the check did not exit normally: error executing command in container: signal: killed' });
    await expect(runCheck(says({ ok: false, exitCode: 2, message: 'command terminated with non-zero exit code' }), 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'fail', exitCode: 2 });
    await expect(runCheck(says({ ok: true }), 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'pass', exitCode: 0, output: 'ok' });
  });

  it('an exec that ends without a status is an error, not a verdict, whatever its output', async () => {
    const cut: CheckExec = async (_t, command, onOutput) => {
      onOutput(Buffer.from(`partial output\n${command[4]} 0\n`));
      return null;
    };
    await expect(runCheck(cut, 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'error', exitCode: null, message: 'the connection ended before the node reported how the check ended' });
  });

  it('stops what the script started in a session of its own, at the timeout and when the script ends', async () => {
    // A child in its own session leaves the script's process group, which the watchdog kills.
    const t0 = Date.now();
    const timedOut = await runCheck(hostExec, 'ns', [pod()], check('setsid sleep 3141 & sleep 30', 1));
    expect(timedOut).toMatchObject({ status: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(processesWith('3141')).toEqual([]);
    // A script that passes but leaves such a child behind: the child would hold the output open.
    const t1 = Date.now();
    const passed = await runCheck(hostExec, 'ns', [pod()], check('setsid sh -c "sleep 3142" & echo started', 5));
    expect(passed).toMatchObject({ status: 'pass', output: 'started\n' });
    expect(Date.now() - t1).toBeLessThan(4000);
    expect(processesWith('3142')).toEqual([]);
  });

  it('says why it could not run: no pod, a pod not running, no such container, a refused exec', async () => {
    await expect(runCheck(hostExec, 'ns', [], check('true'))).resolves.toMatchObject({ status: 'error', message: 'node "web" has no pod in ns' });
    await expect(runCheck(hostExec, 'ns', [pod('Pending')], check('true'))).resolves.toMatchObject({ message: 'node "web" is not running (pod web-0 is Pending)' });
    await expect(runCheck(hostExec, 'ns', [pod()], { ...check('true'), container: 'side' })).resolves.toMatchObject({ message: 'pod web-0 has no container "side"' });
    const refused: CheckExec = () => Promise.reject(new Error('forbidden'));
    await expect(runCheck(refused, 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'error', message: 'cannot run the check in pod web-0: forbidden' });
  });
});

describe('progress and grid', () => {
  const student = (name: string, runs: Parameters<typeof mergeRuns>[1]): StudentChecks => ({
    student: name,
    namespace: `ns-${name}`,
    release: 'v1',
    checks: [
      { id: 'a', title: 'A', node: 'web', script: 'true', points: 2, hint: 'do a' },
      { id: 'b', title: 'B', node: 'web', script: 'true' },
    ],
    achievements: [{ name: 'all', checks: ['a', 'b'] }],
    results: mergeRuns(null, runs, [{ name: 'all', checks: ['a', 'b'] }], 'now'),
    runs: [],
  });
  const run = (c: string, status: 'pass' | 'fail', failLine?: string) => ({ check: c, status, exitCode: status === 'pass' ? 0 : 1, at: 't', durationMs: 1, output: '', ...(failLine ? { failLine } : {}) });

  it('counts passed checks, their points and achievements', () => {
    expect(progressOf(student('x', [run('a', 'pass'), run('b', 'pass')]))).toMatchObject({ passed: 2, total: 2, points: 3, maxPoints: 3, achievements: ['all'], lastChange: 't' });
    expect(progressOf(student('y', [run('a', 'fail')]))).toMatchObject({ passed: 0, points: 0, achievements: [], lastChange: 't' });
  });

  it('prints a students × checks grid, then each failing check with its FAIL: line and hint', () => {
    const text = formatCheckGrid([student('ann', [run('a', 'pass'), run('b', 'pass')]), student('bob', [run('a', 'fail', 'FAIL: no a')])]);
    expect(text.split('\n')).toEqual([
      'STUDENT  a     b     PASSED  POINTS  ACHIEVEMENTS',
      'ann      pass  pass  2/2     3/3     all',
      'bob      FAIL  -     0/2     0/3',
      '',
      'bob a: FAIL: no a (hint: do a)',
      '',
    ]);
  });

  it("shows what a student's node printed with its control characters escaped: no OSC or CSI reaches the terminal", () => {
    const osc0 = '\u001b]0;owned\u0007';
    const osc52 = '\u001b]52;c;cm0gLXJmIH4K\u0007';
    const clear = '\u001b[2J';
    const s = student('bob', [run('a', 'fail', `FAIL: ${osc0}${clear}${osc52}x`)]);
    s.checks[0]!.hint = `fix\u009b31m it\u2028now`;
    s.recordError = `denied ${clear}`;
    const text = formatCheckGrid([s]);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028]/);
    expect(text).toContain('bob a: FAIL: \\e]0;owned\\x07\\e[2J\\e]52;c;cm0gLXJmIH4K\\x07x (hint: fix\\x9b31m it\\u2028now)');
    expect(text).toContain('bob: results not recorded: denied \\e[2J');
  });
});
