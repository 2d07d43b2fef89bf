import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { KUBEVIRT_KINDS, MemoryCluster } from '../../test/helpers/in-memory-cluster';
import { NamespaceSetWatch, type NamespaceSetView } from './namespace-watch';

const CLASS = { 'labforge.dev/class': 'c1' };
const ns = (name: string, labels: Record<string, string> = CLASS): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels }, status: { phase: 'Active' } });
const pod = (namespace: string, name: string, phase = 'Pending', labels: Record<string, string> = CLASS): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  status: { phase },
});

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const podNames = (v: NamespaceSetView) => v.pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}:${p.status?.phase}`).sort();

async function classCluster() {
  const c = new MemoryCluster();
  c.put(ns('s1'));
  c.put(ns('s2'));
  c.put(ns('other', { 'labforge.dev/class': 'c2' }));
  c.put(pod('s1', 'web'));
  // Carries the class label but lives outside the set: never shown.
  c.put(pod('other', 'stray'));
  return c;
}

describe('NamespaceSetWatch', () => {
  it('lists the set, then follows adds, changes and deletes in one coalesced notification per burst', async () => {
    const c = await classCluster();
    const w = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' }, { coalesceMs: 20 });
    await w.start();
    expect(w.view().namespaces.map((n) => n.metadata?.name).sort()).toEqual(['s1', 's2']);
    expect(podNames(w.view())).toEqual(['s1/web:Pending']);

    const views: NamespaceSetView[] = [];
    w.subscribe((v) => views.push(v));
    expect(views).toHaveLength(1); // the current view, at once

    for (let i = 0; i < 50; i++) c.put(pod('s2', `p${i}`, 'Running'));
    c.put(pod('s1', 'web', 'Running'));
    await until('the burst', () => views.at(-1)!.pods.length === 51);
    // Fifty-one changes, a handful of notifications.
    expect(views.length).toBeLessThanOrEqual(4);
    expect(podNames(views.at(-1)!)).toContain('s1/web:Running');

    c.put(ns('s3'));
    c.put(pod('s3', 'db', 'Running'));
    await until('the new namespace', () => views.at(-1)!.namespaces.length === 3 && views.at(-1)!.pods.some((p) => p.metadata?.name === 'db'));
    await c.delete(NAMESPACE_KIND, 's2');
    await until('the deleted namespace', () => views.at(-1)!.namespaces.length === 2 && views.at(-1)!.pods.length === 2);
    expect(podNames(views.at(-1)!)).toEqual(['s1/web:Running', 's3/db:Running']);
    expect(w.stats.lists).toBe(3); // namespaces, pods, quotas: once each
    w.stop();
    expect(c.openWatches).toBe(0);
  });

  it('resumes from its last version after a dropped connection, without listing again', async () => {
    const c = await classCluster();
    const w = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' }, { coalesceMs: 5 });
    await w.start();
    const before = w.stats;
    c.dropWatches();
    // Written while no watch is open: the resumed watch must replay it.
    c.put(pod('s1', 'web', 'Running'));
    await until('the change made while disconnected', () => podNames(w.view()).includes('s1/web:Running'));
    expect(w.stats.lists).toBe(before.lists);
    expect(w.stats.watches).toBeGreaterThan(before.watches);
    expect(w.stats.failures).toBeGreaterThanOrEqual(3);
    w.stop();
  });

  it('lists again when the server no longer has its version (410 Gone)', async () => {
    const c = await classCluster();
    const w = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' }, { coalesceMs: 5 });
    await w.start();
    c.dropWatches();
    c.put(pod('s2', 'late', 'Running'));
    await c.delete(POD_KIND, 'web', 's1');
    c.compact();
    await until('a re-list', () => w.stats.expired >= 1 && podNames(w.view()).join() === 's2/late:Running');
    expect(w.stats.lists).toBeGreaterThan(3);
    w.stop();
  });

  it('moves its version on with bookmarks while nothing it selects changes', async () => {
    const c = await classCluster();
    const w = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' });
    await w.start();
    const rv = w.state().pods.resourceVersion;
    for (let i = 0; i < 5; i++) c.put(pod('other', `x${i}`, 'Running', { unrelated: 'yes' }));
    c.bookmark();
    await until('the bookmark', () => w.state().pods.resourceVersion === c.resourceVersion);
    expect(Number(w.state().pods.resourceVersion)).toBeGreaterThan(Number(rv));
    w.stop();
  });

  it('resumes from an earlier watch’s state, and stops telling listeners once unsubscribed or stopped', async () => {
    const c = await classCluster();
    const first = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' });
    await first.start();
    const saved = first.state();
    first.stop();
    c.put(pod('s2', 'new', 'Running'));

    const second = new NamespaceSetWatch(c, { labelSelector: 'labforge.dev/class=c1' }, { from: saved, coalesceMs: 5 });
    await second.start();
    await until('the change made in between', () => podNames(second.view()).includes('s2/new:Running'));
    expect(second.stats.lists).toBe(0);

    let calls = 0;
    const unsubscribe = second.subscribe(() => calls++);
    unsubscribe();
    c.put(pod('s1', 'more'));
    await until('the change', () => second.view().pods.some((p) => p.metadata?.name === 'more'));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1); // only the immediate call on subscribe
    second.stop();
    expect(c.openWatches).toBe(0);
  });

  it('watches one namespace by name, and its VirtualMachines when KubeVirt is served', async () => {
    const c = new MemoryCluster({ kinds: KUBEVIRT_KINDS });
    c.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web-dev' } });
    c.put(pod('web-dev', 'web', 'Running', { 'labforge.dev/lab': 'web' }));
    c.put(pod('default', 'elsewhere', 'Running', { 'labforge.dev/lab': 'web' }));
    c.put({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm', namespace: 'web-dev', labels: { 'labforge.dev/lab': 'web' } }, status: { ready: true } });
    const w = new NamespaceSetWatch(c, { namespace: 'web-dev', objectSelector: 'labforge.dev/lab=web' });
    await w.start();
    expect(w.view().namespaces.map((n) => n.metadata?.name)).toEqual(['web-dev']);
    expect(podNames(w.view())).toEqual(['web-dev/web:Running']);
    expect(w.view().virtualMachines.map((v) => v.metadata.name)).toEqual(['vm']);
    w.stop();
  });

  it('reports a first list that fails instead of showing an empty view', async () => {
    const c = new MemoryCluster();
    const w = new NamespaceSetWatch(c, { labelSelector: 'a in (x' });
    await expect(w.start()).rejects.toMatchObject({ kind: 'invalid' });
    expect(c.openWatches).toBe(0);
  });
});

const NAMESPACE_KIND = { apiVersion: 'v1', kind: 'Namespace' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
