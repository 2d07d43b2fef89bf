// The provisioner on the in-memory cluster: a pending claim of our class gets a pre-bound hostPath
// volume, a claim of another class does not, and a Released volume of ours is deleted with its
// directory.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCluster } from '../../../test/helpers/memory-cluster';
import { PERSISTENT_VOLUME, PERSISTENT_VOLUME_CLAIM } from '../../kube/kinds';
import { startVolumeProvisioner } from './volume-provisioner';

const root = mkdtempSync(join(tmpdir(), 'labforge-volumes-'));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('volume provisioner', () => {
  it('provisions a volume for a pending claim of its class, and reclaims it once released', async () => {
    const c = memoryCluster();
    const log: string[] = [];
    await c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
    const p = await startVolumeProvisioner(c, root, (m) => log.push(m));
    await c.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns1' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } });
    await c.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'other', namespace: 'ns1' }, spec: { storageClassName: 'fast' } });
    const volumes = async () => (await c.list(PERSISTENT_VOLUME)).items;
    await until(async () => (await volumes()).length > 0);
    await new Promise((r) => setTimeout(r, 50));
    const [pv, ...more] = await volumes();
    expect(more).toEqual([]);
    const uid = (await c.read(PERSISTENT_VOLUME_CLAIM, 'data', 'ns1'))!.metadata!.uid!;
    expect(pv!.metadata!.name).toBe(`pvc-${uid}`);
    expect(pv!.spec).toMatchObject({ capacity: { storage: '2Gi' }, storageClassName: 'labforge-local', claimRef: { namespace: 'ns1', name: 'data', uid } });
    expect(existsSync(pv!.spec!.hostPath!.path)).toBe(true);
    expect(p.healthy()).toBe(true);

    await c.patch(PERSISTENT_VOLUME, pv!.metadata!.name!, undefined, [{ op: 'add', path: '/status', value: { phase: 'Released' } }], 'status');
    await until(async () => log.includes(`reclaimed pvc-${uid}`));
    expect(await volumes()).toEqual([]);
    expect(existsSync(pv!.spec!.hostPath!.path)).toBe(false);
    expect(log).toEqual(expect.arrayContaining([`provisioned pvc-${uid} for ns1/data`, `reclaimed pvc-${uid}`]));
    await p.stop();
  });
});
