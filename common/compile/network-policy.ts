/**
 * NetworkPolicies that make every lab network a real segment:
 * - default-deny: selects every pod for ingress and egress, so nothing is allowed unless a
 *   rule allows it, and its one egress rule allows the cluster DNS in kube-system, so lab names
 *   resolve (one policy, where a deny-all and a separate DNS policy would be two writes per
 *   student with the same meaning: allowed traffic is the union of all selecting policies);
 * - one policy per lab network: pods carrying that network's label may talk to each other
 *   (ingress from and egress to the same label). Policies add up, so a router on two networks
 *   reaches both, while a client on one network cannot reach a client on another. A policy
 *   has one pod selector and its rules apply to every pod it selects, so two networks cannot
 *   share a policy without letting members of one reach the other;
 * - allow-ingress-<node>: the ingress controller's namespace may reach a node's exposed ports.
 *   Nodes exposing exactly the same ports share one policy (named after the first of them),
 *   selected by `labforge.dev/node In [...]`; nodes with different ports never share, so no
 *   node is opened on another node's port.
 */
import type { Lab } from '../lab/schema';
import { LABEL, networkLabel } from './labels';
import type { KubeObject } from './types';

type Meta = (name: string) => KubeObject['metadata'];

const policy = (metadata: KubeObject['metadata'], spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata,
  spec,
});

export function networkPolicies(lab: Lab, meta: Meta, ingressNamespace: string): KubeObject[] {
  const out: KubeObject[] = [
    policy(meta('default-deny'), {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  ];

  for (const net of lab.networks) {
    const members = { matchLabels: { [networkLabel(net.name)]: 'true' } };
    out.push(
      policy(meta(`net-${net.name}`), {
        podSelector: members,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: members }] }],
        egress: [{ to: [{ podSelector: members }] }],
      }),
    );
  }

  const exposedPorts = new Map<string, number[]>();
  for (const e of lab.exposures) exposedPorts.set(e.node, [...(exposedPorts.get(e.node) ?? []), e.port]);
  // Nodes grouped by their exact set of exposed ports, in the order the lab first exposes them.
  const groups = new Map<string, { nodes: string[]; ports: number[] }>();
  for (const [node, raw] of exposedPorts) {
    const ports = [...new Set(raw)].sort((a, b) => a - b);
    const key = ports.join(',');
    const group = groups.get(key) ?? { nodes: [], ports };
    group.nodes.push(node);
    groups.set(key, group);
  }
  for (const { nodes, ports } of groups.values()) {
    out.push(
      policy(meta(`allow-ingress-${nodes[0]!}`), {
        podSelector:
          nodes.length === 1
            ? { matchLabels: { [LABEL.node]: nodes[0]! } }
            : { matchExpressions: [{ key: LABEL.node, operator: 'In', values: [...nodes].sort() }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingressNamespace } } }],
            ports: ports.map((port) => ({ protocol: 'TCP', port })),
          },
        ],
      }),
    );
  }
  return out;
}
