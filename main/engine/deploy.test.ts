import { describe, expect, it } from 'vitest';
import { devNamespace } from '../../common/compile';
import type { KubeObject } from '../../common/compile/types';
import type { Lab } from '../../common/lab';
import { exampleLab } from '../../test/helpers/examples';
import { memoryCluster, realWrites } from '../../test/helpers/memory-cluster';
import { kindOf } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP, NAMESPACE, PERSISTENT_VOLUME_CLAIM } from '../kube/kinds';
import type { MemoryCluster } from '../../test/helpers/in-memory-cluster';
import { deploy } from './deploy';
import { LAB_RECORD } from './owned';

const GOVERNING = new Set(['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount', 'Role', 'RoleBinding']);

/**
 * What the workload controllers and a kubelet would do, in the small: for every Deployment or
 * StatefulSet whose latest spec has not been acted on, a running pod and an up-to-date status.
 * `hold` names nodes whose changes it ignores (a rollout that never finishes).
 */
function runWorkloads(c: MemoryCluster, hold: Set<string> = new Set()): () => void {
  const streams = ['Deployment', 'StatefulSet'].map((kind) =>
    c.watch(kindOf('apps/v1', kind), { resourceVersion: c.resourceVersion }, (e) => {
      if (e.type === 'BOOKMARK' || e.type === 'DELETED') return;
      const w = e.object;
      const generation = Number(w.metadata['generation'] ?? 1);
      const status = w['status'] as { observedGeneration?: number } | undefined;
      if ((status?.observedGeneration ?? 0) >= generation) return;
      if (hold.has(w.metadata.name) && status) return;
      const template = (w['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template;
      c.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${w.metadata.name}-0`, namespace: w.metadata.namespace, labels: template.metadata.labels },
        status: { phase: 'Running', containerStatuses: [{ name: w.metadata.name, ready: true, restartCount: 0, image: '', imageID: '' }] },
      });
      c.put({ ...w, status: { observedGeneration: generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' } });
    }),
  );
  return () => streams.forEach((s) => s.stop());
}

describe('deploy on the in-memory cluster', () => {
  const lab = exampleLab('web-db.yaml');
  const ns = devNamespace(lab.metadata.name);

  it('checks everything first, then applies the namespace, what governs it, and the workloads, in that order', async () => {
    const c = memoryCluster();
    const r = await deploy(c, lab, { wait: false });
    expect(r.namespace).toBe(ns);
    const firstReal = c.writes.findIndex((w) => !w.dryRun);
    expect(c.writes.slice(0, firstReal).every((w) => w.dryRun)).toBe(true);
    expect(firstReal).toBe(r.applied);
    const order = realWrites(c).map((w) => (w.kind === 'Namespace' ? 0 : GOVERNING.has(w.kind) ? 1 : 2));
    expect(order).toEqual([...order].sort());
    expect(order[0]).toBe(0);
    // The lab is recorded in the namespace, for snapshot.
    expect((await c.read(CONFIG_MAP, LAB_RECORD, ns))?.data?.['lab.yaml']).toContain('name: web-db');
  });

  it('waits until every node runs its latest spec', async () => {
    const c = memoryCluster();
    const stop = runWorkloads(c);
    try {
      const r = await deploy(c, lab, { timeoutMs: 5000 });
      expect(r.ready).toBe(true);
      expect(r.statuses.map((s) => [s.node, s.ready, s.detail])).toEqual([
        ['web', true, '1/1'],
        ['db', true, '1/1'],
      ]);
    } finally {
      stop();
    }
  });

  it('does not call a change ready while the old pod still runs', async () => {
    const c = memoryCluster();
    const stop = runWorkloads(c, new Set(['web']));
    try {
      expect((await deploy(c, lab, { timeoutMs: 5000 })).ready).toBe(true);
      const changed: Lab = structuredClone(lab);
      changed.nodes[0]!.image = 'nginx:1.28';
      const r = await deploy(c, changed, { timeoutMs: 300 });
      expect(r.ready).toBe(false);
      expect(r.statuses.find((s) => s.node === 'web')).toMatchObject({ ready: false, message: 'rolling out the latest change' });
    } finally {
      stop();
    }
  });

  it('prunes what the lab dropped, keeps its volumes unless told, and never touches what is not ours', async () => {
    const c = memoryCluster();
    await deploy(c, lab, { wait: false });
    const foreign: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: ns }, data: {} };
    c.put(foreign);

    const smaller: Lab = structuredClone(lab);
    smaller.exposures = [];
    smaller.volumes = [];
    smaller.nodes[1]!.volumes = undefined;
    delete smaller.layout;
    const r = await deploy(c, smaller, { wait: false });
    expect(r.pruned.deleted.sort()).toEqual(['Ingress/web-80', 'NetworkPolicy/allow-ingress-web', 'StatefulSet/db']);
    expect(r.pruned.keptVolumes).toEqual(['pgdata']);
    expect(await c.read(PERSISTENT_VOLUME_CLAIM, 'pgdata', ns)).toBeDefined();
    expect(await c.read(CONFIG_MAP, 'notes', ns)).toBeDefined();
    expect(await c.read(CONFIG_MAP, LAB_RECORD, ns)).toBeDefined();
    expect(c.all('apps/v1', 'Deployment', ns).map((d) => d.metadata.name).sort()).toEqual(['db', 'web']);

    const again = await deploy(c, smaller, { wait: false, pruneVolumes: true });
    expect(again.pruned.deleted).toEqual(['PersistentVolumeClaim/pgdata']);
    expect(await c.read(PERSISTENT_VOLUME_CLAIM, 'pgdata', ns)).toBeUndefined();
  });

  it('writes nothing when the lab or the preflight fails', async () => {
    const c = memoryCluster({
      admit: (w) => {
        if (w.kind === 'LimitRange') throw new KubeError('invalid', 'LimitRange "labforge-limits" is invalid: spec.limits[0].type: Unsupported value', { status: 422 });
      },
    });
    await expect(deploy(c, lab, { wait: false })).rejects.toThrow(/preflight failed, nothing was written:\n {2}lab: LimitRange\/labforge-limits: LimitRange "labforge-limits" is invalid/);
    expect(realWrites(c)).toEqual([]);
    expect(await c.read(NAMESPACE, ns)).toBeUndefined();

    const broken: Lab = structuredClone(lab);
    broken.nodes[0]!.networks = ['nowhere'];
    const plain = memoryCluster();
    await expect(deploy(plain, broken, { wait: false })).rejects.toThrow(/the lab is invalid, nothing was written/);
    expect(plain.writes).toEqual([]);
  });
});
