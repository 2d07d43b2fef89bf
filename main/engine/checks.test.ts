// The runner's judgement, with the checks' wrapper run by this host's own sh instead of an exec
// into a pod (the integration tests run it through the local control plane).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { IPod } from '../kube/kinds';
import { formatCheckGrid, progressOf, runCheck, type CheckExec, type StudentChecks } from './checks';
import { mergeRuns } from './checks-results';

/** Runs the command here, streaming stdout and stderr, as a non-tty exec would. */
const hostExec: CheckExec = (_target, command, onOutput, signal) =>
  new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.on('error', reject);
    child.on('close', () => resolve());
    signal.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
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

  it('an exec that ends without the trailer is an error, not a verdict', async () => {
    const cut: CheckExec = async (_t, _c, onOutput) => onOutput(Buffer.from('partial output'));
    await expect(runCheck(cut, 'ns', [pod()], check('true'))).resolves.toMatchObject({ status: 'error', exitCode: null, message: 'the connection ended before the check reported its exit code' });
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
