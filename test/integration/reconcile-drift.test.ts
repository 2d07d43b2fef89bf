// Drift on the real control plane: five students, three of them changed by hand (a Service
// deleted, a NetworkPolicy edited, a Deployment scaled to 0). reconcile names exactly those
// three, by object and field; --repair restores them and nothing else; a ConfigMap a student
// made while students could still create them and a PVC Labforge did not create stay untouched.
import { AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { studentNamespace } from '../../common/compile';
import { studentCredentials, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { reconcile } from '../../main/engine/reconcile';
import { formatDrift } from '../../main/cli/tables';
import { deleteClassSettings } from '../../main/engine/reconcile-settings';
import type { Release } from '../../main/engine/releases';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, exampleLab, makeRelease, ROOT, uniqueLab } from './helpers/engine';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadTestKubeConfig, randomId, testKubeconfigPath } from './helpers/kube';

/** The labforge command as a process, against the test cluster. */
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/labforge.mjs'), ...args, '--kubeconfig', testKubeconfigPath()], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

const className = `drift-${randomId(3)}`;
const students = numberedStudents(5);
const [s1, s2, s3, , s5] = students.map((s) => s.id) as [string, string, string, string, string];
const ns = (id: string) => studentNamespace(className, id);
let client: HttpCluster;
let release: Release;
const kc = loadTestKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const networking = kc.makeApiClient(NetworkingV1Api);
/** uid and resourceVersion of the student's data before anything ran. */
const before = new Map<string, string>();

beforeAll(async () => {
  client = adminCluster();
  release = await makeRelease(client, uniqueLab(exampleLab('routing-lab.yaml'), 'rd'), 'v1');
  // The lab's quota admits exactly its own volumes (none here), so a claim Labforge did not make
  // can only predate the quota: it is made with the namespace, before the publish.
  await core.createNamespace({ body: { metadata: { name: ns(s5) } } });
  await core.createNamespacedPersistentVolumeClaim({
    namespace: ns(s5),
    body: { metadata: { name: 'my-work' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  });
  const r = await publish(client, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  // Students may no longer create ConfigMaps with their own credentials...
  const creds = await studentCredentials(client, className, s5, 3600);
  const skc = new KubeConfig();
  skc.loadFromString(creds.kubeconfig);
  await expect(skc.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: ns(s5), body: { metadata: { name: 'my-notes' }, data: { todo: 'route net-c' } } })).rejects.toMatchObject({ code: 403 });
  // ...but one made when they could (no Labforge label) is still theirs.
  await core.createNamespacedConfigMap({ namespace: ns(s5), body: { metadata: { name: 'my-notes' }, data: { todo: 'route net-c' } } });
  for (const [what, read] of [
    ['pvc', () => core.readNamespacedPersistentVolumeClaim({ namespace: ns(s5), name: 'my-work' })],
    ['cm', () => core.readNamespacedConfigMap({ namespace: ns(s5), name: 'my-notes' })],
  ] as const) {
    const o = await read();
    before.set(what, `${o.metadata?.uid}@${o.metadata?.resourceVersion}`);
  }
}, 240_000);

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  await deleteClassSettings(client, className).catch(() => undefined);
  client.close();
});

describe('reconcile', () => {
  it('finds nothing in a class as published', async () => {
    const { report } = await reconcile(client, className);
    expect(report.checked).toBe(5);
    expect(report.problems).toEqual([]);
    expect(formatDrift(report.students)).toBe('');
  });

  it('reports exactly the three students changed by hand, by object and field', { timeout: 300_000 }, async () => {
    await core.deleteNamespacedService({ namespace: ns(s1), name: 'router' });
    const policy = await networking.readNamespacedNetworkPolicy({ namespace: ns(s2), name: 'default-deny' });
    policy.spec!.policyTypes = ['Egress'];
    await networking.replaceNamespacedNetworkPolicy({ namespace: ns(s2), name: 'default-deny', body: policy, fieldManager: 'kubectl-edit' });
    await apps.replaceNamespacedDeploymentScale({ namespace: ns(s3), name: 'client-a', body: { metadata: { name: 'client-a', namespace: ns(s3) }, spec: { replicas: 0 } }, fieldManager: 'kubectl' });

    const { report, repaired } = await reconcile(client, className);
    expect(repaired).toEqual([]);
    const summary = report.students.map((s) => ({
      student: s.student,
      objects: s.objects.map((o) => ({ what: `${o.problem} ${o.kind}/${o.name}`, fields: o.fields.map((f) => ({ path: f.path, want: f.want, have: f.have, ...(f.by.length ? { by: f.by } : {}) })) })),
    }));
    expect(summary).toEqual([
      { student: s1, objects: [{ what: 'missing Service/router', fields: [] }] },
      { student: s2, objects: [{ what: 'changed NetworkPolicy/default-deny', fields: [{ path: 'spec.policyTypes', want: ['Ingress', 'Egress'], have: ['Egress'], by: ['kubectl-edit'] }] }] },
      { student: s3, objects: [{ what: 'changed Deployment/client-a', fields: [{ path: 'spec.replicas', want: 1, have: 0 }] }] },
    ]);
    // The API server records no manager for a change through the scale subresource to 0; the
    // policy edit names its editor.
    expect(formatDrift(report.students)).toContain(`${s3} (${ns(s3)}): Deployment/client-a spec.replicas: want 1, have 0`);
    expect(formatDrift(report.students)).toContain(`${s2} (${ns(s2)}): NetworkPolicy/default-deny spec.policyTypes: want ["Ingress","Egress"], have ["Egress"] (changed by kubectl-edit)`);

    // The same from the command line: the lines, and exit 1 with the next step.
    const r = cli('reconcile', '--class', className);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain(`class ${className}: 5 students checked, 3 drifted`);
    expect(r.stdout).toContain(`${s1} (${ns(s1)}): Service/router is missing`);
    expect(r.stderr).toContain(`repair with \`labforge reconcile --class ${className} --repair\``);
    const status = cli('status', '--class', className);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain('drift in 3 students');
    expect(status.stdout).toContain(`${s3}: Deployment/client-a changed (spec.replicas)`);
  });

  it('--repair restores them, re-applying only what drifted, and leaves the student data alone', async () => {
    const { repaired } = await reconcile(client, className, { repair: true });
    expect(repaired.map((r) => ({ student: r.student, applied: r.applied, deleted: r.deleted, error: r.error }))).toEqual([
      { student: s1, applied: ['Service/router'], deleted: [], error: undefined },
      { student: s2, applied: ['NetworkPolicy/default-deny'], deleted: [], error: undefined },
      { student: s3, applied: ['Deployment/client-a'], deleted: [], error: undefined },
    ]);
    expect((await core.readNamespacedService({ namespace: ns(s1), name: 'router' })).metadata?.name).toBe('router');
    expect((await networking.readNamespacedNetworkPolicy({ namespace: ns(s2), name: 'default-deny' })).spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect((await apps.readNamespacedDeployment({ namespace: ns(s3), name: 'client-a' })).spec?.replicas).toBe(1);

    const again = await reconcile(client, className);
    expect(formatDrift(again.report.students)).toBe('');
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace: ns(s5), name: 'my-work' });
    const cm = await core.readNamespacedConfigMap({ namespace: ns(s5), name: 'my-notes' });
    expect(`${pvc.metadata?.uid}@${pvc.metadata?.resourceVersion}`).toBe(before.get('pvc'));
    expect(`${cm.metadata?.uid}@${cm.metadata?.resourceVersion}`).toBe(before.get('cm'));
  });

  it('counts an object the student may not create as drift, and repair removes it', async () => {
    await networking.createNamespacedNetworkPolicy({
      namespace: ns(s2),
      body: { metadata: { name: 'allow-all' }, spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] } },
    });
    const { report, repaired } = await reconcile(client, className, { repair: true });
    expect(report.students.map((s) => [s.student, s.objects.map((o) => `${o.problem} ${o.kind}/${o.name}`)])).toEqual([[s2, ['extra NetworkPolicy/allow-all']]]);
    expect(repaired.map((r) => r.deleted)).toEqual([['NetworkPolicy/allow-all']]);
    expect(formatDrift((await reconcile(client, className)).report.students)).toBe('');
  });
});
