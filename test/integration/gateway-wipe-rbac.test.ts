// The SSH gateway's wipe on disconnect (volumes kept, then dropped) and the in-cluster manifests'
// RBAC: SubjectAccessReviews show it is enough and no more, and a gateway running with exactly
// that ServiceAccount's token serves a real `ssh` login.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import type { KubeObject } from '../../common/compile/types';
import { teardown } from '../../main/engine/class-ops';
import { SYSTEM_NAMESPACE } from '../../main/engine/release-record';
import { HOST_KEY_SECRET } from '../../main/gateway/host-key';
import { listKeys } from '../../main/gateway/key-store';
import { gatewayManifests, gatewayName } from '../../main/gateway/manifests';
import { kindOfObject, NAMESPACE, POD } from '../../main/kube/kinds';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster } from './helpers/engine';
import { randomId, waitFor } from './helpers/kube';
import { addKeyFile, publishClass, SshRig, startGateway } from './gateway-rig';

const className = `gww-${randomId(3)}`;
let cluster: HttpCluster;
let rig: SshRig;
let students: string[];
let key: string;
let applied: KubeObject[] = [];

beforeAll(async () => {
  cluster = adminCluster();
  rig = new SshRig();
  ({ students } = await publishClass(cluster, className, 2, 'gww'));
  key = rig.keygen('student');
  for (const s of students) await addKeyFile(cluster, className, s, rig, key);
}, 400_000);

afterAll(async () => {
  for (const o of applied.reverse()) await cluster.delete(kindOfObject(o), o.metadata.name, o.metadata.namespace).catch(() => undefined);
  rig?.cleanup();
  if (cluster) await teardown(cluster, className).catch(() => undefined);
  cluster?.close();
});

const podNames = async (ns: string) => (await cluster.list(POD, { namespace: ns })).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '').sort();
/** The pods' names once every one of them is Ready (the containers really run on the real node). */
const readyPodNames = async (ns: string) => {
  const pods = (await cluster.list(POD, { namespace: ns })).items.filter((p) => !p.metadata?.deletionTimestamp);
  return pods.every((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ? pods.map((p) => p.metadata?.name ?? '').sort() : [];
};

describe('wipe on disconnect', () => {
  it('resets the namespace to the release when the last session ends: volumes kept, then dropped; keys survive', async () => {
    const student = students[0]!;
    const ns = studentNamespace(className, student);
    const nsUid = async () => (await cluster.read(NAMESPACE, ns))?.metadata?.uid;
    for (const volumes of ['keep', 'drop'] as const) {
      const { gw, port } = await startGateway(rig, cluster, className, { wipe: { volumes } });
      try {
        rig.trust([port]);
        const uidBefore = await nsUid();
        const podsBefore = await podNames(ns);
        const r = await rig.ssh(port, key, student, 'echo work > /tmp/notes; echo saved');
        expect(r, `${volumes}: ${r.stderr}`).toMatchObject({ code: 0, stdout: 'saved\n' });
        await waitFor('the wipe to start', async () => rig.logs.some((l) => l['event'] === 'wipe-start' && l['volumes'] === volumes) || undefined, 15_000, 100);
        await gw.wipeDone(student);
        expect(rig.logs.filter((l) => l['event'] === 'wipe-failed')).toEqual([]);
        expect(gw.stats.wipes).toBe(1);
        if (volumes === 'keep') expect(await nsUid()).toBe(uidBefore);
        else expect(await nsUid()).not.toBe(uidBefore);
        // Every pod is new: nothing the student did survives in them.
        const podsAfter = await waitFor('the lab to come back', async () => {
          const names = await readyPodNames(ns);
          return names.length === podsBefore.length && names.every((n) => !podsBefore.includes(n)) ? names : undefined;
        }, 240_000, 500); // the controllers recreate four workloads; minutes on a machine running the whole suite
        expect(podsAfter.length).toBe(4);
        expect((await listKeys(cluster, className, student)).length).toBe(1);
        // The other student was left alone.
        expect(gw.sessionsOf(students[1]!)).toBe(0);
      } finally {
        await gw.stop();
      }
    }
  }, 700_000);
});

describe('in-cluster manifests', () => {
  it('grant enough to serve a login and no more (SubjectAccessReview)', async () => {
    const namespaces = students.map((s) => studentNamespace(className, s));
    const objects = gatewayManifests({ className, namespaces, image: 'example.invalid/labforge:test' });
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount', 'ClusterRole', 'RoleBinding']));
    rig.hostKey ??= (await import('../../main/gateway/host-key').then((m) => m.ensureHostKey(cluster)));
    for (const o of objects.filter((x) => x.kind !== 'Deployment' && x.kind !== 'Service')) {
      await cluster.apply(o);
      applied.push(o);
    }
    const name = gatewayName(className);
    const user = `system:serviceaccount:${SYSTEM_NAMESPACE}:${name}`;
    const can = async (verb: string, resource: string, namespace?: string, extra: { subresource?: string; name?: string; group?: string } = {}) => {
      const review = (await cluster.create({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: { name: '' }, spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${SYSTEM_NAMESPACE}`], resourceAttributes: { verb, resource, group: extra.group ?? '', ...(namespace ? { namespace } : {}), ...(extra.subresource ? { subresource: extra.subresource } : {}), ...(extra.name ? { name: extra.name } : {}) } } })) as { status?: { allowed?: boolean } };
      return review.status?.allowed === true;
    };
    const ns = namespaces[0]!;
    const allowed: [string, string, string | undefined, Parameters<typeof can>[3]?][] = [
      ['list', 'secrets', ns],
      ['watch', 'secrets', ns],
      ['get', 'pods', ns],
      ['create', 'pods', ns, { subresource: 'exec' }],
      ['get', 'pods', ns, { subresource: 'exec' }],
      ['create', 'events', ns],
      ['list', 'namespaces', undefined],
      ['get', 'secrets', SYSTEM_NAMESPACE, { name: HOST_KEY_SECRET }],
      ['get', 'configmaps', SYSTEM_NAMESPACE, { name: 'release-anything' }],
      // Resume on login (engine/suspend.ts): apply of the existing workloads, and the namespace stamp.
      ['patch', 'deployments', ns, { group: 'apps' }],
      ['patch', 'statefulsets', ns, { group: 'apps' }],
      ['patch', 'namespaces', undefined, { name: ns }],
    ];
    const denied: [string, string, string | undefined, Parameters<typeof can>[3]?][] = [
      ['list', 'secrets', undefined],
      ['get', 'secrets', 'kube-system', { name: 'x' }],
      ['list', 'secrets', SYSTEM_NAMESPACE],
      ['get', 'secrets', SYSTEM_NAMESPACE, { name: 'labforge-link-key-other' }],
      ['create', 'secrets', ns],
      ['update', 'secrets', ns],
      ['delete', 'secrets', ns],
      ['delete', 'pods', ns],
      ['create', 'pods', ns],
      ['create', 'pods', 'default', { subresource: 'exec' }],
      ['create', 'pods', SYSTEM_NAMESPACE, { subresource: 'exec' }],
      ['create', 'deployments', ns, { group: 'apps' }],
      ['delete', 'namespaces', undefined, { name: ns }],
      ['create', 'configmaps', SYSTEM_NAMESPACE],
      ['delete', 'deployments', ns, { group: 'apps' }],
      ['patch', 'deployments', 'kube-system', { group: 'apps' }],
      ['patch', 'namespaces', undefined, { name: 'kube-system' }],
    ];
    for (const [verb, resource, namespace, extra] of allowed) expect(await can(verb, resource, namespace, extra), `${verb} ${resource} in ${namespace ?? '(cluster)'}`).toBe(true);
    for (const [verb, resource, namespace, extra] of denied) expect(await can(verb, resource, namespace, extra), `${verb} ${resource} in ${namespace ?? '(cluster)'}`).toBe(false);

    // Enough: a gateway holding exactly this ServiceAccount's token serves a real login.
    const token = await cluster.createToken({ namespace: SYSTEM_NAMESPACE, name }, 600);
    const id = cluster.identity;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: id.server, ...(id.caData ? { caData: id.caData } : {}), skipTLSVerify: id.skipTlsVerify ?? false }],
      users: [{ name: 'gw', token: token.token }],
      contexts: [{ name: 'gw', cluster: 'c', user: 'gw' }],
      currentContext: 'gw',
    });
    const asGateway = clusterFor(kc);
    const { gw, port } = await startGateway(rig, asGateway, className, {}, kc);
    try {
      expect(gw['index'].mode).toBe('namespaces');
      rig.trust([port]);
      const r = await rig.ssh(port, key, `${students[1]!}+router`, 'hostname; exit 5');
      expect(r.code).toBe(5);
      expect(r.stdout).toBe('router\n');
    } finally {
      await gw.stop();
      asGateway.close();
    }
  }, 120_000);
});
