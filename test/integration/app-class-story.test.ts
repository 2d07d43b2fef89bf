// The class story through the app's API (the same dispatcher the renderer reaches over IPC or
// the WebSocket), on the real local control plane: deploy with live status, a failing image on
// its node, snapshot refusals, releases, the publish plan and roster errors, publish with
// progress, the class watch, cancel and resume, reset, teardown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import type { StreamChannel, StreamEvent, Request, Response, Result } from '../../common/api/contract';
import { createHost, type Host } from '../../main/api/host';
import { createMemorySettings } from '../../main/api/settings';
import { kindOf } from '../../main/kube/cluster';
import { connect } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { classSelector } from '../../main/engine/publish';
import { exampleLab, uniqueLab } from './helpers/engine';
import { randomId, testKubeconfigPath } from './helpers/kube';

let host: Host;
let lab: Lab;
const className = `story-${randomId(3)}`;

beforeAll(() => {
  process.env['KUBECONFIG'] = testKubeconfigPath();
  host = createHost({ mode: 'browser', version: 'test', workspace: null, examplesDir: '/nonexistent', settings: createMemorySettings() });
  lab = uniqueLab(exampleLab('routing-lab.yaml'), 'story');
});

afterAll(async () => {
  host?.live.stopAll();
  // Leave nothing behind even when a test failed half-way.
  const cluster = connect({ kubeconfig: testKubeconfigPath() });
  for (const ns of (await cluster.list(NAMESPACE, { labelSelector: classSelector(className) })).items) await cluster.delete(NAMESPACE, ns.metadata!.name!);
  await cluster.delete(NAMESPACE, `${lab.metadata.name}-dev`).catch(() => undefined);
  cluster.close();
  host?.clusters.close();
});

async function call<C extends Exclude<keyof typeof import('../../common/api/contract').contract, StreamChannel>>(channel: C, request: Request<C>): Promise<Response<C>> {
  const r = (await host.dispatch(channel, request)) as Result<Response<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function stream<C extends StreamChannel>(channel: C, request: Request<C>) {
  const events: StreamEvent<C>[] = [];
  const controller = new AbortController();
  const result = host.dispatch(channel, request, { signal: controller.signal, emit: (e) => events.push(e as StreamEvent<C>) }) as Promise<Result<Response<C>>>;
  return { events, result, cancel: () => controller.abort() };
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the class story through the app API', () => {
  it('deploys with phases and progress, and the shared dev watch shows every node ready', async () => {
    const watch = stream('dev.watch', { labName: lab.metadata.name });
    const deploy = stream('dev.deploy', { lab });
    const r = await deploy.result;
    expect(r.ok && r.value.problems).toEqual([]);
    expect(r.ok && r.value.ready).toBe(true);
    expect(deploy.events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual(['validate', 'preflight', 'apply', 'prune', 'wait']);
    const applied = deploy.events.filter((e) => e.type === 'applied');
    expect(applied.at(-1)).toMatchObject({ done: r.ok ? r.value.applied : -1, total: r.ok ? r.value.applied : -1 });

    const last = await until('all four nodes ready in the dev watch', () => {
      const e = watch.events.at(-1);
      return e && e.statuses.length === lab.nodes.length && e.statuses.every((s) => s.state === 'ready') && e;
    });
    expect(last.deployed?.lab).toMatchObject({ metadata: { name: lab.metadata.name } });
    // A second view of the same namespace shares the one watch.
    const second = stream('dev.watch', { labName: lab.metadata.name });
    await until('second view', () => second.events.length > 0);
    expect(host.live.active).toBe(1);
    second.cancel();
    watch.cancel();
    expect(await watch.result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    await until('watch stopped', () => host.live.active === 0);
  });

  it('shows an image that cannot be pulled on its node, and refuses to snapshot that dev', async () => {
    const broken = structuredClone(lab);
    const node = broken.nodes[1]!;
    node.image = 'registry.invalid/labforge/missing:1';
    const r = await stream('dev.deploy', { lab: broken }).result;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.ready).toBe(false);
    const failed = r.value.statuses.find((s) => s.node === node.name);
    expect(failed).toMatchObject({ state: 'failed', reason: 'ImagePullBackOff' });
    expect(r.value.statuses.filter((s) => s.node !== node.name).every((s) => s.state === 'ready')).toBe(true);

    const snap = await host.dispatch('release.snapshot', { labName: lab.metadata.name, tag: 'v1' });
    expect(snap).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining(`${node.name}:`) } });
  });

  it('places a dry-run refusal on the node and field it concerns, writing nothing', async () => {
    // A real admission refusal: a ValidatingAdmissionPolicy in the API server, scoped to this
    // lab's dev namespace, that forbids one registry. The lab itself is valid.
    const cluster = connect({ kubeconfig: testKubeconfigPath() });
    const name = `labforge-test-${randomId(3)}`;
    const devNs = `${lab.metadata.name}-dev`;
    await cluster.apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets'] }] },
        validations: [{ expression: "object.spec.template.spec.containers.all(c, !c.image.startsWith('forbidden.example/'))", message: 'container image: images from forbidden.example are not allowed here' }],
      },
    });
    await cluster.apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': devNs } } } },
    });
    const policy = kindOf('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy');
    const binding = kindOf('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding');
    try {
      const bad = structuredClone(lab);
      const idx = bad.nodes.findIndex((n) => n.kind === 'container');
      bad.nodes[idx]!.image = 'forbidden.example/nginx:1';
      // The policy takes a moment to reach the API server's admission chain: probe with a dry run.
      const probe = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'policy-probe', namespace: devNs },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'forbidden.example/x:1' }] } } },
      };
      await until('the policy is in effect', () => cluster.apply(probe, { dryRun: true }).then(() => false, () => true), 30_000);
      const r = await stream('dev.deploy', { lab: bad }).result;
      if (!r.ok) throw new Error(`deploy failed: ${r.error.message}`);
      expect(r.value.applied).toBe(0);
      expect(r.value.problems).toEqual([expect.objectContaining({ path: ['nodes', idx, 'image'], source: `node "${bad.nodes[idx]!.name}"`, message: expect.stringContaining('forbidden.example') })]);
      // Nothing of the refused lab was written: dev still runs the good image.
      const watch = stream('dev.watch', { labName: lab.metadata.name });
      const e = await until('dev view', () => watch.events.at(-1));
      watch.cancel();
      const deployed = e.deployed?.lab as Lab | undefined;
      expect(deployed?.nodes[idx]?.image).not.toBe('forbidden.example/nginx:1');
    } finally {
      await cluster.delete(binding, name).catch(() => undefined);
      await cluster.delete(policy, name).catch(() => undefined);
      cluster.close();
    }
  });

  it('snapshots a healthy dev with a note, lists releases with the next tag, and diffs two releases', async () => {
    expect((await stream('dev.deploy', { lab }).result).ok).toBe(true);
    const list0 = await call('release.list', { labName: lab.metadata.name });
    expect(list0.nextTag).toBe('v1');
    const v1 = await call('release.snapshot', { labName: lab.metadata.name, tag: 'v1', note: 'first cut' });
    expect(v1).toMatchObject({ tag: 'v1', note: 'first cut', labName: lab.metadata.name });
    expect(v1.images.map((i) => i.node).sort()).toEqual(lab.nodes.map((n) => n.name).sort());

    const changed = structuredClone(lab);
    changed.nodes[0]!.image = 'alpine:3.21';
    changed.networks.push({ name: 'extra' });
    expect((await stream('dev.deploy', { lab: changed }).result).ok).toBe(true);
    await call('release.snapshot', { labName: lab.metadata.name, tag: 'v2', note: '' });
    const list = await call('release.list', { labName: lab.metadata.name });
    expect(list.releases.map((r) => r.tag)).toEqual(['v1', 'v2']);
    expect(list.nextTag).toBe('v3');

    const diff = await call('release.diff', { labName: lab.metadata.name, from: 'v1', to: 'v2' });
    expect(diff.nodes).toEqual([{ name: changed.nodes[0]!.name, change: 'changed' }]);
    expect(diff.networks).toEqual([{ name: 'extra', change: 'added' }]);
    expect(diff.changes.some((c) => c.text.startsWith(`~ nodes.${changed.nodes[0]!.name}.image:`))).toBe(true);
  });

  it('lists bad roster rows by line and publishes nothing', async () => {
    const roster = { text: 'id,name,email\nada,Ada,ada@uni.edu\n,Nobody,\nbob,Bob,not-an-email\n', fileName: 'roster.csv' };
    const plan = await call('class.plan', { labName: lab.metadata.name, tag: 'v1', className, students: { roster }, force: false, prune: false });
    expect(plan.rosterIssues.map((i) => i.line)).toEqual([3, 4]);
    const r = await stream('class.publish', { labName: lab.metadata.name, tag: 'v1', className, students: { roster }, force: false, prune: false }).result;
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_roster' } });
    expect(await call('class.list', {})).not.toMatchObject({ classes: expect.arrayContaining([expect.objectContaining({ name: className })]) });
  });

  it('plans, publishes with per-student progress, and the class watch shows every cell ready', async () => {
    const plan = await call('class.plan', { labName: lab.metadata.name, tag: 'v1', className, students: { count: 6 }, force: false, prune: false });
    expect(plan).toMatchObject({ rosterIssues: [], existing: 0, upgrade: null, leaving: [] });
    expect(plan.capacity?.newStudents).toBe(6);
    expect(plan.capacity?.rows.map((r) => r.resource)).toEqual(['cpu', 'memory', 'pods']);

    const pub = stream('class.publish', { labName: lab.metadata.name, tag: 'v1', className, students: { count: 6 }, force: false, prune: false });
    const r = await pub.result;
    expect(r.ok && r.value.results.map((x) => x.status)).toEqual(Array(6).fill('created'));
    expect(pub.events.filter((e) => e.type === 'phase').map((e) => e.type === 'phase' && e.phase)).toEqual(['preflight', 'preflight', 'capacity', 'apply']);
    expect(pub.events.filter((e) => e.type === 'student').map((e) => e.type === 'student' && e.done)).toEqual([1, 2, 3, 4, 5, 6]);

    const watch = stream('class.watch', { className });
    const view = await until('6 × 4 ready cells', () => {
      const e = watch.events.at(-1);
      return e && e.rows.length === 6 && e.rows.every((row) => lab.nodes.every((n) => row.nodes[n.name]?.state === 'ready')) && e;
    });
    expect(view.labNodes).toEqual(lab.nodes.map((n) => n.name).sort());
    expect(view.rows[0]).toMatchObject({ student: 'student-01', release: 'v1', phase: 'Active' });
    expect(view.rows[0]!.cpu.hard).toBeGreaterThan(0);
    watch.cancel();

    const classes = await call('class.list', {});
    expect(classes.classes.find((c) => c.name === className)).toEqual({ name: className, labs: [lab.metadata.name], releases: ['v1'], students: 6 });
  });

  it('plans an upgrade with what changes, cancels a publish, and publishing again converges', async () => {
    const plan = await call('class.plan', { labName: lab.metadata.name, tag: 'v2', className, students: { count: 12 }, force: false, prune: false });
    expect(plan.existing).toBe(6);
    expect(plan.upgrade?.from).toEqual(['v1']);
    expect(plan.upgrade?.changes.some((c) => c.includes('.image'))).toBe(true);

    const pub = stream('class.publish', { labName: lab.metadata.name, tag: 'v2', className, students: { count: 12 }, force: false, prune: false });
    await until('the first student written', () => pub.events.some((e) => e.type === 'student'));
    pub.cancel();
    expect(await pub.result).toMatchObject({ ok: false, error: { code: 'cancelled' } });

    const again = await stream('class.publish', { labName: lab.metadata.name, tag: 'v2', className, students: { count: 12 }, force: false, prune: false }).result;
    expect(again.ok && again.value.results.filter((x) => x.status === 'failed')).toEqual([]);
    const cluster = connect({ kubeconfig: testKubeconfigPath() });
    const namespaces = (await cluster.list(NAMESPACE, { labelSelector: classSelector(className) })).items;
    cluster.close();
    expect(namespaces.map((n) => n.metadata?.labels?.['labforge.dev/release'])).toEqual(Array(12).fill('v2'));
  });

  it('resets one student, refuses a teardown without the typed name, and tears the class down', async () => {
    const reset = stream('class.reset', { className, student: 'student-03' });
    const r = await reset.result;
    expect(r).toMatchObject({ ok: true, value: { student: 'student-03', status: 'created', namespace: studentNamespace(className, 'student-03') } });
    expect(reset.events.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^deleting/), expect.stringMatching(/^publishing/)]));

    expect(await stream('class.teardown', { className, confirm: 'nope' }).result).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const down = await stream('class.teardown', { className, confirm: className }).result;
    expect(down.ok && down.value.stuck).toEqual([]);
    expect(down.ok && down.value.deleted.length).toBe(12);
    const cluster = connect({ kubeconfig: testKubeconfigPath() });
    expect((await cluster.list(NAMESPACE, { labelSelector: classSelector(className) })).items).toEqual([]);
    cluster.close();
  });
});
