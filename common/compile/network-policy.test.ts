import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/parse';
import type { Lab } from '../lab/schema';
import { LABEL, networkLabel } from './labels';
import { networkPolicies } from './network-policy';
import type { KubeObject } from './types';

/**
 * The merged policies must mean exactly what one policy per concern meant: deny-all, DNS,
 * one per network, one per exposed node. Both sets are evaluated with NetworkPolicy's rules
 * (a pod is isolated in a direction once any policy of that type selects it; traffic is
 * allowed when some selecting policy's rule allows it, on both ends inside the namespace) for
 * every pair of pods, every port a lab uses, DNS and the ingress controller.
 */

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: { protocol: string; port: number }[] };
type Spec = { podSelector: Selector; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };

function matches(sel: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (sel.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return labels[e.key] !== undefined && (e.values ?? []).includes(labels[e.key]!);
    throw new Error(`operator ${e.operator} not simulated`);
  });
  return byLabel && byExpr;
}

/** A party to a connection: a pod of the lab, or a pod in another namespace. */
type Party = { namespace: string; labels: Record<string, string> };
const NS = 'cs101-alice';
const NS_LABELS = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });

function peerMatches(peer: Peer, other: Party): boolean {
  if (peer.namespaceSelector) return matches(peer.namespaceSelector, NS_LABELS(other.namespace)) && (!peer.podSelector || matches(peer.podSelector, other.labels));
  return other.namespace === NS && matches(peer.podSelector ?? {}, other.labels);
}

const portOk = (rule: Rule, proto: string, port: number) => !rule.ports || rule.ports.some((p) => p.protocol === proto && p.port === port);

/** Whether one direction (egress of `self` to `other`, or ingress to `self` from `other`) is allowed. */
function side(specs: Spec[], dir: 'Ingress' | 'Egress', self: Party, other: Party, proto: string, port: number): boolean {
  if (self.namespace !== NS) return true; // policies of this namespace do not govern others
  const selecting = specs.filter((s) => s.policyTypes.includes(dir) && matches(s.podSelector, self.labels));
  if (selecting.length === 0) return true;
  return selecting.some((s) =>
    (dir === 'Ingress' ? (s.ingress ?? []) : (s.egress ?? [])).some((r) => (dir === 'Ingress' ? (r.from ?? []) : (r.to ?? [])).some((p) => peerMatches(p, other)) && portOk(r, proto, port)),
  );
}

const allowed = (specs: Spec[], from: Party, to: Party, proto: string, port: number) => side(specs, 'Egress', from, to, proto, port) && side(specs, 'Ingress', to, from, proto, port);

/** The formulation before policies were merged: one policy per concern. */
function unmerged(lab: Lab, ingressNamespace: string): Spec[] {
  const out: Spec[] = [
    { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: NS_LABELS('kube-system') }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    },
  ];
  for (const net of lab.networks) {
    const members = { matchLabels: { [networkLabel(net.name)]: 'true' } };
    out.push({ podSelector: members, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: members }] }], egress: [{ to: [{ podSelector: members }] }] });
  }
  for (const e of lab.exposures) {
    out.push({ podSelector: { matchLabels: { [LABEL.node]: e.node } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: NS_LABELS(ingressNamespace) } }], ports: [{ protocol: 'TCP', port: e.port }] }] });
  }
  return out;
}

const meta = (name: string) => ({ name, namespace: NS });
const specsOf = (objs: KubeObject[]) => objs.map((o) => o['spec'] as Spec);

function podsOf(lab: Lab): Party[] {
  return lab.nodes.map((n) => ({
    namespace: NS,
    labels: { [LABEL.node]: n.name, ...Object.fromEntries((n.networks ?? []).map((net) => [networkLabel(net), 'true'])) },
  }));
}

/** Every verdict the two formulations give, keyed by what was asked. */
function verdicts(lab: Lab, specs: Spec[]): Map<string, boolean> {
  const pods = podsOf(lab);
  const outsiders: Record<string, Party> = {
    dns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    'other-kube-system': { namespace: 'kube-system', labels: { app: 'x' } },
    ingress: { namespace: 'ingress-nginx', labels: { app: 'controller' } },
    'other-student': { namespace: 'cs101-bob', labels: pods[0]?.labels ?? {} },
  };
  const ports = [...new Set([53, 80, 443, 8080, ...lab.exposures.map((e) => e.port), ...lab.nodes.flatMap((n) => (n.ports ?? []).map((p) => p.port))])];
  const out = new Map<string, boolean>();
  for (const proto of ['TCP', 'UDP'])
    for (const port of ports) {
      pods.forEach((a, i) =>
        pods.forEach((b, j) => {
          if (i !== j) out.set(`${lab.nodes[i]!.name}->${lab.nodes[j]!.name} ${proto}/${port}`, allowed(specs, a, b, proto, port));
        }),
      );
      pods.forEach((p, i) => {
        for (const [name, o] of Object.entries(outsiders)) {
          out.set(`${lab.nodes[i]!.name}->${name} ${proto}/${port}`, allowed(specs, p, o, proto, port));
          out.set(`${name}->${lab.nodes[i]!.name} ${proto}/${port}`, allowed(specs, o, p, proto, port));
        }
      });
    }
  return out;
}

function lab(yaml: string): Lab {
  const r = parseLab(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.lab;
}

const examples = join(import.meta.dirname, '../../resources/examples');

/** Shapes the examples do not cover: shared and distinct exposed port sets, a node on no network. */
const SHAPES: Record<string, string> = {
  'exposures with shared and distinct ports': `apiVersion: labforge.dev/v1alpha1
kind: Lab
metadata: { name: shapes }
networks: [{ name: front }, { name: back }]
nodes:
  - { name: a, kind: container, image: nginx:1.27, networks: [front], ports: [{ port: 80 }, { port: 8080 }] }
  - { name: b, kind: container, image: nginx:1.27, networks: [front, back], ports: [{ port: 80 }, { port: 8080 }] }
  - { name: c, kind: container, image: nginx:1.27, networks: [back], ports: [{ port: 80 }, { port: 443 }] }
  - { name: d, kind: container, image: nginx:1.27, ports: [{ port: 80 }] }
exposures:
  - { node: a, port: 80 }
  - { node: a, port: 8080, path: /admin }
  - { node: b, port: 8080 }
  - { node: b, port: 80, path: /b }
  - { node: c, port: 80 }
  - { node: d, port: 80 }
`,
};

describe('merged network policies mean what one policy per concern meant', () => {
  const cases: [string, Lab][] = [
    ...readdirSync(examples)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, lab(readFileSync(join(examples, f), 'utf8'))] as [string, Lab]),
    ...Object.entries(SHAPES).map(([name, y]) => [name, lab(y)] as [string, Lab]),
  ];
  for (const [name, l] of cases) {
    it(`${name}: the same verdict for every pod pair, port, DNS and the ingress controller`, () => {
      const merged = verdicts(l, specsOf(networkPolicies(l, meta, 'ingress-nginx')));
      const reference = verdicts(l, unmerged(l, 'ingress-nginx'));
      expect(merged.size).toBeGreaterThan(0);
      expect([...merged].filter(([k, v]) => reference.get(k) !== v)).toEqual([]);
      expect([...merged.keys()].sort()).toEqual([...reference.keys()].sort());
      // The comparison is not vacuous: some traffic is allowed and some denied.
      expect([...merged.values()]).toContain(true);
      expect([...merged.values()]).toContain(false);
    });
  }

  it('writes fewer policies: DNS inside default-deny, nodes with the same exposed ports in one policy', () => {
    const l = lab(SHAPES['exposures with shared and distinct ports']!);
    const objs = networkPolicies(l, meta, 'ingress-nginx');
    expect(objs.map((o) => o.metadata.name)).toEqual(['default-deny', 'net-front', 'net-back', 'allow-ingress-a', 'allow-ingress-c']);
    expect(specsOf(objs)[3]!.podSelector).toEqual({ matchExpressions: [{ key: LABEL.node, operator: 'In', values: ['a', 'b'] }] });
    expect(specsOf(objs)[4]!.podSelector).toEqual({ matchExpressions: [{ key: LABEL.node, operator: 'In', values: ['c', 'd'] }] });
    expect(unmerged(l, 'ingress-nginx').length).toBe(2 + 2 + 6);
  });

  it('the simulator tells apart what differs: a policy opening a node on a port it did not expose', () => {
    const l = lab(SHAPES['exposures with shared and distinct ports']!);
    const widened = specsOf(networkPolicies(l, meta, 'ingress-nginx'));
    widened[4] = { ...widened[4]!, ingress: [{ ...widened[4]!.ingress![0]!, ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }] }] };
    const reference = verdicts(l, unmerged(l, 'ingress-nginx'));
    const diff = [...verdicts(l, widened)].filter(([k, v]) => reference.get(k) !== v).map(([k]) => k);
    expect(diff).toEqual(['ingress->c TCP/443', 'ingress->d TCP/443']);
  });
});
