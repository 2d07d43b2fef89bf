// Isolation by real packets. A lab of four nodes on two networks is published to two students on
// the real node, where kube-router enforces the compiled NetworkPolicies. Every node
// listens on a port no lab declares; from every pod, a TCP connection is tried to every other
// pod of both students. The matrix of what connected must equal what the lab file says (two
// nodes of one student reach each other exactly when they share a network; nothing crosses
// between students) and what cyclonus, the independent evaluator, computes from the policies the
// API server holds: 0 disagreements.
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studentNamespace } from '../../common/compile';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { locateCyclonus } from '../../main/cluster/binaries';
import { REAL_NODE } from '../../main/cluster/node/config';
import { teardown } from '../../main/engine/class-ops';
import { publish } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { NAMESPACE, POD } from '../../main/kube/kinds';
import { adminCluster, uniqueLab } from './helpers/engine';
import { execIn, loadTestKubeConfig, onRealNode, randomId, waitFor } from './helpers/kube';
import { cyclonusProbe, pairKey, podKey } from './policy-eval-cyclonus';

const PORT = 4444;
const LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: isolation
networks:
  - name: x
  - name: y
nodes:
  - { name: a, kind: container, image: alpine:3.20, networks: [x], command: [nc, -lk, "${PORT}"], resources: { requests: { cpu: 10m, memory: 16Mi } } }
  - { name: b, kind: container, image: alpine:3.20, networks: [x], command: [nc, -lk, "${PORT}"], resources: { requests: { cpu: 10m, memory: 16Mi } } }
  - { name: c, kind: container, image: alpine:3.20, networks: [x, y], command: [nc, -lk, "${PORT}"], resources: { requests: { cpu: 10m, memory: 16Mi } } }
  - { name: d, kind: container, image: alpine:3.20, networks: [y], command: [nc, -lk, "${PORT}"], resources: { requests: { cpu: 10m, memory: 16Mi } } }
`;
const NETWORK_POLICY = kindOf<{ metadata?: { name?: string; namespace?: string }; spec?: unknown }>('networking.k8s.io/v1', 'NetworkPolicy');

const students = numberedStudents(2);
const className = `iso-${randomId(3)}`;
const namespaces = students.map((s) => studentNamespace(className, s.id));
let kc: KubeConfig;
let client: HttpCluster<KubeConfig>;
let lab: Lab;

interface Probed {
  namespace: string;
  node: string;
  student: number;
  pod: string;
  ip: string;
  labels: Record<string, string>;
}
let pods: Probed[] = [];

beforeAll(async () => {
  kc = loadTestKubeConfig();
  client = adminCluster();
  const parsed = parseLab(LAB);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  lab = uniqueLab(parsed.lab, 'iso');
  const release: Release = { lab, labName: lab.metadata.name, tag: 'v1', createdAt: new Date().toISOString(), author: 'isolation', note: '', images: [], template: '' };
  await onRealNode(kc, namespaces);
  const r = await publish(client, { className, students, release });
  expect(r.results.filter((x) => x.status === 'failed')).toEqual([]);
  pods = await waitFor('every pod to run on the real node with an address', async () => {
    const out: Probed[] = [];
    for (const [student, ns] of namespaces.entries()) {
      for (const p of (await client.list(POD, { namespace: ns })).items) {
        if (p.metadata?.deletionTimestamp || p.spec?.nodeName !== REAL_NODE.name) continue;
        if (!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') || !p.status.podIP) return undefined;
        out.push({ namespace: ns, node: p.metadata?.labels?.['labforge.dev/node'] ?? '', student, pod: p.metadata?.name ?? '', ip: p.status.podIP, labels: p.metadata?.labels ?? {} });
      }
    }
    return out.length === lab.nodes.length * students.length ? out : undefined;
  }, 180_000, 1000);
}, 300_000);

afterAll(async () => {
  if (client) await teardown(client, className).catch(() => undefined);
  client?.close();
});

/** What the lab file says about a connection between two of its pods. */
function labSays(from: Probed, to: Probed): boolean {
  if (from.student !== to.student) return false;
  const nets = (n: string) => new Set(lab.nodes.find((x) => x.name === n)?.networks ?? []);
  const a = nets(from.node);
  return [...nets(to.node)].some((n) => a.has(n));
}

describe('isolation on the real node', () => {
  it('every pair of pods of two students connects exactly as the lab says and as cyclonus computes', async () => {
    // From each pod, one exec tries every other pod at once; a blocked connection times out.
    const real = new Map<string, boolean>();
    for (const from of pods) {
      const targets = pods.filter((p) => p !== from);
      const script = targets.map((t) => `(nc -z -w 3 ${t.ip} ${PORT} && echo "${t.ip} open" || echo "${t.ip} closed") &`).join('\n') + '\nwait';
      const r = await execIn(kc, from.namespace, from.pod, from.node, ['sh', '-c', script]);
      for (const t of targets) {
        const line = r.stdout.split('\n').find((l) => l.startsWith(`${t.ip} `));
        expect(line, `probe ${podKey({ namespace: from.namespace, name: from.node })} → ${t.ip}: ${r.stderr}`).toBeDefined();
        real.set(pairKey(podKey({ namespace: from.namespace, name: from.node }), podKey({ namespace: t.namespace, name: t.node })), line!.endsWith(' open'));
      }
    }

    const cyclonus = await locateCyclonus();
    const namespaceLabels: Record<string, Record<string, string>> = {};
    const policies = [];
    for (const ns of namespaces) {
      namespaceLabels[ns] = (await client.read(NAMESPACE, ns))?.metadata?.labels ?? {};
      policies.push(...(await client.list(NETWORK_POLICY, { namespace: ns })).items);
    }
    const [judged] = await cyclonusProbe(cyclonus, {
      policies,
      namespaces: namespaceLabels,
      pods: pods.map((p) => ({ namespace: p.namespace, name: p.node, labels: p.labels })),
      probes: [{ port: PORT, protocol: 'TCP' }],
    });

    const disagreements: string[] = [];
    let allowed = 0;
    for (const from of pods) {
      for (const to of pods) {
        if (from === to) continue;
        const key = pairKey(podKey({ namespace: from.namespace, name: from.node }), podKey({ namespace: to.namespace, name: to.node }));
        const packets = real.get(key);
        const want = labSays(from, to);
        const evaluator = judged!.get(key);
        if (packets) allowed++;
        if (packets !== want || evaluator !== want) {
          disagreements.push(`${from.namespace}/${from.node} → ${to.namespace}/${to.node}: packets ${packets ? 'connect' : 'blocked'}, lab ${want ? 'allows' : 'blocks'}, cyclonus ${evaluator ? 'allows' : 'blocks'}`);
        }
      }
    }
    process.stderr.write(`[isolation] ${pods.length} pods, ${pods.length * (pods.length - 1)} ordered pairs probed by real packets: ${allowed} connected, ${disagreements.length} disagreements\n`);
    expect(disagreements).toEqual([]);
    // a↔b, a↔c, b↔c, c↔d in both directions, for each student.
    expect(allowed).toBe(16);
  });

  it('names resolve through the cluster DNS from inside the policies', async () => {
    const from = pods.find((p) => p.node === 'a')!;
    const r = await execIn(kc, from.namespace, from.pod, 'a', ['sh', '-c', 'getent hosts b c d']);
    const byName = pods.filter((p) => p.namespace === from.namespace);
    for (const n of ['b', 'c', 'd']) expect(r.stdout).toContain(byName.find((p) => p.node === n)!.ip);
  });
});
