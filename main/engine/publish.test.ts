import { describe, expect, it } from 'vitest';
import { compileLab, LABEL, studentNamespace } from '../../common/compile';
import type { Lab } from '../../common/lab';
import { exampleLab } from '../../test/helpers/examples';
import { memoryCluster, realWrites, releaseOf } from '../../test/helpers/memory-cluster';
import { numberedStudents } from '../class/roster';
import { PreflightError } from '../kube/apply';
import { kindOf } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM } from '../kube/kinds';
import type { MemoryCluster, Write } from '../../test/helpers/in-memory-cluster';
import { key, listOwned } from './owned';
import { CapacityError, publish } from './publish';

const CLASS = 'c1';
const students = numberedStudents(5);

function classNamespaces(c: MemoryCluster): string[] {
  return c
    .all('v1', 'Namespace')
    .filter((n) => n.metadata.labels?.[LABEL.class] === CLASS)
    .map((n) => n.metadata.name)
    .sort();
}

async function ownedKeys(c: MemoryCluster, lab: Lab, student: string): Promise<string[]> {
  return (await listOwned(c, studentNamespace(CLASS, student), lab.metadata.name)).map(key).sort();
}

function expectedKeys(lab: Lab, student: string, tag: string): string[] {
  return compileLab(lab, { namespace: studentNamespace(CLASS, student), class: CLASS, student, release: tag })
    .filter((o) => o.kind !== 'Namespace')
    .map(key)
    .sort();
}

const GOVERNING = new Set(['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Role', 'RoleBinding']);
const phaseOf = (w: Write) => (w.kind === 'Namespace' ? 0 : GOVERNING.has(w.kind) ? 1 : 2);

describe('publish on the in-memory cluster', () => {
  const lab = exampleLab('web-db.yaml');
  const v1 = releaseOf(lab, 'v1');

  it('creates one namespace per student, each with exactly its objects, governed before anything runs', async () => {
    const c = memoryCluster();
    const r = await publish(c, { className: CLASS, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(students.map(() => 'created'));
    expect(classNamespaces(c)).toEqual(students.map((s) => studentNamespace(CLASS, s.id)).sort());
    for (const s of students) {
      expect(await ownedKeys(c, lab, s.id)).toEqual(expectedKeys(lab, s.id, 'v1'));
      // Within the namespace: the Namespace, then quota/limits/policies/RBAC, then workloads.
      const phases = realWrites(c).filter((w) => (w.kind === 'Namespace' ? w.name : w.namespace) === studentNamespace(CLASS, s.id)).map(phaseOf);
      expect(phases).toEqual([...phases].sort());
      expect(new Set(phases)).toEqual(new Set([0, 1, 2]));
    }
    // All-or-nothing: every dry run (one student's objects) came before the first real write.
    const firstReal = c.writes.findIndex((w) => !w.dryRun);
    expect(c.writes.slice(firstReal).some((w) => w.dryRun)).toBe(false);
    // (and the shared ClusterRole, checked with them)
    expect(c.writes.slice(0, firstReal)).toHaveLength(compileLab(lab, { namespace: 'x', class: CLASS, student: 's' }).length + 1);
    // The shared ClusterRole is written once for the whole class, before the first namespace.
    expect(realWrites(c).filter((w) => w.kind === 'ClusterRole').map((w) => w.name)).toEqual(['labforge-student']);
    const firstStudent = realWrites(c).findIndex((w) => w.kind === 'Namespace' && w.name.startsWith(`${CLASS}-`));
    expect(realWrites(c).findIndex((w) => w.kind === 'ClusterRole')).toBeLessThan(firstStudent);
  });

  it('converges when run again: nothing changes, every student is reported as updated', async () => {
    const c = memoryCluster();
    await publish(c, { className: CLASS, students, release: v1 });
    const version = c.resourceVersion;
    const r = await publish(c, { className: CLASS, students, release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(students.map(() => 'updated'));
    expect(c.resourceVersion).toBe(version);
  });

  it('resumes after a failed student: a second run completes the class with no duplicates', async () => {
    let refuse = true;
    const failing = studentNamespace(CLASS, students[2]!.id);
    const c = memoryCluster({
      admit: (w) => {
        if (refuse && !w.dryRun && w.namespace === failing && w.kind === 'StatefulSet') throw new KubeError('invalid', 'refused for the test', { status: 422 });
      },
    });
    const first = await publish(c, { className: CLASS, students, release: v1 });
    expect(first.results.filter((x) => x.status === 'failed').map((x) => x.namespace)).toEqual([failing]);
    expect(first.results.find((x) => x.status === 'failed')?.error).toMatch(/StatefulSet\/db: refused for the test/);

    refuse = false;
    const second = await publish(c, { className: CLASS, students, release: v1 });
    expect(second.results.every((x) => x.status === 'updated')).toBe(true);
    expect(classNamespaces(c)).toHaveLength(students.length);
    for (const s of students) expect(await ownedKeys(c, lab, s.id)).toEqual(expectedKeys(lab, s.id, 'v1'));
  });

  it('has the quota controller recount when a resumed namespace is refused by a stale charge', async () => {
    // What a killed publish leaves behind: the quota still charges a create the server cancelled.
    const stale = new Set([studentNamespace(CLASS, students[1]!.id)]);
    const c = memoryCluster({
      admit: (w) => {
        if (w.kind === 'ResourceQuota' && !w.dryRun && JSON.stringify(w.object).includes('count/recounts.labforge.dev')) stale.delete(w.namespace ?? '');
        if (w.kind === 'Service' && !w.dryRun && stale.has(w.namespace ?? '')) {
          throw new KubeError('forbidden', 'services "web" is forbidden: exceeded quota: labforge-quota, requested: services=1, used: services=2, limited: services=2', { status: 403 });
        }
      },
    });
    const r = await publish(c, { className: CLASS, students: students.slice(0, 3), release: v1 });
    expect(r.results.map((x) => x.status)).toEqual(['created', 'created', 'created']);
    expect(stale.size).toBe(0);
    // The quota ends as compiled: the extra limit was only there to make the controller count.
    const quota = await c.read(kindOf('v1', 'ResourceQuota'), 'labforge-quota', studentNamespace(CLASS, students[1]!.id));
    expect(JSON.stringify(quota)).not.toContain('recounts');
    // A refusal by a quota that is not ours is not retried.
    const foreign = memoryCluster({
      admit: (w) => {
        if (w.kind === 'Service' && !w.dryRun) throw new KubeError('forbidden', 'exceeded quota: someone-elses', { status: 403 });
      },
    });
    const f = await publish(foreign, { className: CLASS, students: students.slice(0, 1), release: v1 });
    expect(f.results[0]).toMatchObject({ status: 'failed' });
    expect(realWrites(foreign).some((w) => JSON.stringify(w.object ?? {}).includes('recounts'))).toBe(false);
  });

  it('counts again, after a wait, while admission still refuses right after a recount; a real shortage fails after three', async () => {
    const refused = () => new KubeError('forbidden', 'services "web" is forbidden: exceeded quota: labforge-quota, requested: services=1, used: services=2, limited: services=2', { status: 403 });
    const isRecount = (w: Write) => w.kind === 'ResourceQuota' && !w.dryRun && JSON.stringify(w.object).includes('count/recounts.labforge.dev');
    // Admission's copy of the quota lags: the first recount is not seen yet, the second is.
    let recounts = 0;
    const lagging = memoryCluster({
      admit: (w) => {
        if (isRecount(w)) recounts++;
        if (w.kind === 'Service' && !w.dryRun && recounts < 2) throw refused();
      },
    });
    const r = await publish(lagging, { className: CLASS, students: students.slice(0, 1), release: v1 });
    expect(r.results[0]).toMatchObject({ status: 'created' });
    expect(recounts).toBe(2);
    // No recount helps: the refusal is reported after the third.
    let tries = 0;
    const short = memoryCluster({
      admit: (w) => {
        if (isRecount(w)) tries++;
        if (w.kind === 'Service' && !w.dryRun) throw refused();
      },
    });
    const f = await publish(short, { className: CLASS, students: students.slice(0, 1), release: v1 });
    expect(f.results[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/exceeded quota: labforge-quota/) });
    expect(tries).toBe(3);
  }, 15_000);

  it('a create refused as over quota because its first try was stored (answer lost) is applied instead, and the student completes', async () => {
    // Quota admission runs before the existence check: a retried create of a stored Service is
    // refused as over quota, as the API server does, rather than as a conflict.
    let lost = 0;
    const c: MemoryCluster = memoryCluster({
      admit: (w) => {
        if (w.verb === 'create' && w.kind === 'Service' && c.all('v1', 'Service', w.namespace).some((s) => s.metadata.name === w.name)) {
          throw new KubeError('forbidden', `services "${w.name}" is forbidden: exceeded quota: labforge-quota, requested: services=1, used: services=2, limited: services=2`, { status: 403 });
        }
      },
    });
    // The first create of each Service is stored, then its answer is lost (a reset connection).
    const create = c.create.bind(c);
    c.create = async (obj) => {
      const stored = await create(obj);
      if (obj.kind === 'Service' && lost++ < 2) throw new KubeError('unreachable', 'cannot reach the cluster (ECONNRESET)', { network: 'ECONNRESET' });
      return stored;
    };
    const r = await publish(c, { className: CLASS, students: students.slice(0, 1), release: v1 });
    expect(r.results[0]?.error).toBeUndefined();
    expect(r.results[0]).toMatchObject({ status: 'created' });
    expect(lost).toBeGreaterThanOrEqual(2);
    // No recount was needed: the apply updated what was there.
    expect(realWrites(c).some((w) => JSON.stringify(w.object ?? {}).includes('recounts'))).toBe(false);
    expect(await ownedKeys(c, lab, students[0]!.id)).toEqual(expectedKeys(lab, students[0]!.id, 'v1'));
  });

  it('retries a throttled write and counts it', async () => {
    let throttled = 0;
    const c = memoryCluster({
      admit: (w) => {
        if (!w.dryRun && w.kind === 'Service' && w.name === 'web' && throttled < 2) {
          throttled++;
          throw new KubeError('throttled', 'slow down', { status: 429 });
        }
      },
    });
    const r = await publish(c, { className: CLASS, students: students.slice(0, 1), release: v1 });
    expect(r.results[0]).toMatchObject({ status: 'created', retries: 2 });
  });

  it('writes nothing when the preflight fails', async () => {
    const c = memoryCluster(); // no KubeVirt
    const vmLab = exampleLab('vm-lab.yaml');
    await expect(publish(c, { className: CLASS, students, release: releaseOf(vmLab, 'v1') })).rejects.toMatchObject({ kind: 'missing-api' });
    expect(realWrites(c)).toEqual([]);

    // A refusal only the server can make (admission), on one object of the sample student.
    const strict = memoryCluster({
      admit: (w) => {
        if (w.kind === 'PersistentVolumeClaim') throw new KubeError('invalid', 'storage class "fast" not found', { status: 422 });
      },
    });
    const err = await publish(strict, { className: CLASS, students, release: v1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).problems).toEqual([expect.objectContaining({ object: 'PersistentVolumeClaim/pgdata', source: 'volume "pgdata"' })]);
    expect(realWrites(strict)).toEqual([]);
  });

  it('refuses a class that does not fit the free capacity, writing nothing, unless forced', async () => {
    // web-db asks 350m CPU per student; two small nodes hold three students.
    const c = memoryCluster({ nodes: { count: 2, cpu: '600m' } });
    const err = await publish(c, { className: CLASS, students, release: v1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityError);
    expect((err as CapacityError).hint).toBe('force');
    expect((err as CapacityError).report.rows.find((r) => r.resource === 'cpu')).toMatchObject({ fits: false });
    expect(realWrites(c)).toEqual([]);

    const forced = await publish(c, { className: CLASS, students, release: v1, force: true });
    expect(forced.results.every((x) => x.status === 'created')).toBe(true);
  });

  it('upgrades in place: dropped objects are pruned, volumes are kept', async () => {
    const c = memoryCluster();
    await publish(c, { className: CLASS, students, release: v1 });
    const ns = studentNamespace(CLASS, students[0]!.id);
    const claim = await c.read(PERSISTENT_VOLUME_CLAIM, 'pgdata', ns);
    expect(claim).toBeDefined();

    const v2Lab: Lab = structuredClone(lab);
    v2Lab.exposures = [];
    v2Lab.volumes = [];
    v2Lab.nodes[1]!.volumes = undefined;
    v2Lab.nodes[0]!.image = 'nginx:1.28';
    const r = await publish(c, { className: CLASS, students, release: releaseOf(v2Lab, 'v2') });
    expect(r.results.every((x) => x.status === 'updated')).toBe(true);

    const owned = await ownedKeys(c, v2Lab, students[0]!.id);
    expect(owned).toEqual([...expectedKeys(v2Lab, students[0]!.id, 'v2'), 'v1/PersistentVolumeClaim/pgdata'].sort());
    expect(owned.some((k) => k.includes('/Ingress/'))).toBe(false);
    expect((await c.read(PERSISTENT_VOLUME_CLAIM, 'pgdata', ns))?.metadata?.uid).toBe(claim?.metadata?.uid);
    expect((await c.read(NAMESPACE, ns))?.metadata?.labels?.[LABEL.release]).toBe('v2');
  });

  it('reports students who left the roster, and removes them only when asked', async () => {
    const c = memoryCluster();
    await publish(c, { className: CLASS, students, release: v1 });
    const stay = students.slice(0, 3);
    const r = await publish(c, { className: CLASS, students: stay, release: v1 });
    expect(r.left.map((l) => ({ student: l.student, removed: l.removed }))).toEqual(students.slice(3).map((s) => ({ student: s.id, removed: false })));
    expect(classNamespaces(c)).toHaveLength(5);
    await publish(c, { className: CLASS, students: stay, release: v1, prune: true });
    expect(classNamespaces(c)).toEqual(stay.map((s) => studentNamespace(CLASS, s.id)).sort());
  });
});
