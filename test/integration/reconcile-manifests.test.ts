// The in-cluster reconciler's RBAC (labforge reconcile manifests), on the real control plane:
// enough — the reconciler, running as that ServiceAccount, finds and repairs drift (the student
// Role included) and ends the class — and no more, checked by SubjectAccessReview.
import { AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { STUDENT_BINDING } from '../../common/compile/rbac';
import { teardown } from '../../main/engine/class-ops';
import { expireClass } from '../../main/engine/expiry';
import { classNamespaces, publish } from '../../main/engine/publish';
import { reconcile } from '../../main/engine/reconcile';
import { formatDrift } from '../../main/cli/tables';
import { reconcilerManifests, reconcilerName } from '../../main/engine/reconcile-manifests';
import { deleteClassSettings, readClassSettings, settingsName, linkKeyName } from '../../main/engine/reconcile-settings';
import { SYSTEM_NAMESPACE } from '../../main/engine/release-record';
import type { Release } from '../../main/engine/releases';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { CONFIG_MAP, kindOfObject } from '../../main/kube/kinds';
import { classTimePass, SCHEDULE_RECORD_KEY } from '../../main/engine/class-time';
import { recordActivity, resumeStudents, suspendStudents, writeIdleWarning } from '../../main/engine/suspend';
import { formatIdleWarning } from '../../main/engine/suspension';
import type { KubeObject } from '../../common/compile/types';
import { adminCluster, exampleLab, makeRelease, uniqueLab } from './helpers/engine';
import { createTestNamespace, loadTestKubeConfig, randomId, type TestNamespace } from './helpers/kube';

const className = `rm-${randomId(3)}`;
const otherClass = `rmo-${randomId(3)}`;
const students = numberedStudents(2);
const name = reconcilerName(className);
const user = `system:serviceaccount:${SYSTEM_NAMESPACE}:${name}`;
const kc = loadTestKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const authz = kc.makeApiClient(AuthorizationV1Api);
let client: HttpCluster;
let asReconciler: HttpCluster;
let release: Release;
let manifests: KubeObject[];
let stranger: TestNamespace;

beforeAll(async () => {
  client = adminCluster();
  release = await makeRelease(client, uniqueLab(exampleLab('routing-lab.yaml'), 'rm'), 'v1');
  await publish(client, { className, students, release });
  await publish(client, { className: otherClass, students: students.slice(0, 1), release });
  stranger = await createTestNamespace(kc, 'rm-stranger');
  const namespaces = (await classNamespaces(client, className)).map((n) => n.metadata!.name!);
  manifests = reconcilerManifests({ className, namespaces, image: 'example.invalid/labforge:test', repair: true });
  for (const o of manifests) await client.apply(o);
  const token = await client.createToken({ namespace: SYSTEM_NAMESPACE, name }, 3600);
  const cluster = kc.getCurrentCluster()!;
  const skc = new KubeConfig();
  skc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  asReconciler = clusterFor(skc);
}, 240_000);

afterAll(async () => {
  asReconciler?.close();
  for (const o of [...(manifests ?? [])].reverse()) await client.delete(kindOfObject(o), o.metadata.name, o.metadata.namespace).catch(() => undefined);
  for (const c of [className, otherClass]) {
    await teardown(client, c).catch(() => undefined);
    await deleteClassSettings(client, c).catch(() => undefined);
  }
  await stranger?.cleanup();
  client.close();
});

async function allowed(attrs: { verb: string; resource: string; group?: string; namespace?: string; name?: string; subresource?: string }): Promise<boolean> {
  const r = await authz.createSubjectAccessReview({
    body: {
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${SYSTEM_NAMESPACE}`, 'system:authenticated'],
        resourceAttributes: { verb: attrs.verb, resource: attrs.resource, group: attrs.group ?? '', ...(attrs.namespace ? { namespace: attrs.namespace } : {}), ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.subresource ? { subresource: attrs.subresource } : {}) },
      },
    },
  });
  return r.status?.allowed === true;
}

describe('reconcile manifests', () => {
  it('are enough: as its ServiceAccount the reconciler reports and repairs drift, the student binding included', async () => {
    const ns = studentNamespace(className, students[0]!.id);
    await core.deleteNamespacedService({ namespace: ns, name: 'router' });
    await kc.makeApiClient(RbacAuthorizationV1Api).deleteNamespacedRoleBinding({ namespace: ns, name: STUDENT_BINDING });
    await core.createNamespacedServiceAccount({ namespace: studentNamespace(className, students[1]!.id), body: { metadata: { name: 'intruder' } } });
    const { report, repaired } = await reconcile(asReconciler, className, { repair: true });
    expect(report.problems).toEqual([]);
    expect(report.students.map((s) => s.objects.map((o) => `${o.problem} ${o.kind}/${o.name}`))).toEqual([[`missing RoleBinding/${STUDENT_BINDING}`, 'missing Service/router'], ['extra ServiceAccount/intruder']]);
    expect(repaired.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(formatDrift((await reconcile(asReconciler, className)).report.students)).toBe('');
  });

  it('are no more: nothing outside the class, no secrets, pods, exec, RBAC or volumes deletion', async () => {
    const ns = studentNamespace(className, students[0]!.id);
    const other = studentNamespace(otherClass, students[0]!.id);
    const must = [
      { verb: 'list', resource: 'namespaces' },
      { verb: 'watch', resource: 'deployments', group: 'apps' },
      { verb: 'patch', resource: 'networkpolicies', group: 'networking.k8s.io', namespace: ns },
      { verb: 'delete', resource: 'namespaces', name: ns },
      { verb: 'patch', resource: 'configmaps', namespace: SYSTEM_NAMESPACE, name: settingsName(className) },
      { verb: 'get', resource: 'secrets', namespace: SYSTEM_NAMESPACE, name: linkKeyName(className) },
    ];
    for (const a of must) expect(await allowed(a), JSON.stringify(a)).toBe(true);
    const mustNot = [
      // Other classes and other namespaces.
      { verb: 'patch', resource: 'services', namespace: other },
      { verb: 'delete', resource: 'namespaces', name: other },
      { verb: 'delete', resource: 'namespaces', name: stranger.name },
      { verb: 'create', resource: 'deployments', group: 'apps', namespace: stranger.name },
      { verb: 'patch', resource: 'configmaps', namespace: SYSTEM_NAMESPACE, name: settingsName(otherClass) },
      { verb: 'get', resource: 'secrets', namespace: SYSTEM_NAMESPACE, name: linkKeyName(otherClass) },
      { verb: 'delete', resource: 'configmaps', namespace: SYSTEM_NAMESPACE, name: `release-${release.labName}-v1` },
      // In its own class: no data, no way into nodes, no RBAC beyond binding the student ClusterRole.
      { verb: 'get', resource: 'secrets', namespace: ns },
      { verb: 'delete', resource: 'persistentvolumeclaims', namespace: ns },
      { verb: 'patch', resource: 'persistentvolumeclaims', namespace: ns },
      { verb: 'create', resource: 'pods', namespace: ns },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: ns },
      { verb: 'bind', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', name: 'cluster-admin' },
      { verb: 'bind', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', namespace: ns, name: 'admin' },
      { verb: 'escalate', resource: 'roles', group: 'rbac.authorization.k8s.io', namespace: ns },
      { verb: 'create', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
      { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: ns, name: 'student' },
    ];
    for (const a of mustNot) expect(await allowed(a), JSON.stringify(a)).toBe(false);
  });

  it('are enough for class time: suspend, resume, the idle warning and the schedule record, as its ServiceAccount', async () => {
    const student = students[0]!.id;
    const ns = studentNamespace(className, student);
    expect((await suspendStudents(asReconciler, className, { students: [student], by: 'idle' })).map((r) => [r.status, r.error])).toEqual([['suspended', undefined]]);
    expect((await resumeStudents(asReconciler, className, { students: [student] })).map((r) => [r.status, r.error])).toEqual([['resumed', undefined]]);
    await writeIdleWarning(asReconciler, ns, formatIdleWarning({ at: new Date().toISOString(), suspendAt: new Date(Date.now() + 600_000).toISOString() }));
    const settings = (await readClassSettings(client, className))!;
    const now = new Date();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const schedule = { timezone: 'UTC', warmSeconds: 0, entries: [{ date: now.toISOString().slice(0, 10), start: hhmm(new Date(now.getTime() - 60_000)), end: hhmm(new Date(now.getTime() + 3_600_000)) }] };
    const pass = await classTimePass(asReconciler, className, { ...settings, schedule }, await classNamespaces(client, className), { now });
    expect(pass.errors).toEqual([]);
    expect(pass.schedule?.current).toBeDefined();
    const cm = await client.read(CONFIG_MAP, settingsName(className), SYSTEM_NAMESPACE);
    expect(JSON.parse(cm!.data![SCHEDULE_RECORD_KEY]!)).toMatchObject({ warmed: pass.schedule!.current!.id });
    // Stamping other classes' labs is not the reconciler's business.
    await expect(recordActivity(asReconciler, studentNamespace(otherClass, students[0]!.id))).rejects.toThrow(/forbidden/i);
  });

  it('are enough to end the class at its end date, keeping the volumes', async () => {
    const settings = (await readClassSettings(client, className))!;
    const result = await expireClass(asReconciler, className, { ...settings, volumes: 'keep' });
    expect(result.deleted).toBeGreaterThan(0);
    expect((await readClassSettings(client, className))?.expired?.at).toBe(result.at);
  });
});
