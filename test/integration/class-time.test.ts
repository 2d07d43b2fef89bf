// Class time on the real node: a class of 3 suspended (no pod runs, volumes keep their data)
// and resumed (the release as it was; a check that passed passes again); an idle student warned
// and then suspended while an active one is not; an SSH login to a suspended lab resumes it and
// lands in the node; a schedule resumes the class before a session and suspends it after, with
// a clock the test sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { ANNOTATION } from '../../common/compile/labels';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { classStatus, teardown } from '../../main/engine/class-ops';
import { runClassChecks } from '../../main/engine/checks';
import { classTimePass, setIdlePolicy } from '../../main/engine/class-time';
import { publish } from '../../main/engine/publish';
import { reconcile } from '../../main/engine/reconcile';
import { readClassSettings, updateClassSettings } from '../../main/engine/reconcile-settings';
import { recordActivity, resumeStudents, suspendStudents, writeIdleWarning } from '../../main/engine/suspend';
import { formatIdleWarning, suspensionOf } from '../../main/engine/suspension';
import type { Release } from '../../main/engine/releases';
import { type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM, POD } from '../../main/kube/kinds';
import { streamingExec } from '../../main/streams/exec-stream';
import { addKeyFile, SshRig, startGateway } from './gateway-rig';
import { adminCluster, makeRelease } from './helpers/engine';
import { execIn, loadTestKubeConfig, onRealNode, randomId, waitFor } from './helpers/kube';

const className = `ct-${randomId(3)}`;
const students = numberedStudents(3);
const ids = students.map((s) => s.id);
const nsOf = (id: string) => studentNamespace(className, id);
const MIN = 60_000;

const labText = (name: string) => `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: ${name}
volumes:
  - name: work
    size: 64Mi
nodes:
  - name: box
    kind: container
    image: busybox:1.36
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 3600 & wait; done"]
    volumes:
      - volume: work
        mountPath: /work
    resources:
      requests: { cpu: 10m, memory: 16Mi }
      limits: { cpu: 100m, memory: 32Mi }
checks:
  - id: saved
    title: Save your work in /work/done.txt
    node: box
    script: |
      test -f /work/done.txt || { echo "FAIL: /work/done.txt is missing"; exit 1; }
`;

let cluster: HttpCluster;
let lab: Lab;
let release: Release;
const kc = loadTestKubeConfig();

async function podsOfClass(): Promise<string[]> {
  const names: string[] = [];
  for (const id of ids) for (const p of (await cluster.list(POD, { namespace: nsOf(id) })).items) if (!p.metadata?.deletionTimestamp) names.push(`${id}/${p.metadata?.name}`);
  return names;
}

async function waitAllReady(which = ids): Promise<void> {
  await waitFor(
    `${which.join(', ')} ready`,
    async () => {
      const rows = await classStatus(cluster, className);
      return which.every((id) => rows.find((r) => r.student === id && r.total === 1 && r.ready === 1));
    },
    180_000,
    1000,
  );
}

async function passed(): Promise<string[]> {
  const results = await runClassChecks(cluster, { className, exec: streamingExec(kc) });
  return results.filter((s) => s.results.checks['saved']?.status === 'pass').map((s) => s.student).sort();
}

beforeAll(async () => {
  cluster = adminCluster();
  const parsed = parseLab(labText(`ct-${randomId(3)}`));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  lab = parsed.lab;
  release = await makeRelease(cluster, lab, 'v1');
  await onRealNode(kc, ids.map(nsOf));
  const r = await publish(cluster, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  await waitAllReady();
}, 300_000);

afterAll(async () => {
  await teardown(cluster, className).catch(() => undefined);
  cluster?.close();
});

describe('suspend and resume a class of 3', () => {
  it('suspends: no pod runs, each node reads stopped, the volumes and their data stay', async () => {
    const pod = (await cluster.list(POD, { namespace: nsOf('student-02') })).items[0]!;
    const made = await execIn(kc, nsOf('student-02'), pod.metadata!.name!, 'box', ['sh', '-c', 'echo kept > /work/done.txt']);
    expect(made.status.status).toBe('Success');
    expect(await passed()).toEqual(['student-02']);

    const results = await suspendStudents(cluster, className);
    expect(results.map((r) => [r.student, r.status, r.suspension?.by])).toEqual(ids.map((id) => [id, 'suspended', 'instructor']));
    await waitFor('no pod of the class', async () => (await podsOfClass()).length === 0, 120_000, 1000);
    const rows = await classStatus(cluster, className);
    for (const row of rows) {
      expect(row.suspended?.by).toBe('instructor');
      expect(row.nodes['box']?.state).toBe('stopped');
    }
    for (const id of ids) expect((await cluster.list(PERSISTENT_VOLUME_CLAIM, { namespace: nsOf(id) })).items.map((c) => c.metadata?.name)).toEqual(['work']);
    // Checks leave a suspended lab alone: student-02's pass stands instead of an error over it.
    const checked = await runClassChecks(cluster, { className, exec: streamingExec(kc) });
    expect(checked.map((c) => [c.student, c.suspended, c.runs.length])).toEqual(ids.map((id) => [id, true, 0]));
    expect(checked.find((c) => c.student === 'student-02')?.results.checks['saved']?.status).toBe('pass');
    // Suspending again changes nothing and says so.
    expect((await suspendStudents(cluster, className, { students: ['student-01'] }))[0]?.status).toBe('unchanged');
  }, 240_000);

  it('publish and reconcile keep a suspended lab suspended: no drift, no pod', async () => {
    const r = await publish(cluster, { className, students, release });
    expect(r.results.map((x) => x.status)).toEqual(['updated', 'updated', 'updated']);
    const drift = await reconcile(cluster, className);
    expect(drift.report.students).toEqual([]);
    expect(drift.report.checked).toBe(3);
    await new Promise((res) => setTimeout(res, 3000));
    expect(await podsOfClass()).toEqual([]);
    for (const id of ids) expect(suspensionOf((await cluster.read(NAMESPACE, nsOf(id)))!)?.by).toBe('instructor');
  }, 120_000);

  it('resumes: every lab comes back to its release, the work kept, and the check that passed passes again', async () => {
    const results = await resumeStudents(cluster, className, { waitMs: 180_000 });
    expect(results.map((r) => [r.student, r.status, r.ready])).toEqual(ids.map((id) => [id, 'resumed', true]));
    const rows = await classStatus(cluster, className);
    expect(rows.map((r) => [r.student, r.ready, r.suspended])).toEqual(ids.map((id) => [id, 1, undefined]));
    // Resuming is a start: the idle clock runs from it.
    for (const id of ids) expect(Date.parse((await cluster.read(NAMESPACE, nsOf(id)))!.metadata!.annotations![ANNOTATION.lastActivity]!)).toBeGreaterThan(Date.now() - 5 * MIN);
    expect(await passed()).toEqual(['student-02']);
    expect((await reconcile(cluster, className)).report.students).toEqual([]);
  }, 300_000);

  it('refuses a student the class does not have, naming them, and changes nothing', async () => {
    await expect(suspendStudents(cluster, className, { students: ['student-01', 'nobody'] })).rejects.toThrow(/no student "nobody"/);
    expect(suspensionOf((await cluster.read(NAMESPACE, nsOf('student-01')))!)).toBeUndefined();
  });
});

describe('idle labs, on a clock the test sets', () => {
  it('warns the idle students, spares the one who works, then suspends only the idle ones', async () => {
    const T = Date.now();
    const at = (minutes: number) => new Date(T + minutes * MIN);
    await setIdlePolicy(cluster, className, { afterSeconds: 3600, warnSeconds: 600 });
    // student-01 works 50 minutes in; the others do nothing after the resume.
    await recordActivity(cluster, nsOf('student-01'), at(50));
    const namespaces = async () => (await cluster.list(NAMESPACE, { labelSelector: `labforge.dev/class=${className}` })).items;
    const settings = await readClassSettings(cluster, className);
    const first = await classTimePass(cluster, className, settings, await namespaces(), { now: at(55) });
    expect(first.errors).toEqual([]);
    expect(first.warned.map((w) => w.student).sort()).toEqual(['student-02', 'student-03']);
    expect(first.suspended).toEqual([]);
    const rows = await classStatus(cluster, className);
    expect(rows.find((r) => r.student === 'student-02')?.idleSuspendAt).toBe(at(65).toISOString());
    expect(rows.find((r) => r.student === 'student-01')?.idleSuspendAt).toBeUndefined();

    // Before the warning has stood its time: nothing more.
    const early = await classTimePass(cluster, className, settings, await namespaces(), { now: at(60) });
    expect([early.warned, early.suspended]).toEqual([[], []]);

    const second = await classTimePass(cluster, className, settings, await namespaces(), { now: at(66) });
    expect(second.errors).toEqual([]);
    expect(second.suspended.map((r) => [r.student, r.suspension?.by]).sort()).toEqual([
      ['student-02', 'idle'],
      ['student-03', 'idle'],
    ]);
    await waitFor('the idle students stopped', async () => (await podsOfClass()).every((p) => p.startsWith('student-01/')) && (await podsOfClass()).length === 1, 120_000, 1000);
  }, 240_000);

  it('an SSH login to the suspended lab resumes it and lands in the node, with progress on the way', async () => {
    const rig = new SshRig();
    const { gw, port } = await startGateway(rig, cluster, className);
    try {
      const key = rig.keygen('s3');
      await addKeyFile(cluster, className, 'student-03', rig, key);
      rig.trust([port]);
      const r = await rig.ssh(port, key, 'student-03', 'hostname; ls -d /work', { timeoutMs: 240_000 });
      expect(r.stderr).toContain('your lab is suspended; starting it now');
      expect(r.stderr).toMatch(/starting your lab: \d\/1 nodes ready/);
      expect(r.code).toBe(0);
      // A node with a volume runs as a StatefulSet, whose controller names the pod's host box-0.
      expect(r.stdout).toBe('box-0\n/work\n');
      expect(suspensionOf((await cluster.read(NAMESPACE, nsOf('student-03')))!)).toBeUndefined();
      // student-02 stays suspended: one login resumes one lab.
      expect(suspensionOf((await cluster.read(NAMESPACE, nsOf('student-02')))!)?.by).toBe('idle');
    } finally {
      await gw.stop();
      rig.cleanup();
    }
  }, 300_000);
});

describe('an idle warning reaches the open SSH session', () => {
  it('once, on stderr, with the time left', async () => {
    const rig = new SshRig();
    const { gw, port } = await startGateway(rig, cluster, className, { warningCheckMs: 300 });
    try {
      const key = rig.keygen('s3w');
      await addKeyFile(cluster, className, 'student-03', rig, key);
      rig.trust([port]);
      const session = rig.ssh(port, key, 'student-03', 'sleep 6; echo done', { timeoutMs: 60_000 });
      // After the session's own activity stamp (it opened), so the warning stands.
      await new Promise((res) => setTimeout(res, 2500));
      await writeIdleWarning(cluster, nsOf('student-03'), formatIdleWarning({ at: new Date().toISOString(), suspendAt: new Date(Date.now() + 10 * MIN).toISOString() }));
      const r = await session;
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('done\n');
      const lines = r.stderr.split('\n').filter((l) => l.includes('your lab has been idle'));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/it will be suspended in about (9|10) minutes \(\d\d:\d\d UTC\) unless you use it/);
    } finally {
      await gw.stop();
      rig.cleanup();
      await writeIdleWarning(cluster, nsOf('student-03'), undefined).catch(() => undefined);
    }
  }, 120_000);
});

describe('a schedule, on a clock the test sets', () => {
  it('resumes the idle-suspended labs at the warm-up and suspends every running lab after the session, once each', async () => {
    const T = Date.now();
    const start = new Date(Math.floor((T + 120 * MIN) / MIN) * MIN);
    const end = new Date(start.getTime() + 60 * MIN);
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await setIdlePolicy(cluster, className, undefined);
    await updateClassSettings(cluster, className, (s) => ({ ...s, schedule: { timezone: 'UTC', warmSeconds: 900, entries: [{ date: start.toISOString().slice(0, 10), start: hhmm(start), end: hhmm(end) }] } }));
    const settings = await readClassSettings(cluster, className);
    const namespaces = async () => (await cluster.list(NAMESPACE, { labelSelector: `labforge.dev/class=${className}` })).items;
    // The instructor's own suspension is never lifted by the schedule.
    await suspendStudents(cluster, className, { students: ['student-01'] });

    const before = await classTimePass(cluster, className, settings, await namespaces(), { now: new Date(start.getTime() - 30 * MIN) });
    expect(before.resumed).toEqual([]);
    expect(before.schedule?.next?.start.toISOString()).toBe(start.toISOString());

    const warm = await classTimePass(cluster, className, settings, await namespaces(), { now: new Date(start.getTime() - 10 * MIN) });
    expect(warm.errors).toEqual([]);
    expect(warm.schedule?.current?.warming).toBe(true);
    expect(warm.resumed.map((r) => r.student)).toEqual(['student-02']);
    // Once per session: the next pass in the same session does nothing.
    const again = await classTimePass(cluster, className, settings, await namespaces(), { now: new Date(start.getTime() + 10 * MIN) });
    expect([again.resumed, again.suspended]).toEqual([[], []]);

    const after = await classTimePass(cluster, className, settings, await namespaces(), { now: new Date(end.getTime() + 1 * MIN) });
    expect(after.errors).toEqual([]);
    expect(after.suspended.map((r) => [r.student, r.suspension?.by]).sort()).toEqual([
      ['student-02', 'schedule'],
      ['student-03', 'schedule'],
    ]);
    const later = await classTimePass(cluster, className, settings, await namespaces(), { now: new Date(end.getTime() + 5 * MIN) });
    expect(later.suspended).toEqual([]);
    await waitFor('no pod of the class', async () => (await podsOfClass()).length === 0, 120_000, 1000);
  }, 300_000);
});

describe('an ended class', () => {
  it('is neither resumed nor suspended: it keeps only its volumes until published again', async () => {
    await updateClassSettings(cluster, className, (s) => ({ ...s, expired: { at: new Date().toISOString(), keptVolumes: [] } }));
    await expect(resumeStudents(cluster, className, { students: ['student-01'] })).rejects.toThrow(/ended at .*publish with a later end date/);
    await expect(suspendStudents(cluster, className, { students: ['student-02'] })).rejects.toThrow(/ended at/);
    const report = await classTimePass(cluster, className, await readClassSettings(cluster, className), (await cluster.list(NAMESPACE, { labelSelector: `labforge.dev/class=${className}` })).items, { now: new Date() });
    expect([report.warned, report.suspended, report.resumed, report.errors]).toEqual([[], [], [], []]);
  });
});
