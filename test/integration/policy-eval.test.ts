// Network isolation judged by an independent evaluator. Every example and template lab is
// published for 3 students on the real local control plane (the engine's own publish, so whatever
// it writes is what gets judged, however the policies are split or merged); the NetworkPolicies,
// namespaces and pod templates are read back from the API server and handed to cyclonus, which
// computes reachability with its own NetworkPolicy implementation. Its verdict for every ordered
// pair of pods on every probed port is compared with what the lab file says:
// - two nodes of one student reach each other, on any port, exactly when they share a network;
// - every node reaches the cluster DNS (pods labelled k8s-app=kube-dns in kube-system, the usual
//   convention) on 53/UDP and 53/TCP, and nothing else outside its namespace;
// - the ingress controller's namespace reaches a node only on the TCP ports the lab exposes;
// - nothing crosses between students, nor reaches a student from any other namespace.
// The expectation is derived from the lab's `networks` and `exposures` only, never from the
// compiler's policy code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLab, type Lab } from '../../common/lab';
import { numberedStudents } from '../../main/class/roster';
import { locateCyclonus } from '../../main/cluster/binaries';
import { ingressObjects } from '../../main/cluster/manifests';
import { teardown } from '../../main/engine/class-ops';
import { publish, studentTarget } from '../../main/engine/publish';
import type { Release } from '../../main/engine/releases';
import { kindOf } from '../../main/kube/cluster';
import type { HttpCluster } from '../../main/kube/http-cluster';
import { DEPLOYMENT, NAMESPACE, STATEFUL_SET, VIRTUAL_MACHINE } from '../../main/kube/kinds';
import { adminCluster, ROOT, uniqueLab } from './helpers/engine';
import { randomId } from './helpers/kube';
import { cyclonusProbe, pairKey, podKey, type ModelPod, type PortProtocol } from './policy-eval-cyclonus';

const STUDENTS = 3;
const NETWORK_POLICY = kindOf<{ metadata?: { name?: string; namespace?: string }; spec?: unknown }>('networking.k8s.io/v1', 'NetworkPolicy');
/** Where the local cluster runs its ingress controller (the namespace `cluster up` creates). */
const INGRESS_NAMESPACE = ingressObjects.find((o) => o.kind === 'Namespace')!.metadata.name;
/** A port no lab node declares: reachability between network peers does not depend on declared ports. */
const UNDECLARED: PortProtocol[] = [{ port: 4444, protocol: 'TCP' }, { port: 4444, protocol: 'UDP' }];
const DNS: PortProtocol[] = [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }];

function labsIn(dir: string): Array<{ file: string; lab: Lab }> {
  return readdirSync(join(ROOT, 'resources', dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const r = parseLab(readFileSync(join(ROOT, 'resources', dir, f), 'utf8'));
      if (!r.ok) throw new Error(`${dir}/${f} does not parse: ${r.issues[0]?.message}`);
      return { file: `${dir}/${f}`, lab: r.lab };
    });
}
/**
 * A lab made to stress the shapes the examples lack: two nodes exposing the same port (whose
 * ingress rules may be merged into one policy), a node exposing another port, a node on two
 * networks, one on none, and a UDP port.
 */
const EDGE_LAB = `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata:
  name: edges
networks:
  - name: x
  - name: y
nodes:
  - { name: a, kind: container, image: nginx:1.27, networks: [x], ports: [{ port: 80 }] }
  - { name: b, kind: container, image: nginx:1.27, networks: [x], ports: [{ port: 80 }] }
  - { name: c, kind: container, image: nginx:1.27, networks: [x, y], ports: [{ port: 8080 }] }
  - { name: d, kind: container, image: alpine:3.20, networks: [y], ports: [{ port: 5353, protocol: UDP }] }
  - { name: e, kind: container, image: alpine:3.20, ports: [{ port: 80 }] }
exposures:
  - { node: a, port: 80 }
  - { node: b, port: 80 }
  - { node: c, port: 8080 }
`;
function edgeLab(): { file: string; lab: Lab } {
  const r = parseLab(EDGE_LAB);
  if (!r.ok) throw new Error(`the edge-case lab does not parse: ${r.issues[0]?.message}`);
  return { file: 'edge cases (same exposed port on two nodes, two networks, none, UDP)', lab: r.lab };
}
const LABS = [...labsIn('examples'), ...labsIn('templates'), edgeLab()];

/** Every endpoint in the model: a lab node of one student, or a pod outside the class. */
type Endpoint =
  | { kind: 'node'; student: number; node: string }
  | { kind: 'dns' }
  | { kind: 'ingress' }
  | { kind: 'outsider' };

/** What the lab file says about from → to on `pp`; undefined when no lab is involved. */
function labSays(lab: Lab, from: Endpoint, to: Endpoint, pp: PortProtocol): boolean | undefined {
  if (from.kind !== 'node' && to.kind !== 'node') return undefined;
  if (from.kind === 'node' && to.kind === 'node') {
    if (from.student !== to.student) return false;
    const nets = (n: string) => new Set(lab.nodes.find((x) => x.name === n)?.networks ?? []);
    const a = nets(from.node);
    return [...nets(to.node)].some((n) => a.has(n));
  }
  if (from.kind === 'node') return to.kind === 'dns' && pp.port === 53;
  if (from.kind === 'ingress' && to.kind === 'node') {
    return pp.protocol === 'TCP' && lab.exposures.some((e) => e.node === to.node && e.port === pp.port);
  }
  return false;
}

function probesFor(lab: Lab): PortProtocol[] {
  const all = [...DNS, ...UNDECLARED];
  for (const n of lab.nodes) for (const p of n.ports ?? []) all.push({ port: p.port, protocol: p.protocol ?? 'TCP' });
  for (const n of lab.nodes) if (n.desktop) all.push({ port: 5900, protocol: 'TCP' });
  for (const e of lab.exposures) all.push({ port: e.port, protocol: 'TCP' });
  const seen = new Set<string>();
  return all.filter((p) => !seen.has(`${p.port}/${p.protocol}`) && seen.add(`${p.port}/${p.protocol}`));
}

let client: HttpCluster;
let cyclonus: string;
const classes: string[] = [];
const tally = { labs: 0, pairs: 0, checks: 0, passed: 0, allowed: 0, evalMs: 0 };

beforeAll(async () => {
  client = adminCluster();
  // A no-op once cached; a cold build (about 1.5 min here) if CI's build step did not run.
  cyclonus = await locateCyclonus((line) => process.stderr.write(`[cyclonus] ${line}\n`));
});

afterAll(async () => {
  // Delete the namespaces; the namespace controller finishes in the background (nothing here
  // depends on them being gone, and waiting would only lengthen the run).
  await Promise.all(classes.map((c) => teardown(client, c, undefined, 1000).catch(() => undefined)));
  client?.close();
  process.stderr.write(
    `[policy-eval] ${tally.labs} labs × ${STUDENTS} students: ${tally.checks} verdicts checked over ${tally.pairs} ordered pod pairs, ${tally.passed} as the lab says, ${tally.allowed} of them allowed; cyclonus ${tally.evalMs} ms in all\n`,
  );
});

describe('independent NetworkPolicy evaluation (cyclonus)', () => {
  it('covers every example and template', () => {
    expect(LABS.filter((l) => l.file.startsWith('examples/')).length).toBeGreaterThanOrEqual(4);
    expect(LABS.filter((l) => l.file.startsWith('templates/')).length).toBeGreaterThanOrEqual(6);
  });

  for (const { file, lab: fileLab } of LABS) {
    it(`${file}: for ${STUDENTS} students, every pair reaches exactly as the lab's networks say`, async () => {
      const lab = uniqueLab(fileLab, 'pe');
      const className = `pe-${randomId(3)}`;
      classes.push(className);
      const release: Release = { lab, labName: lab.metadata.name, tag: 'v1', createdAt: new Date().toISOString(), author: 'policy-eval', note: '', images: [], template: '' };
      const students = numberedStudents(STUDENTS);
      // Capacity is not under test here, and the shared cluster may be busy: force past it.
      const published = await publish(client, { className, students, release, force: true });
      expect(published.results.filter((r) => r.status === 'failed')).toEqual([]);

      // What the API server holds, not what the compiler returns.
      const namespaces: Record<string, Record<string, string>> = {};
      const pods: Array<ModelPod & { at: Endpoint }> = [];
      const policies: Array<{ metadata?: { name?: string; namespace?: string }; spec?: unknown }> = [];
      for (const [i, s] of students.entries()) {
        const ns = studentTarget(className, s, release).namespace;
        const nsObj = await client.read(NAMESPACE, ns);
        expect(nsObj, `namespace ${ns}`).toBeTruthy();
        namespaces[ns] = nsObj!.metadata?.labels ?? {};
        policies.push(...(await client.list(NETWORK_POLICY, { namespace: ns })).items);
        for (const node of lab.nodes) {
          // The workload named after the node (a Deployment, a StatefulSet or a VirtualMachine); its
          // pod template's labels are the ones its pods carry and policies select on.
          type Workload = { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } | undefined;
          const workload = ((await client.read(DEPLOYMENT, node.name, ns)) ?? (await client.read(STATEFUL_SET, node.name, ns)) ?? (await client.read(VIRTUAL_MACHINE, node.name, ns))) as Workload;
          const labels = workload?.spec?.template?.metadata?.labels;
          expect(labels, `pod template of ${node.kind} ${node.name} in ${ns}`).toBeTruthy();
          pods.push({ namespace: ns, name: node.name, labels: labels!, at: { kind: 'node', student: i, node: node.name } });
        }
      }
      // Pods outside the class, in namespaces as the cluster labels them.
      for (const ns of ['kube-system', INGRESS_NAMESPACE, 'default']) namespaces[ns] = (await client.read(NAMESPACE, ns))?.metadata?.labels ?? {};
      pods.push({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, at: { kind: 'dns' } });
      pods.push({ namespace: 'kube-system', name: 'metrics', labels: { 'k8s-app': 'metrics-server' }, at: { kind: 'outsider' } });
      pods.push({ namespace: INGRESS_NAMESPACE, name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, at: { kind: 'ingress' } });
      // A look-alike of student 1's first node outside the class: same labels, other namespace.
      pods.push({ namespace: 'default', name: 'lookalike', labels: { ...pods[0]!.labels }, at: { kind: 'outsider' } });

      const probes = probesFor(lab);
      const t0 = Date.now();
      const verdicts = await cyclonusProbe(cyclonus, { policies, namespaces, pods, probes });
      tally.evalMs += Date.now() - t0;

      const wrong: string[] = [];
      let checks = 0;
      let allowed = 0;
      probes.forEach((pp, i) => {
        for (const from of pods) {
          for (const to of pods) {
            if (from === to) continue; // a pod talking to itself never crosses the network
            const want = labSays(lab, from.at, to.at, pp);
            if (want === undefined) continue;
            const got = verdicts[i]!.get(pairKey(podKey(from), podKey(to)));
            checks++;
            if (got === want) {
              if (got) allowed++;
            } else {
              wrong.push(`${podKey(from)} → ${podKey(to)} on ${pp.port}/${pp.protocol}: cyclonus says ${got === undefined ? 'nothing' : got ? 'allowed' : 'blocked'}, the lab says ${want ? 'allowed' : 'blocked'}`);
            }
          }
        }
      });
      tally.labs++;
      tally.pairs += pods.length * (pods.length - 1);
      tally.checks += checks;
      tally.passed += checks - wrong.length;
      tally.allowed += allowed;
      process.stderr.write(`[policy-eval] ${file}: ${policies.length} policies, ${pods.length} pods, ${probes.length} ports, ${checks} verdicts, ${wrong.length} wrong, ${allowed} allowed\n`);
      expect(wrong.slice(0, 40)).toEqual([]);
      // Isolation that held only because nothing was allowed would prove little.
      const sharesNetwork = lab.nodes.some((a) => lab.nodes.some((b) => a !== b && (a.networks ?? []).some((n) => (b.networks ?? []).includes(n))));
      if (sharesNetwork) expect(allowed).toBeGreaterThan(0);
    });
  }
});
