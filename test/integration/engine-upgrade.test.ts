// Releases over time: publish v1, then v2 over it (in place, volumes kept), diff the two,
// students leaving the roster, and resetting one student.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL, studentNamespace } from '../../common/compile';
import { reset, teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import { diffLabs, formatChange, listReleases, snapshot, type Release } from '../../main/engine/releases';
import { deploy } from '../../main/engine/deploy';
import type { Lab } from '../../common/lab';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM } from '../../main/kube/kinds';
import { adminCluster, exampleLab, expectedKeys, makeRelease, ownedKeys, uniqueLab } from './helpers/engine';
import { randomId, waitFor } from './helpers/kube';

let client: HttpCluster;
const DEPLOYMENT = kindOf<IDeployment>('apps/v1', 'Deployment');
const STATEFUL_SET = kindOf<IStatefulSet>('apps/v1', 'StatefulSet');
let v1Lab: Lab;
let v2Lab: Lab;
let v1: Release;
let v2: Release;
const className = `upg-${randomId(3)}`;
const students = [{ id: 'ada' }, { id: 'brian' }, { id: 'chen' }];
const ns = (id: string) => studentNamespace(className, id);

async function pvc(namespace: string) {
  const claim = await client.read(PERSISTENT_VOLUME_CLAIM, 'pgdata', namespace);
  if (!claim) throw new Error(`no claim pgdata in ${namespace}`);
  return claim;
}

async function namespace(name: string) {
  const ns = await client.read(NAMESPACE, name);
  if (!ns) throw new Error(`no namespace ${name}`);
  return ns;
}

beforeAll(async () => {
  client = adminCluster();
  v1Lab = uniqueLab(exampleLab('web-db.yaml'), 'up');
  v1 = await makeRelease(client, v1Lab, 'v1');
  v2Lab = structuredClone(v1Lab);
  v2Lab.nodes[0]!.image = 'nginx:1.28';
  v2Lab.nodes[1]!.env = { ...v2Lab.nodes[1]!.env, POSTGRES_DB: 'store' };
  v2Lab.nodes.push({ name: 'cache', kind: 'container', image: 'redis:7', networks: ['backend'], ports: [{ port: 6379 }] });
  v2Lab.exposures = [];
  // Deploying v2 to dev updates dev in place; snapshot then freezes v2.
  const d = await deploy(client, v2Lab, { timeoutMs: 120_000 });
  expect(d.ready).toBe(true);
  expect(d.pruned.deleted).toEqual(expect.arrayContaining([expect.stringMatching(/^Ingress\//), 'NetworkPolicy/allow-ingress-web']));
  v2 = await snapshot(client, 'v2', { fileLab: v2Lab });
}, 300_000);

afterAll(async () => {
  await teardown(client, className).catch(() => undefined);
  client.close();
});

describe('releases', () => {
  it('are listed and refuse to be overwritten', async () => {
    const tags = (await listReleases(client, v1Lab.metadata.name)).map((r) => r.tag);
    expect(tags).toEqual(['v1', 'v2']);
    await expect(snapshot(client, 'v1', { fileLab: v2Lab })).rejects.toThrow(/already exists; releases are immutable/);
  });

  it('diff shows what changed between v1 and v2', () => {
    const changes = diffLabs(v1.lab, v2.lab).map(formatChange);
    expect(changes).toEqual(
      expect.arrayContaining([
        `~ nodes.web.image: ${v1.lab.nodes[0]!.image} → nginx:1.28`,
        '~ nodes.db.env.POSTGRES_DB: shop → store',
        expect.stringMatching(/^\+ nodes\.cache: /),
        expect.stringMatching(/^- exposures\.web:80: /),
      ]),
    );
    expect(changes.some((c) => c.includes('layout'))).toBe(false);
  });
});

describe('publishing v2 over v1', () => {
  const uids = new Map<string, string>();

  it('v1 goes out with bound volumes', async () => {
    const r = await publish(client, { className, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(['created', 'created', 'created']);
    for (const s of students) {
      const claim = await waitFor(`pgdata bound in ${s.id}`, async () => {
        const c = await pvc(ns(s.id));
        return c.status?.phase === 'Bound' ? c : undefined;
      }, 60_000, 500);
      uids.set(s.id, claim.metadata!.uid!);
    }
  });

  it('updates objects in place, prunes what v2 dropped, and keeps every volume', async () => {
    const r = await publish(client, { className, students, release: v2 });
    expect(r.results.map((x) => x.status)).toEqual(['updated', 'updated', 'updated']);
    for (const s of students) {
      const web = await client.read(DEPLOYMENT, 'web', ns(s.id));
      expect(web?.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.28');
      expect(web?.metadata?.labels?.[LABEL.release]).toBe('v2');
      const db = await client.read(STATEFUL_SET, 'db', ns(s.id));
      expect(db?.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'POSTGRES_DB', value: 'store' });
      expect(await ownedKeys(client, ns(s.id), v2.lab)).toEqual(expectedKeys(v2.lab, className, s.id, 'v2'));
      const claim = await pvc(ns(s.id));
      expect(claim.metadata?.uid).toBe(uids.get(s.id));
      expect(claim.status?.phase).toBe('Bound');
      expect((await namespace(ns(s.id))).metadata?.labels?.[LABEL.release]).toBe('v2');
    }
  });

  it('reports students who left the roster, and removes them only with --prune', async () => {
    const stay = students.slice(0, 2);
    const r = await publish(client, { className, students: stay, release: v2 });
    expect(r.left).toEqual([{ student: 'chen', namespace: ns('chen'), removed: false }]);
    expect((await namespace(ns('chen'))).status?.phase).toBe('Active');
    const pruned = await publish(client, { className, students: stay, release: v2, prune: true });
    expect(pruned.left).toEqual([{ student: 'chen', namespace: ns('chen'), removed: true }]);
    const gone = await waitFor('chen to go', async () => {
      const n = await client.read(NAMESPACE, ns('chen'));
      return n === undefined || n.status?.phase === 'Terminating';
    }, 60_000, 500);
    expect(gone).toBe(true);
  });

  it('reset re-creates one student from their release, with a fresh volume', async () => {
    const before = (await namespace(ns('ada'))).metadata!.uid;
    const r = await reset(client, className, 'ada', 180_000);
    expect(r.status).toBe('created');
    const after = await namespace(ns('ada'));
    expect(after.metadata!.uid).not.toBe(before);
    expect(after.metadata?.labels?.[LABEL.release]).toBe('v2');
    expect(await ownedKeys(client, ns('ada'), v2.lab)).toEqual(expectedKeys(v2.lab, className, 'ada', 'v2'));
    expect((await pvc(ns('ada'))).metadata?.uid).not.toBe(uids.get('ada'));
    // The other student is untouched.
    expect((await pvc(ns('brian'))).metadata?.uid).toBe(uids.get('brian'));
  });
});
