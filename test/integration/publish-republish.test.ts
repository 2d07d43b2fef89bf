// Re-publishing an unchanged class skips the applies that would change nothing (issue 31), but
// must still repair what drifted: a Deployment scaled by hand, a label edited, a ConfigMap's data
// rewritten. Checked on the real control plane, with every write publish makes counted.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL, studentNamespace, type KubeObject } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import type { Cluster } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { adminCluster, exampleLab, expectedKeys, makeRelease, ownedKeys, uniqueLab } from './helpers/engine';
import { loadTestKubeConfig, randomId } from './helpers/kube';

let client: HttpCluster;
let lab: Lab;
let release: Release;
const className = `rep-${randomId(3)}`;
const students = [{ id: 'ada' }, { id: 'brian' }];
const ns = (id: string) => studentNamespace(className, id);
const kc = loadTestKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

/** The client, with every write it makes recorded as `verb kind/name in namespace`. */
function counting(inner: Cluster): { cluster: Cluster; writes: string[] } {
  const writes: string[] = [];
  const cluster = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'apply' || prop === 'create') {
          const o = args[0] as KubeObject;
          if (!(args[1] as { dryRun?: boolean } | undefined)?.dryRun) writes.push(`${String(prop)} ${o.kind}/${o.metadata.name} in ${o.metadata.namespace ?? ''}`);
        }
        if (prop === 'patch' || prop === 'delete') writes.push(`${String(prop)} ${(args[0] as { kind: string }).kind}/${String(args[1])} in ${String(args[2] ?? '')}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { cluster, writes };
}

beforeAll(async () => {
  client = adminCluster();
  lab = uniqueLab(exampleLab('web-db.yaml'), 'rep');
  release = await makeRelease(client, lab, 'v1');
}, 300_000);

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

const studentWrites = (writes: string[]) => writes.filter((w) => students.some((s) => w.endsWith(` in ${ns(s.id)}`) || w.includes(`Namespace/${ns(s.id)} `)));

describe('re-publishing an unchanged class', () => {
  it('the re-publish right after a first publish writes nothing: the create-time fields beyond the compiled ones hold the server defaults', async () => {
    const first = await publish(client, { className, students, release });
    expect(first.results.map((r) => r.status)).toEqual(['created', 'created']);
    const { cluster, writes } = counting(client);
    const again = await publish(cluster, { className, students, release });
    expect(again.results.map((r) => [r.status, r.error])).toEqual([['updated', undefined], ['updated', undefined]]);
    // Not even the objects whose create-time entry holds defaults (the Namespace, the volume,
    // the Services, the Deployment and the StatefulSet): nothing is adopted or applied.
    expect(studentWrites(writes)).toEqual([]);
    for (const s of students) expect(await ownedKeys(client, ns(s.id), lab)).toEqual(expectedKeys(lab, className, s.id, 'v1'));
  });

  it('and neither does the next one, which keeps every object', async () => {
    const { cluster, writes } = counting(client);
    const r = await publish(cluster, { className, students, release });
    expect(r.results.map((x) => [x.status, x.error])).toEqual([['updated', undefined], ['updated', undefined]]);
    expect(studentWrites(writes)).toEqual([]);
    for (const s of students) expect(await ownedKeys(client, ns(s.id), lab)).toEqual(expectedKeys(lab, className, s.id, 'v1'));
  });

  it('repairs what drifted (a Deployment scaled to 3, an edited label, rewritten ConfigMap data) and writes only those objects', async () => {
    const a = ns('ada');
    const b = ns('brian');
    await apps.replaceNamespacedDeploymentScale({ namespace: a, name: 'web', body: { metadata: { name: 'web', namespace: a }, spec: { replicas: 3 } }, fieldManager: 'kubectl' });
    const svc = await core.readNamespacedService({ namespace: b, name: 'db' });
    svc.metadata!.labels = { ...svc.metadata!.labels, [LABEL.node]: 'edited' };
    await core.replaceNamespacedService({ namespace: b, name: 'db', body: svc, fieldManager: 'kubectl-edit' });
    const cm = await core.readNamespacedConfigMap({ namespace: b, name: 'web-files' });
    const dataKey = Object.keys(cm.data ?? {})[0]!;
    cm.data = { ...cm.data, [dataKey]: 'defaced' };
    await core.replaceNamespacedConfigMap({ namespace: b, name: 'web-files', body: cm, fieldManager: 'kubectl-edit' });

    const { cluster, writes } = counting(client);
    const r = await publish(cluster, { className, students, release });
    expect(r.results.map((x) => [x.status, x.error])).toEqual([['updated', undefined], ['updated', undefined]]);
    const drifted = [`ConfigMap/web-files in ${b}`, `Deployment/web in ${a}`, `Service/db in ${b}`];
    expect(studentWrites(writes).filter((w) => w.startsWith('apply ')).sort()).toEqual(drifted.map((d) => `apply ${d}`));
    // Before its apply, an object still holding create-time fields (nothing was applied since
    // the creates) has them adopted: nothing else is patched.
    for (const w of studentWrites(writes).filter((x) => !x.startsWith('apply '))) expect(drifted.map((d) => `patch ${d}`)).toContain(w);

    expect((await apps.readNamespacedDeployment({ namespace: a, name: 'web' })).spec?.replicas).toBe(1);
    expect((await core.readNamespacedService({ namespace: b, name: 'db' })).metadata?.labels?.[LABEL.node]).toBe('db');
    expect((await core.readNamespacedConfigMap({ namespace: b, name: 'web-files' })).data?.[dataKey]).not.toBe('defaced');

    // Repaired means up to date again: the next re-publish writes nothing.
    const next = counting(client);
    await publish(next.cluster, { className, students, release });
    expect(studentWrites(next.writes)).toEqual([]);
  });
});
