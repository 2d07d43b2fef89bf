// Checks on the real control plane: a class of 10 students, a check that passes when a file
// exists, the file made in 3 students' nodes by exec; a timeout; results that outlive the
// process that recorded them; and students who cannot write their own results.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { classStatus, studentCredentials, teardown } from '../../main/engine/class-ops';
import { formatCheckGrid } from '../../main/cli/tables';
import { classCheckResults, progressOf, runClassChecks, type CheckExec, type StudentChecks } from '../../main/engine/checks';
import { RESULTS_CONFIGMAP } from '../../main/engine/checks-results';
import { publish } from '../../main/engine/publish';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { CONFIG_MAP, POD } from '../../main/kube/kinds';
import { KubeError } from '../../main/kube/errors';
import { execStreaming, streamingExec } from '../../main/streams/exec-stream';
import { adminCluster, makeRelease, ROOT } from './helpers/engine';
import { loadTestKubeConfig, onRealNode, randomId, testKubeconfigPath } from './helpers/kube';

const run = promisify(execFile);
const STUDENTS = 10;
const DONE = [2, 5, 9].map((i) => `student-${String(i).padStart(2, '0')}`);
const className = `chk-${randomId(3)}`;
const students = numberedStudents(STUDENTS);

const labText = (name: string) => `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: ${name}
nodes:
  - name: box
    kind: container
    image: busybox:1.36
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 10m, memory: 16Mi }
checks:
  - id: file-made
    title: Create done.txt in your home directory
    node: box
    script: |
      echo "looking for done.txt in $PWD"
      test -f done.txt || { echo "FAIL: done.txt is missing"; exit 1; }
    points: 3
    hint: Run touch done.txt in the box terminal.
  - id: slow
    title: A check that never finishes in time
    node: box
    script: sleep 60; echo finished
    timeout: 2
    after: [file-made]
achievements:
  - name: first-file
    title: Made the first file
    checks: [file-made]
`;

let cluster: HttpCluster;
let kc: KubeConfig;
let lab: Lab;
let firstPass: StudentChecks[];

beforeAll(async () => {
  cluster = adminCluster();
  kc = loadTestKubeConfig();
  const parsed = parseLab(labText(`chk-${randomId(3)}`));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  lab = parsed.lab;
  const release = await makeRelease(cluster, lab, 'v1');
  // Checks run inside the students' containers: the class runs on the real node.
  await onRealNode(kc, students.map((s) => studentNamespace(className, s.id)));
  const r = await publish(cluster, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  // Checks exec into running pods: wait until every student's node runs.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const rows = await classStatus(cluster, className);
    if (rows.length === STUDENTS && rows.every((row) => row.ready === row.total && row.total === 1)) break;
    if (Date.now() > deadline) throw new Error(`class not ready: ${JSON.stringify(rows.map((row) => [row.student, row.ready, row.total]))}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
});

afterAll(async () => {
  await teardown(cluster, className).catch(() => undefined);
  cluster?.close();
});

const byStudent = (list: StudentChecks[]) => new Map(list.map((s) => [s.student, s]));

describe(`checks on a class of ${STUDENTS}`, () => {
  it('a first run: every student fails the file check with its FAIL: line, and the slow check times out', async () => {
    // Count the execs in flight: the bound is reached and never passed.
    const exec = streamingExec(kc);
    let inFlight = 0;
    let most = 0;
    const counted: CheckExec = async (...args) => {
      most = Math.max(most, ++inFlight);
      try {
        return await exec(...args);
      } finally {
        inFlight--;
      }
    };
    firstPass = await runClassChecks(cluster, { className, exec: counted, concurrency: 5 });
    expect(firstPass).toHaveLength(STUDENTS);
    for (const s of firstPass) {
      expect(s.recordError).toBeUndefined();
      expect(s.checks.map((c) => c.id)).toEqual(['file-made', 'slow']);
      const file = s.results.checks['file-made']!;
      expect(file).toMatchObject({ status: 'fail', exitCode: 1, failLine: 'FAIL: done.txt is missing', attempts: 1 });
      expect(file.output).toContain('looking for done.txt in');
      expect(file.firstPassAt).toBeUndefined();
      // The timeout is the wrapper's, inside the node: the script is stopped after 2 s.
      const slow = s.results.checks['slow']!;
      expect(slow.status).toBe('timeout');
      expect(slow.durationMs).toBeGreaterThanOrEqual(1900);
      // Far below the script's 60 s, with room for a busy machine's exec set-up.
      expect(slow.durationMs).toBeLessThan(20_000);
      expect(slow.output).not.toContain('finished');
      expect(s.results.achievements).toEqual({});
    }
    // 10 students, 5 at a time, each running one check at a time.
    expect(most).toBe(5);
    const grid = formatCheckGrid(firstPass);
    expect(grid.split('\n')[0]).toMatch(/^STUDENT\s+file-made\s+slow\s+PASSED\s+POINTS\s+ACHIEVEMENTS$/);
    expect(grid).toContain('student-01 file-made: FAIL: done.txt is missing (hint: Run touch done.txt in the box terminal.)');
  });

  it('after the file is made in 3 students by exec, exactly those 3 pass and earn the achievement', async () => {
    for (const student of DONE) {
      const namespace = studentNamespace(className, student);
      const pod = (await cluster.list(POD, { namespace })).items.find((p) => p.status?.phase === 'Running')!;
      await execStreaming(kc, { namespace, pod: pod.metadata!.name!, container: 'box' }, ['sh', '-c', 'cd && touch done.txt'], () => undefined);
    }
    const second = byStudent(await runClassChecks(cluster, { className, exec: streamingExec(kc), check: 'file-made' }));
    const passed = [...second.values()].filter((s) => s.results.checks['file-made']?.status === 'pass').map((s) => s.student);
    expect(passed.sort()).toEqual(DONE);
    for (const s of second.values()) {
      const earned = DONE.includes(s.student);
      const file = s.results.checks['file-made']!;
      expect(file.attempts).toBe(2);
      // Only the check asked for ran; the other keeps its first result.
      expect(s.results.checks['slow']).toMatchObject({ status: 'timeout', attempts: 1 });
      if (earned) {
        expect(file.firstPassAt).toBeDefined();
        expect(s.results.achievements).toEqual({ 'first-file': file.firstPassAt });
        expect(progressOf(s)).toMatchObject({ passed: 1, total: 2, points: 3, maxPoints: 4, achievements: ['first-file'] });
      } else {
        expect(file.status).toBe('fail');
        expect(s.results.achievements).toEqual({});
        expect(progressOf(s)).toMatchObject({ passed: 0, points: 0, achievements: [] });
      }
    }
  });

  it('the results are read back by a new connection and by a new CLI process, which adds to them', async () => {
    const fresh = clusterFor(loadTestKubeConfig());
    let stored: StudentChecks[];
    try {
      stored = await classCheckResults(fresh, className);
    } finally {
      fresh.close();
    }
    const done = stored.filter((s) => s.results.achievements['first-file']).map((s) => s.student);
    expect(done.sort()).toEqual(DONE);
    const firstPassAt = new Map(stored.map((s) => [s.student, s.results.checks['file-made']?.firstPassAt]));

    const { stdout } = await run(process.execPath, [join(ROOT, 'bin/labforge.mjs'), 'check', '--class', className, '--check', 'file-made'], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: testKubeconfigPath() },
      timeout: 120_000,
    });
    // The grid, then (after a blank line) one line per failing check.
    const [grid, notes] = stdout.split('\n\n');
    const rows = grid!.split('\n').filter((l) => l.startsWith('student-'));
    expect(notes).toContain(`${DONE[0]} slow: the script ran longer than its timeout of 2 s and was stopped`);
    expect(rows).toHaveLength(STUDENTS);
    for (const row of rows) {
      const student = row.split(/\s+/)[0]!;
      expect(row).toMatch(DONE.includes(student) ? /^student-\d+\s+pass\s+TIME\s+1\/2\s+3\/4\s+first-file$/ : /^student-\d+\s+FAIL\s+TIME\s+0\/2\s+0\/4$/);
    }

    const after = byStudent(await classCheckResults(cluster, className));
    for (const s of after.values()) {
      expect(s.results.checks['file-made']!.attempts).toBe(3);
      // The first pass is when it first happened, not when it was last seen.
      expect(s.results.checks['file-made']!.firstPassAt).toBe(firstPassAt.get(s.student));
    }
  });

  it('check --watch runs again every N seconds until interrupted', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/labforge.mjs'), 'check', '--class', className, '--student', DONE[1]!, '--check', 'file-made', '--watch', '1'], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: testKubeconfigPath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const rounds = () => out.split('checked at ').length - 1;
    const deadline = Date.now() + 90_000;
    while (rounds() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(rounds()).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(new RegExp(`${DONE[1]}\\s+pass\\s+TIME\\s+1/2`));
    const stored = byStudent(await classCheckResults(cluster, className, DONE[1]));
    expect(stored.get(DONE[1]!)!.results.checks['file-made']!.attempts).toBeGreaterThanOrEqual(3 + 2);
  });

  it('a student may read their results but not write them', async () => {
    const creds = await studentCredentials(cluster, className, DONE[0]!, 600);
    const skc = new KubeConfig();
    skc.loadFromString(creds.kubeconfig);
    const asStudent = clusterFor(skc);
    try {
      const cm = await asStudent.read(CONFIG_MAP, RESULTS_CONFIGMAP, creds.namespace);
      expect(cm?.data?.['results.json']).toContain('first-file');
      const forged = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RESULTS_CONFIGMAP, namespace: creds.namespace }, data: { 'results.json': '{}' } };
      const err = await asStudent.apply(forged).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(KubeError);
      expect((err as KubeError).kind).toBe('forbidden');
      const del = await asStudent.delete(CONFIG_MAP, RESULTS_CONFIGMAP, creds.namespace).then(() => null, (e: unknown) => e);
      expect((del as KubeError).kind).toBe('forbidden');
      // The issue's flood: ConfigMaps of 1 MB under new names, which no quota counted.
      const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fill-0', namespace: creds.namespace }, data: { x: 'x'.repeat(1_000_000) } };
      const flood = await asStudent.create(big).then(() => null, (e: unknown) => e);
      expect((flood as KubeError).kind).toBe('forbidden');
      // And a copy of the record under another name, with its labels.
      const copy = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labforge-checks-copy', namespace: creds.namespace, labels: cm!.metadata!.labels! }, data: cm!.data! };
      expect(((await asStudent.create(copy).then(() => null, (e: unknown) => e)) as KubeError).kind).toBe('forbidden');
    } finally {
      asStudent.close();
    }
  });

  it('a signed copy of a record under another name, with the same labels, does not stand in for the record', async () => {
    // Made with the instructor's rights, as a student could before ConfigMaps were taken from them.
    const namespace = studentNamespace(className, DONE[0]!);
    const real = (await cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, namespace))!;
    const copied = JSON.parse(real.data!['results.json']!) as { checks: Record<string, { attempts: number }> };
    // The copy keeps the real signature (it covers the namespace and content, not the name): it
    // is the record as it was, which the reader used to show when it listed the copy last.
    await cluster.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zz-labforge-checks', namespace, labels: real.metadata!.labels! }, data: real.data! });
    await runClassChecks(cluster, { className, student: DONE[0]!, exec: streamingExec(kc), check: 'file-made' });
    const shown = byStudent(await classCheckResults(cluster, className)).get(DONE[0]!)!;
    const now = (await cluster.read(CONFIG_MAP, RESULTS_CONFIGMAP, namespace))!;
    const attempts = (JSON.parse(now.data!['results.json']!) as typeof copied).checks['file-made']!.attempts;
    expect(attempts).toBe(copied.checks['file-made']!.attempts + 1);
    expect(shown.results.checks['file-made']!.attempts).toBe(attempts);
    await cluster.delete(CONFIG_MAP, 'zz-labforge-checks', namespace);
  });
});
