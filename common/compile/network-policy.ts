/**
 * NetworkPolicies that make every lab network a real segment:
 * - default-deny: no ingress or egress for any pod, unless a policy below allows it;
 * - allow-dns: egress to the cluster DNS in kube-system, so lab names resolve;
 * - one policy per lab network: pods carrying that network's label may talk to each other
 *   (ingress from and egress to the same label). Policies add up, so a router on two networks
 *   reaches both, while a client on one network cannot reach a client on another;
 * - allow-ingress-controller: the ingress controller's namespace may reach exposed ports.
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
    policy(meta('default-deny'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(meta('allow-dns'), {
      podSelector: {},
      policyTypes: ['Egress'],
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
  for (const [node, ports] of exposedPorts) {
    out.push(
      policy(meta(`allow-ingress-${node}`), {
        podSelector: { matchLabels: { [LABEL.node]: node } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingressNamespace } } }],
            ports: [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port })),
          },
        ],
      }),
    );
  }
  return out;
}
