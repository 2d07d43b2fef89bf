import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { kindOf, type WatchEvent } from '../../main/kube/cluster';
import { KubeError } from '../../main/kube/errors';
import { CONFIG_MAP, NAMESPACE, type IConfigMap } from '../../main/kube/kinds';
import { KUBEVIRT_KINDS, MemoryCluster } from './in-memory-cluster';

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const cm = (name: string, namespace: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
  data,
});
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('MemoryCluster', () => {
  it('applies as create-or-update: uid and status stay, versions move only on change', async () => {
    const c = new MemoryCluster();
    await c.apply(ns('a'));
    const first = await c.apply(cm('x', 'a', { k: '1' }));
    expect(first.metadata.uid).toMatch(/^uid-/);
    const again = await c.apply(cm('x', 'a', { k: '1' }));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = await c.apply(cm('x', 'a', { k: '2' }, { l: 'v' }));
    expect(changed.metadata.uid).toBe(first.metadata.uid);
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect((await c.read(CONFIG_MAP, 'x', 'a'))?.data).toEqual({ k: '2' });
    // Fields the applier dropped are gone, as with server-side apply by one manager.
    await c.apply({ ...cm('x', 'a', { k: '2' }), metadata: { name: 'x', namespace: 'a' } });
    expect((await c.read(CONFIG_MAP, 'x', 'a'))?.metadata?.labels).toBeUndefined();
  });

  it('dry runs admit and answer but store nothing', async () => {
    const c = new MemoryCluster();
    const before = c.resourceVersion;
    const out = await c.apply(cm('x', 'default', { k: '1' }), { dryRun: true });
    expect(out.metadata.name).toBe('x');
    expect(await c.read(CONFIG_MAP, 'x', 'default')).toBeUndefined();
    expect(c.resourceVersion).toBe(before);
    expect(c.writes).toEqual([expect.objectContaining({ verb: 'apply', dryRun: true, kind: 'ConfigMap', name: 'x' })]);
  });

  it('needs the namespace, and deleting a namespace deletes what is in it', async () => {
    const c = new MemoryCluster();
    await expect(c.apply(cm('x', 'nope', {}))).rejects.toMatchObject({ kind: 'not-found', status: 404 });
    await c.apply(ns('a'));
    await c.apply(cm('x', 'a', {}));
    expect(await c.delete(NAMESPACE, 'a')).toBe(true);
    expect(await c.read(CONFIG_MAP, 'x', 'a')).toBeUndefined();
    expect(await c.delete(NAMESPACE, 'a')).toBe(false);
  });

  it('create refuses an existing object; immutable ConfigMaps refuse changes', async () => {
    const c = new MemoryCluster();
    await c.create({ ...cm('r', 'default', { k: '1' }), immutable: true });
    await expect(c.create(cm('r', 'default', {}))).rejects.toMatchObject({ kind: 'conflict', status: 409 });
    await expect(c.apply({ ...cm('r', 'default', { k: '2' }), immutable: true })).rejects.toMatchObject({ kind: 'invalid', status: 422 });
  });

  it('lists by namespace and label selector, with apiVersion and kind on every item', async () => {
    const c = new MemoryCluster();
    for (const n of ['a', 'b']) await c.apply(ns(n));
    await c.apply(cm('x', 'a', {}, { app: 'web', tier: 'front' }));
    await c.apply(cm('y', 'b', {}, { app: 'web', tier: 'back' }));
    await c.apply(cm('z', 'b', {}, { app: 'db' }));
    const names = async (opts: { namespace?: string; labelSelector?: string }) => (await c.list(CONFIG_MAP, opts)).items.map((o) => o.metadata?.name);
    expect(await names({ labelSelector: 'app=web' })).toEqual(['x', 'y']);
    expect(await names({ labelSelector: 'app=web,tier!=front' })).toEqual(['y']);
    expect(await names({ namespace: 'b' })).toEqual(['y', 'z']);
    const list = await c.list(CONFIG_MAP, { namespace: 'a' });
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(list.resourceVersion).toBe(c.resourceVersion);
  });

  it('serves only the kinds it knows', async () => {
    const vm = kindOf('kubevirt.io/v1', 'VirtualMachine');
    expect(await new MemoryCluster().serves(vm)).toBe(false);
    expect(await new MemoryCluster({ kinds: KUBEVIRT_KINDS }).serves(vm)).toBe(true);
    await expect(new MemoryCluster().list(vm)).rejects.toMatchObject({ kind: 'missing-api' });
  });

  it('watches replay from a version, follow label changes, and answer 410 once compacted', async () => {
    const c = new MemoryCluster();
    await c.apply(ns('a'));
    const from = c.resourceVersion;
    await c.apply(cm('x', 'a', { k: '1' }, { app: 'web' }));
    const seen: string[] = [];
    const w = c.watch(CONFIG_MAP, { labelSelector: 'app=web', resourceVersion: from }, (e: WatchEvent<IConfigMap>) =>
      seen.push(e.type === 'BOOKMARK' ? 'BOOKMARK' : `${e.type} ${e.object.metadata?.name}`),
    );
    await tick();
    await c.apply(cm('x', 'a', { k: '2' }, { app: 'web' }));
    await c.apply(cm('x', 'a', { k: '2' }, { app: 'db' }));
    await c.apply(cm('x', 'a', { k: '2' }, { app: 'web' }));
    c.bookmark();
    await c.delete(CONFIG_MAP, 'x', 'a');
    await tick();
    expect(seen).toEqual(['ADDED x', 'MODIFIED x', 'DELETED x', 'ADDED x', 'BOOKMARK', 'DELETED x']);
    w.stop();
    await w.done;
    expect(c.openWatches).toBe(0);

    c.compact();
    const stale = c.watch(CONFIG_MAP, { resourceVersion: from }, () => undefined);
    await expect(stale.done).rejects.toMatchObject({ kind: 'expired', status: 410 });
  });

  it('drops watches like a lost connection', async () => {
    const c = new MemoryCluster();
    const w = c.watch(CONFIG_MAP, { resourceVersion: c.resourceVersion }, () => undefined);
    c.dropWatches();
    const err = await w.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ kind: 'unreachable', network: 'ECONNRESET' });
  });

  it('issues tokens only for service accounts that exist', async () => {
    const c = new MemoryCluster();
    await expect(c.createToken({ namespace: 'default', name: 'student' }, 60)).rejects.toMatchObject({ kind: 'not-found' });
    await c.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'student', namespace: 'default' } });
    const t = await c.createToken({ namespace: 'default', name: 'student' }, 60);
    expect(t.token).toContain('student');
    expect(Date.parse(t.expiresAt) - Date.now()).toBeGreaterThan(50_000);
  });
});
