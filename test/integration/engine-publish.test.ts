// Publish a 4-node lab to 50 students on the real control plane, check every namespace, then
// tear the class down and check nothing Labforge created remains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedStudents } from '../../main/class/roster';
import { LABEL, studentKey, studentNamespace, type KubeObject } from '../../common/compile';
import { STUDENT_ROLE, STUDENT_RULES } from '../../common/compile/rbac';
import { labelSelector } from '../../common/compile/labels';
import { classStatus, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import type { Lab } from '../../common/lab';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { CONFIG_MAP, NAMESPACE, POD } from '../../main/kube/kinds';
import { adminCluster, exampleLab, expectedKeys, makeRelease, ownedKeys, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const STUDENTS = 50;
const CLUSTER_ROLE = kindOf('rbac.authorization.k8s.io/v1', 'ClusterRole');
let client: HttpCluster;
let lab: Lab;
let release: Release;
const className = `pub-${randomId(3)}`;
const students = numberedStudents(STUDENTS);

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('routing-lab.yaml'));
  expect(lab.nodes).toHaveLength(4);
  release = await makeRelease(client, lab, 'v1');
});

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe(`publish to ${STUDENTS} students`, () => {
  it('creates one namespace per student, all reported as created', async () => {
    const r = await publish(client, { className, students, release });
    expect(r.results.filter((x) => x.status !== 'created')).toEqual([]);
    expect(r.results).toHaveLength(STUDENTS);
    expect(new Set(r.results.map((x) => x.namespace)).size).toBe(STUDENTS);
    const namespaces = (await client.list(NAMESPACE, { labelSelector: labelSelector({ [LABEL.class]: className }) })).items;
    expect(namespaces).toHaveLength(STUDENTS);
  });

  it('gives every namespace exactly its objects: quota, limits, policies, RBAC, workloads', async () => {
    for (const s of students) {
      const ns = studentNamespace(className, s.id);
      const owned = await ownedKeys(client, ns, lab);
      expect(owned, ns).toEqual(expectedKeys(lab, className, s.id, 'v1'));
      expect(owned).toEqual(
        expect.arrayContaining([
          'v1/ResourceQuota/labforge-quota',
          'v1/LimitRange/labforge-limits',
          'networking.k8s.io/v1/NetworkPolicy/default-deny',
          'networking.k8s.io/v1/NetworkPolicy/net-net-a',
          'v1/ServiceAccount/student',
          'rbac.authorization.k8s.io/v1/RoleBinding/labforge-student-access',
          'apps/v1/Deployment/router',
        ]),
      );
      // The rules are the shared ClusterRole's, not a Role per student.
      expect(owned.filter((k) => k.includes('/Role/'))).toEqual([]);
    }
    const role = await client.read(CLUSTER_ROLE, STUDENT_ROLE);
    expect((role as { rules?: unknown })?.rules).toEqual(STUDENT_RULES);
  });

  it('a namespace published before the shared ClusterRole (a Role, its binding, a separate DNS policy) converges: the old objects are pruned', async () => {
    const s = students[3]!;
    const ns = studentNamespace(className, s.id);
    const labels = { 'app.kubernetes.io/managed-by': 'labforge', [LABEL.lab]: lab.metadata.name, [LABEL.class]: className, [LABEL.student]: studentKey(s.id), [LABEL.release]: 'v1' };
    const meta = (name: string) => ({ name, namespace: ns, labels });
    // What the earlier compiler wrote into every student namespace.
    for (const o of [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('labforge-student'), rules: STUDENT_RULES },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('labforge-student'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'labforge-student' }, subjects: [{ kind: 'ServiceAccount', name: 'student', namespace: ns }] },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('allow-dns'), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    ] as KubeObject[]) {
      await client.apply(o);
    }
    const before = await ownedKeys(client, ns, lab);
    expect(before).toEqual(expect.arrayContaining(['rbac.authorization.k8s.io/v1/Role/labforge-student', 'rbac.authorization.k8s.io/v1/RoleBinding/labforge-student', 'networking.k8s.io/v1/NetworkPolicy/allow-dns']));

    const r = await publish(client, { className, students: [s], release });
    expect(r.results.map((x) => x.status)).toEqual(['updated']);
    expect(await ownedKeys(client, ns, lab)).toEqual(expectedKeys(lab, className, s.id, 'v1'));
    const deny = await client.read(kindOf('networking.k8s.io/v1', 'NetworkPolicy'), 'default-deny', ns);
    expect((deny as { spec?: { egress?: unknown[] } })?.spec?.egress).toHaveLength(1);
  });

  it('the quotas get status and the class status table counts every node', async () => {
    const deadline = Date.now() + 120_000;
    let rows = await classStatus(client, className);
    // Quota usage settles a moment after the pods do (the controller recounts on its own time).
    while (rows.some((r) => r.ready < 4 || r.cpu.used !== '400m') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      rows = await classStatus(client, className);
    }
    expect(rows).toHaveLength(STUDENTS);
    for (const r of rows) {
      expect(r.total).toBe(4);
      expect(r.ready).toBe(4);
      expect(r.release).toBe('v1');
      expect(r.cpu).toEqual({ used: '400m', hard: '500m' });
    }
  });

  it('publishing the same release again converges with no changes in objects', async () => {
    const before = await ownedKeys(client, studentNamespace(className, students[7]!.id), lab);
    const r = await publish(client, { className, students, release });
    expect(r.results.every((x) => x.status === 'updated')).toBe(true);
    expect(await ownedKeys(client, studentNamespace(className, students[7]!.id), lab)).toEqual(before);
  });

  it('teardown leaves nothing Labforge created for the class', async () => {
    const r = await teardown(client, className, undefined, 240_000);
    expect(r.stuck).toEqual([]);
    expect(r.deleted).toHaveLength(STUDENTS);
    const selector = labelSelector({ [LABEL.class]: className });
    for (const kind of [NAMESPACE, POD, CONFIG_MAP, kindOf('v1', 'Service')].map((k) => kindOf(k.apiVersion, k.kind))) {
      expect((await client.list(kind, { labelSelector: selector })).items, kind.kind).toEqual([]);
    }
    // Other classes bind the shared ClusterRole; a class's teardown leaves it.
    expect(await client.read(CLUSTER_ROLE, STUDENT_ROLE)).toBeDefined();
  });
});
