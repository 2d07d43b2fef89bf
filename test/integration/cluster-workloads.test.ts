// The local control plane behaves like a real cluster for what compiled labs need: scheduling onto
// kwok nodes, namespace deletion, quota accounting and RBAC.
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestNamespace, httpStatus, loadTestKubeConfig, waitFor, waitForRunningPod, type TestNamespace,
} from './helpers/kube';

let kc: KubeConfig;
const namespaces: TestNamespace[] = [];
async function ns(prefix: string) {
  const n = await createTestNamespace(kc, prefix);
  namespaces.push(n);
  return n.name;
}

beforeAll(() => {
  kc = loadTestKubeConfig();
});
afterAll(async () => {
  await Promise.all(namespaces.map((n) => n.cleanup()));
});

describe('local cluster', () => {
  it('runs a Deployment pod on a kwok node', async () => {
    const namespace = await ns('deploy');
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
          },
        },
      },
    });
    const pod = await waitForRunningPod(kc, namespace, 'app=web');
    expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: pod.spec!.nodeName! });
    expect(node.metadata?.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
    expect(node.status?.capacity).toMatchObject({ cpu: '32', memory: '128Gi', pods: '110' });
    const ready = await waitFor('deployment available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
      return d.status?.availableReplicas === 1 ? d : undefined;
    });
    expect(ready.status?.readyReplicas).toBe(1);
  });

  it('completes namespace deletion', async () => {
    const n = await createTestNamespace(kc, 'gone');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: n.name, body: { metadata: { name: 'data' }, data: { a: '1' } } });
    await core.createNamespacedPod({
      namespace: n.name,
      body: { metadata: { name: 'p', labels: { app: 'p' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    await waitForRunningPod(kc, n.name, 'app=p');
    await n.cleanup({ wait: true });
    await expect(core.readNamespace({ name: n.name })).rejects.toSatisfy((e) => httpStatus(e) === 404);
  });

  it('fills in ResourceQuota status.used', async () => {
    const namespace = await ns('quota');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'q' }, spec: { hard: { pods: '5', configmaps: '10', 'requests.cpu': '2' } } },
    });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'one' }, data: {} } });
    const q = await waitFor('quota status.used', async () => {
      const r = await core.readNamespacedResourceQuota({ name: 'q', namespace });
      // Ours at least (kube-root-ca.crt, published by another controller, may come later). A
      // controller-manager working through a full CI run's namespaces can take minutes.
      return r.status?.used && Number(r.status.used.configmaps) >= 1 ? r : undefined;
    }, 170_000);
    expect(q.status?.hard).toMatchObject({ pods: '5', configmaps: '10', 'requests.cpu': '2' });
    expect(q.status?.used).toMatchObject({ pods: '0', 'requests.cpu': '0' });
    // Admission enforces the quota: a pod without a cpu request is refused while requests.cpu is limited.
    await expect(
      core.createNamespacedPod({ namespace, body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } }),
    ).rejects.toSatisfy((e) => httpStatus(e) === 403);
  });

  it('authorizes a ServiceAccount through its RoleBinding only in its namespace', async () => {
    const home = await ns('rbac-home');
    const other = await ns('rbac-other');
    const core = kc.makeApiClient(CoreV1Api);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: home, body: { metadata: { name: 'student' } } });
    await rbac.createNamespacedRole({
      namespace: home,
      body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: home,
      body: {
        metadata: { name: 'student-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'student', namespace: home }],
      },
    });
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const user = `system:serviceaccount:${home}:student`;
    const ask = async (namespace: string, verb: string) => {
      const r = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${home}`, 'system:authenticated'],
            resourceAttributes: { namespace, verb, resource: 'pods' },
          },
        },
      });
      return r.status?.allowed ?? false;
    };
    // RBAC caches are informer-fed; give the new binding a moment.
    await waitFor('the RoleBinding to take effect', async () => (await ask(home, 'list')) || undefined, 10_000);
    expect(await ask(home, 'get')).toBe(true);
    expect(await ask(home, 'delete')).toBe(false);
    expect(await ask(other, 'list')).toBe(false);
    expect(await ask(other, 'get')).toBe(false);
  });

  it('keeps the fake nodes Ready and untainted', async () => {
    const nodes = (await kc.makeApiClient(CoreV1Api).listNode({ labelSelector: 'labforge.dev/fake-node=true' })).items;
    expect(nodes.length).toBeGreaterThanOrEqual(1);
    for (const n of nodes) {
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect((n.spec?.taints ?? []).filter((t) => t.key.startsWith('node.kubernetes.io/'))).toEqual([]);
    }
  });

  it('has the objects compiled labs rely on', async () => {
    const { ApiextensionsV1Api, NetworkingV1Api } = await import('@kubernetes/client-node');
    const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'virtualmachines.kubevirt.io' });
    expect(crd.spec.names.kind).toBe('VirtualMachine');
    expect(crd.spec.scope).toBe('Namespaced');
    // Applied as raw JSON: a typed client would have dropped this JSON-named key (the VM's
    // status is kept unchecked, its spec is checked: main/cluster/kubevirt-crds.ts).
    const schema = crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties;
    expect(schema?.['status']?.x_kubernetes_preserve_unknown_fields).toBe(true);
    expect(schema?.['spec']?.x_kubernetes_preserve_unknown_fields).toBeUndefined();
    const ic = await kc.makeApiClient(NetworkingV1Api).readIngressClass({ name: 'nginx' });
    expect(ic.spec?.controller).toBe('k8s.io/ingress-nginx');
    expect(ic.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class']).toBe('true');
    await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'ingress-nginx' });
    const namespace = await ns('vm');
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'kubevirt.io', version: 'v1', namespace, plural: 'virtualmachines',
      body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1' }, spec: { running: false, template: { spec: { domain: { devices: {} } } } } },
    });
    const vm = (await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace, plural: 'virtualmachines', name: 'vm1' })) as { spec: unknown };
    expect(vm.spec).toMatchObject({ running: false, template: { spec: { domain: { devices: {} } } } });
  });
});
