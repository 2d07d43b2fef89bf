// Publish creates a new namespace's objects by POST, which the API server records as an Update
// by `labforge`, not as a server-side apply. An upgrade must still remove what the new release
// dropped (an env var, a port, a pod label): before it applies, it adopts the created fields
// into its Apply entry. Checked on the real control plane, field by field, and for a publish
// that was interrupted after its creates and resumed before the upgrade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { studentNamespace, type KubeObject } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import { adoptCreated } from '../../main/kube/adopt-created';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE } from '../../main/kube/kinds';
import { adoptionPatch, FIELD_MANAGER, type ManagedFieldsEntry } from '../../main/kube/managed-fields';
import { adminCluster, exampleLab, expectedKeys, makeRelease, ownedKeys, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';

const DEPLOYMENT = kindOf<IDeployment>('apps/v1', 'Deployment');
const SERVICE = kindOf<IService>('v1', 'Service');
let client: HttpCluster;
let v1: Release;
let v2: Release;
let v1Lab: Lab;
const className = `own-${randomId(3)}`;
const students = [{ id: 'ada' }, { id: 'brian' }];
const ns = (id: string) => studentNamespace(className, id);

const ours = (o: { metadata?: { managedFields?: unknown } } | undefined) =>
  ((o?.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).filter((e) => e.manager === FIELD_MANAGER && !e.subresource).map((e) => e.operation);

beforeAll(async () => {
  client = adminCluster();
  v1Lab = uniqueLab(exampleLab('routing-lab.yaml'), 'own');
  const router = v1Lab.nodes.find((n) => n.name === 'router')!;
  router.env = { MODE: 'v1', KEEP: 'yes' };
  router.ports = [{ port: 80 }, { port: 8080 }];
  expect(router.networks).toEqual(['net-a', 'net-b']);
  v1 = await makeRelease(client, v1Lab, 'v1');
  const v2Lab = structuredClone(v1Lab);
  const r2 = v2Lab.nodes.find((n) => n.name === 'router')!;
  r2.env = { KEEP: 'yes' };
  r2.ports = [{ port: 80 }];
  r2.networks = ['net-a'];
  v2 = await makeRelease(client, v2Lab, 'v2');
}, 300_000);

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe('field ownership across an upgrade of created objects', () => {
  it('a new namespace is written by create: every object carries the Update entry, not Apply', async () => {
    const r = await publish(client, { className, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(['created', 'created']);
    for (const s of students) {
      expect(ours(await client.read(NAMESPACE, ns(s.id)))).toEqual(['Update']);
      expect(ours(await client.read(DEPLOYMENT, 'router', ns(s.id)))).toEqual(['Update']);
      expect(ours(await client.read(SERVICE, 'router', ns(s.id)))).toEqual(['Update']);
    }
  });

  it('adopting fails cleanly when the entries moved since they were read, then succeeds on a fresh read', async () => {
    // Read brian's router Service, then change its managedFields order behind the reader's
    // back (another manager's entry in front): the stale patch's tests must refuse it, and
    // adoptCreated must read again and adopt.
    const stale = (await client.read(SERVICE, 'router', ns('brian'))) as KubeObject;
    const mf = stale.metadata['managedFields'] as ManagedFieldsEntry[];
    // Only managedFields change, so the server keeps the list as sent: a second owner of the
    // node label, in front of ours.
    const moved = await client.patch(SERVICE, 'router', ns('brian'), [
      { op: 'add', path: '/metadata/managedFields/0', value: { manager: 'someone-else', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:labforge.dev/node': {} } } } } },
    ]);
    expect((moved.metadata['managedFields'] as ManagedFieldsEntry[]).map((e) => e.manager)).toEqual(['someone-else', ...mf.map((e) => e.manager)]);
    // The server refuses the patch computed from the stale read (its tests no longer hold)...
    await expect(client.patch(SERVICE, 'router', ns('brian'), adoptionPatch(stale, FIELD_MANAGER)!)).rejects.toMatchObject({ kind: 'invalid' });
    // ...and adoptCreated, given the same stale read, reads again and adopts.
    await adoptCreated(client, stale);
    const svc = await client.read(SERVICE, 'router', ns('brian'));
    expect(ours(svc)).toEqual(['Apply']);
    expect((svc?.metadata?.managedFields ?? []).map((e) => e.manager)).toContain('someone-else');
  });

  it('the upgrade removes the dropped env var, port and pod label, and owns every field by apply from then on', async () => {
    const r = await publish(client, { className, students, release: v2 });
    expect(r.results.map((x) => [x.status, x.error])).toEqual([['updated', undefined], ['updated', undefined]]);
    for (const s of students) {
      const d = await client.read(DEPLOYMENT, 'router', ns(s.id));
      const c = d?.spec?.template.spec?.containers[0];
      expect(c?.env).toEqual([{ name: 'KEEP', value: 'yes' }]);
      expect((c?.ports ?? []).map((p) => p.containerPort)).toEqual([80]);
      expect(Object.keys(d?.spec?.template.metadata?.labels ?? {}).filter((k) => k.startsWith('network.'))).toEqual(['network.labforge.dev/net-a']);
      const svc = await client.read(SERVICE, 'router', ns(s.id));
      expect((svc?.spec?.ports ?? []).map((p) => p.port)).toEqual([80]);
      expect(ours(d)).toEqual(['Apply']);
      expect(ours(svc)).toEqual(['Apply']);
      expect(ours(await client.read(NAMESPACE, ns(s.id)))).toEqual(['Apply']);
      expect(await ownedKeys(client, ns(s.id), v2.lab)).toEqual(expectedKeys(v2.lab, className, s.id, 'v2'));
    }
  });

  it('going back to v1 puts the env var, port and label back (the apply owns them again)', async () => {
    const r = await publish(client, { className, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(['updated', 'updated']);
    const d = await client.read(DEPLOYMENT, 'router', ns('ada'));
    const c = d?.spec?.template.spec?.containers[0];
    expect(c?.env).toEqual([{ name: 'MODE', value: 'v1' }, { name: 'KEEP', value: 'yes' }]);
    expect((c?.ports ?? []).map((p) => p.containerPort)).toEqual([80, 8080]);
    expect(d?.spec?.template.metadata?.labels?.['network.labforge.dev/net-b']).toBe('true');
  });
});

// The re-publish right after a create skips an object whose create-time entry holds only the
// compiled fields and the server's defaults (docs/benchmarks.md, ## Re-publish). An older
// release that set one of those defaulted fields to a value of its own, and a newer one that
// dropped it, must still get the field back to the server's default.
describe('a dropped field where the server has a default, on a created object', () => {
  const other = `own-${randomId(3)}`;
  const ons = (id: string) => studentNamespace(other, id);

  afterAll(async () => {
    await teardown(client, other).catch(() => undefined);
  });

  it('is removed (defaulted again) by the re-publish right after the create; objects holding only defaults are skipped', async () => {
    const r = await publish(client, { className: other, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(['created', 'created']);
    const d0 = await client.read(DEPLOYMENT, 'router', ons('ada'));
    const pull = d0?.spec?.template.spec?.containers[0]?.imagePullPolicy;
    expect(pull).toBeDefined();
    const s0 = await client.read(SERVICE, 'router', ons('ada'));
    expect(s0?.spec?.internalTrafficPolicy).toBe('Cluster');
    // What the create of an older release that compiled these fields would have left: the same
    // Update entry of Labforge's, owning them with values other than the defaults.
    const older = pull === 'Always' ? 'IfNotPresent' : 'Always';
    await client.patch(DEPLOYMENT, 'router', ons('ada'), [{ op: 'replace', path: '/spec/template/spec/containers/0/imagePullPolicy', value: older }]);
    await client.patch(SERVICE, 'router', ons('ada'), [{ op: 'replace', path: '/spec/internalTrafficPolicy', value: 'Local' }]);
    expect(ours(await client.read(DEPLOYMENT, 'router', ons('ada')))).toEqual(['Update']);

    const again = await publish(client, { className: other, students, release: v1 });
    expect(again.results.map((x) => [x.status, x.error])).toEqual([['updated', undefined], ['updated', undefined]]);
    const d = await client.read(DEPLOYMENT, 'router', ons('ada'));
    expect(d?.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe(pull);
    expect(ours(d)).toEqual(['Apply']);
    const svc = await client.read(SERVICE, 'router', ons('ada'));
    expect(svc?.spec?.internalTrafficPolicy).toBe('Cluster');
    expect(ours(svc)).toEqual(['Apply']);
    // The same objects of brian's, which hold only the compiled fields and defaults, and ada's
    // namespace, were not written.
    expect(ours(await client.read(DEPLOYMENT, 'router', ons('brian')))).toEqual(['Update']);
    expect(ours(await client.read(SERVICE, 'router', ons('brian')))).toEqual(['Update']);
    expect(ours(await client.read(NAMESPACE, ons('ada')))).toEqual(['Update']);
    expect(await ownedKeys(client, ons('ada'), v1.lab)).toEqual(expectedKeys(v1.lab, other, 'ada', 'v1'));
  });
});
