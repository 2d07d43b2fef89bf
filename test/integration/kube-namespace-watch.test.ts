// The namespace-set watch against the real API server: it sees namespaces, pods, quotas and VMs
// come, change and go; it resumes from its last version when its connection is cut (through a
// TCP relay in front of the API server, which the test cuts like a network would); and it lists
// again when it asks for a version the server no longer has (410 Gone).
import net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../common/compile/types';
import { clusterFor, type HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, POD } from '../../main/kube/kinds';
import { NamespaceSetWatch, type NamespaceSetView } from '../../main/kube/namespace-watch';
import { adminCluster } from './helpers/engine';
import { loadTestKubeConfig, randomId, waitFor, waitForDefaultServiceAccount } from './helpers/kube';

/** A TCP relay to the API server whose connections the test can cut at once. */
class Relay {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  connections = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      this.connections++;
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Resets every open connection, as a dropped network would. */
  cut(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}

const id = randomId();
const LABEL = 'labforge.dev/watch-test';
const selector = `${LABEL}=${id}`;
let admin: HttpCluster;
let relay: Relay;
let viaRelay: HttpCluster;
const namespaces: string[] = [];

async function namespace(): Promise<string> {
  const name = `nsw-${randomId()}`;
  namespaces.push(name);
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [LABEL]: id } } });
  await waitForDefaultServiceAccount(loadTestKubeConfig(), name);
  return name;
}

const pod = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { [LABEL]: id } },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

const phases = (v: NamespaceSetView) => Object.fromEntries(v.pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.status?.phase]));

beforeAll(async () => {
  admin = adminCluster();
  const kc = loadTestKubeConfig();
  const server = new URL(kc.getCurrentCluster()!.server);
  relay = new Relay({ host: server.hostname, port: Number(server.port) });
  const port = await relay.listen();
  // The same credentials and CA, through the relay (the serving certificate names 127.0.0.1).
  const relayed = new KubeConfig();
  relayed.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  viaRelay = clusterFor(relayed);
});

afterAll(async () => {
  for (const name of namespaces) await admin.delete(NAMESPACE, name).catch(() => undefined);
  viaRelay?.close();
  admin?.close();
  await relay?.close();
});

describe('the namespace-set watch on the real API server', () => {
  it('sees namespaces, pods, quotas and VMs added, changed and deleted', async () => {
    const w = new NamespaceSetWatch(viaRelay, { labelSelector: selector }, { coalesceMs: 50 });
    await w.start();
    const views: NamespaceSetView[] = [];
    w.subscribe((v) => views.push(v));
    try {
      expect(views[0]).toMatchObject({ namespaces: [], pods: [], quotas: [], virtualMachines: [] });
      const a = await namespace();
      await admin.create(pod(a, 'web'));
      await admin.create({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: a, labels: { [LABEL]: id } }, spec: { hard: { pods: '5' } } });
      await admin.create({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm', namespace: a, labels: { [LABEL]: id } }, spec: { running: false, template: { spec: { domain: { devices: {} } } } } });
      // kwok's fake kubelet runs the pod: a modification the watch must see.
      await waitFor('the pod running, the quota and the VM', async () => {
        const v = views.at(-1)!;
        return v.namespaces.length === 1 && phases(v)[`${a}/web`] === 'Running' && v.quotas.length === 1 && v.virtualMachines.length === 1 ? v : undefined;
      }, 60_000, 50);
      // A change of our own to an object the watch holds.
      await admin.patch(POD, 'web', a, [{ op: 'add', path: '/metadata/annotations', value: { note: 'changed' } }]);
      await waitFor('the annotation', async () => (views.at(-1)!.pods.some((p) => p.metadata?.annotations?.['note'] === 'changed') ? true : undefined), 30_000, 50);

      await admin.delete(POD, 'web', a);
      await waitFor('the pod gone', async () => (phases(views.at(-1)!)[`${a}/web`] === undefined ? true : undefined), 60_000, 50);
      await admin.delete(NAMESPACE, a);
      await waitFor('the namespace gone from the set', async () => (views.at(-1)!.namespaces.length === 0 ? true : undefined), 120_000, 100);
      expect(w.stats).toMatchObject({ lists: 4, expired: 0 });
    } finally {
      w.stop();
    }
  });

  it('resumes from its last version when its connection is cut, without listing again', async () => {
    const b = await namespace();
    const w = new NamespaceSetWatch(viaRelay, { labelSelector: selector }, { coalesceMs: 20 });
    await w.start();
    try {
      await waitFor('the namespace', async () => (w.view().namespaces.some((n) => n.metadata?.name === b) ? true : undefined), 30_000, 50);
      const before = { ...w.stats };
      const connections = relay.connections;
      relay.cut();
      // Made right after the cut: the resumed watch replays it from the version it had.
      await admin.create(pod(b, 'after-cut'));
      await waitFor('the pod made after the cut', async () => (phases(w.view())[`${b}/after-cut`] ? true : undefined), 60_000, 50);
      expect(w.stats.failures).toBeGreaterThan(before.failures);
      expect(w.stats.watches).toBeGreaterThan(before.watches);
      expect(w.stats.lists).toBe(before.lists);
      expect(relay.connections).toBeGreaterThan(connections);
    } finally {
      w.stop();
    }
  });

  it('lists again when its version is too old for the server (410 Gone)', async () => {
    const c = await namespace();
    await admin.create(pod(c, 'known'));
    const stale = { items: [], resourceVersion: '1' };
    const w = new NamespaceSetWatch(viaRelay, { labelSelector: selector }, { coalesceMs: 20, from: { namespaces: stale, pods: stale, quotas: stale, virtualMachines: stale } });
    await w.start();
    try {
      await waitFor('a re-list that finds the pod', async () => (phases(w.view())[`${c}/known`] ? true : undefined), 60_000, 50);
      expect(w.stats.expired).toBeGreaterThanOrEqual(1);
      expect(w.stats.lists).toBeGreaterThanOrEqual(1);
      expect(w.view().namespaces.map((n) => n.metadata?.name)).toContain(c);
    } finally {
      w.stop();
    }
  });
});
