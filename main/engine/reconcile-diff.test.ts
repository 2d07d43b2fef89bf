import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { formatDrift } from '../cli/tables';
import { changedFields, isStudentOrSystem, namespaceDrift, sameValue } from './reconcile-diff';
import { resourceOf, studentMayCreate } from './reconcile';

const deployment = (replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', labels: { 'labforge.dev/lab': 'l' }, ...extra },
  spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '0.5' } } }] } } },
});

describe('drift of one namespace', () => {
  it("leaves Labforge's own services' bindings alone (the in-cluster reconciler and SSH gateway), but not look-alikes", () => {
    const binding = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'ns', labels } });
    const never = () => false;
    expect(isStudentOrSystem(binding({ 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'ssh-gateway' }), never)).toBe(true);
    expect(isStudentOrSystem(binding({ 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'reconciler' }), never)).toBe(true);
    expect(isStudentOrSystem(binding({ 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'student-access' }), never)).toBe(false);
    expect(isStudentOrSystem(binding({ 'app.kubernetes.io/component': 'ssh-gateway' }), never)).toBe(false);
  });

  it('compares as the server stores values', () => {
    expect(sameValue('500m', '0.5')).toBe(true);
    expect(sameValue(80, '80')).toBe(true);
    expect(sameValue('1Gi', '1024Mi')).toBe(true);
    expect(sameValue('nginx', 'nginx:1')).toBe(false);
    expect(sameValue(1, undefined)).toBe(false);
  });

  it('finds a changed field, names it and who changed it, and ignores what the server added', () => {
    const live = deployment(0, {
      uid: 'u',
      managedFields: [
        { manager: 'labforge', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:template': {} } } },
        { manager: 'kubectl', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      ],
    });
    (live['spec'] as any).template.spec.containers[0].resources.requests.cpu = '500m';
    (live['spec'] as any).template.spec.containers[0].terminationMessagePath = '/dev/termination-log';
    expect(changedFields(deployment(1), live)).toEqual([{ path: 'spec.replicas', want: 1, have: 0, by: ['kubectl'] }]);
  });

  it('a list of another length is one changed field; labels are compared, server metadata is not', () => {
    const want: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', labels: { a: '1' } }, spec: { ingress: [{ from: [{ podSelector: {} }] }] } };
    const have: KubeObject = { ...want, metadata: { name: 'p', labels: { a: '2' }, resourceVersion: '9' }, spec: { ingress: [{ from: [{ podSelector: {} }] }, {}] } };
    expect(changedFields(want, have).map((f) => f.path)).toEqual(['metadata.labels.a', 'spec.ingress']);
  });

  it('reports missing and extra objects; volumes, what the student may create and cluster objects are theirs', () => {
    const obj = (kind: string, name: string, apiVersion = 'v1', meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: 'ns', ...meta } });
    const expected = [obj('Service', 'web'), obj('ConfigMap', 'web-files')];
    const live = [
      obj('ConfigMap', 'web-files'),
      obj('PersistentVolumeClaim', 'scratch'),
      // Made by a student while students could still create ConfigMaps: no Labforge label.
      obj('ConfigMap', 'my-notes'),
      // The check results Labforge keeps, and a copy of them posing as Labforge's.
      obj('ConfigMap', 'labforge-checks', 'v1', { labels: { 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'checks' } }),
      obj('ConfigMap', 'checks-copy', 'v1', { labels: { 'app.kubernetes.io/managed-by': 'labforge', 'app.kubernetes.io/component': 'checks' } }),
      obj('ServiceAccount', 'default'),
      obj('Role', 'sneaky', 'rbac.authorization.k8s.io/v1'),
    ];
    const drift = namespaceDrift({ expected, live, studentMayCreate: (v, k) => studentMayCreate(v, k) });
    expect(drift.map((d) => `${d.problem} ${d.kind}/${d.name}`)).toEqual(['extra ConfigMap/checks-copy', 'extra Role/sneaky', 'missing Service/web']);
    expect(formatDrift([{ student: 's1', namespace: 'ns', objects: drift }])).toContain('s1 (ns): Service/web is missing');
  });

  it('derives what students may create from their Role', () => {
    expect(resourceOf('NetworkPolicy')).toBe('networkpolicies');
    expect(resourceOf('Ingress')).toBe('ingresses');
    expect(studentMayCreate('v1', 'ConfigMap')).toBe(false);
    expect(studentMayCreate('v1', 'ConfigMap', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }])).toBe(true);
    expect(studentMayCreate('v1', 'Service')).toBe(false);
    expect(studentMayCreate('apps/v1', 'Deployment')).toBe(false);
    expect(studentMayCreate('v1', 'Pod')).toBe(false);
  });
});
