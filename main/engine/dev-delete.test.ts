import { describe, expect, it } from 'vitest';
import { compileLab, devNamespace, LABEL } from '../../common/compile';
import { parseLab } from '../../common/lab';
import { MemoryCluster } from '../../test/helpers/in-memory-cluster';
import { NAMESPACE, PERSISTENT_VOLUME_CLAIM } from '../kube/kinds';
import { deleteDev, devContents } from './dev-delete';

const parsed = parseLab(`apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: shop }
volumes: [{ name: data, size: 1Gi }]
nodes:
  - { name: db, kind: container, image: "postgres:16", volumes: [{ volume: data, mountPath: /data }] }
`);
if (!parsed.ok) throw new Error('test lab does not parse');
const lab = parsed.lab;

async function deployed(): Promise<MemoryCluster> {
  const c = new MemoryCluster();
  for (const o of compileLab(lab, { namespace: devNamespace('shop') })) await c.create(o as never);
  return c;
}

describe('deleting the dev namespace', () => {
  it('says what would be lost (the volumes by name) without deleting on a dry run, then deletes', async () => {
    const c = await deployed();
    expect((await c.list(PERSISTENT_VOLUME_CLAIM, { namespace: 'shop-dev' })).items.length).toBeGreaterThan(0);
    const dry = await deleteDev(c, 'shop', { dryRun: true });
    expect(dry).toMatchObject({ namespace: 'shop-dev', gone: false });
    expect(dry.volumes.join(' ')).toContain('data');
    expect(await c.read(NAMESPACE, 'shop-dev')).toBeTruthy();
    const r = await deleteDev(c, 'shop', { timeoutMs: 2000 });
    expect(r.gone).toBe(true);
    expect(await c.read(NAMESPACE, 'shop-dev')).toBeFalsy();
  });

  it('refuses a namespace that is not the lab’s dev namespace, and says when nothing is deployed', async () => {
    const c = await deployed();
    await expect(devContents(c, 'other', 'shop-dev')).rejects.toThrow(/belongs to lab shop/);
    await c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'theirs', labels: { [LABEL.lab]: 'shop' } } } as never);
    await expect(deleteDev(c, 'shop', { namespace: 'theirs' })).rejects.toThrow(/was not made by Labforge/);
    expect(await c.read(NAMESPACE, 'theirs')).toBeTruthy();
    await expect(deleteDev(c, 'nothing')).rejects.toThrow(/nothing is deployed/);
  });
});
