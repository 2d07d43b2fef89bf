// The real node's cluster objects: CoreDNS as the cluster DNS (the `kube-dns` Service at the address
// kubelet gives pods), a pod on the pod network like any cluster's, so the NetworkPolicies a lab
// compiles (egress to kube-system's k8s-app=kube-dns) select it; and the read-only role of
// kube-router, the NetworkPolicy enforcer that runs as a host process (components.ts).
import type { KubeObject } from '../../../common/compile/types';
import { CLIENT_IDENTITIES } from '../certs';
import { REAL_NODE } from './config';
import { COREDNS_IMAGE } from './image-recipes';
import { REAL_SELECTOR } from './placement';

const NS = 'kube-system';
const managed = { 'app.kubernetes.io/managed-by': 'labforge-cluster' };
const onRealNode = { [REAL_SELECTOR.split('=')[0] as string]: 'real' };
const DNS_HEALTH_PORT = 8080;
const DNS_READY_PORT = 8181;

/** The API server as a pod reaches it: the node's address, taken to loopback by host.ts's DNAT. */
const apiEnv = (apiserverPort: number) => [
  { name: 'KUBERNETES_SERVICE_HOST', value: REAL_NODE.ip },
  { name: 'KUBERNETES_SERVICE_PORT', value: String(apiserverPort) },
];

export const COREFILE = `.:53 {
    errors
    health :${DNS_HEALTH_PORT}
    ready :${DNS_READY_PORT}
    kubernetes ${REAL_NODE.clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;

function serviceAccountWithRole(name: string, rules: unknown[]): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NS, labels: managed } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `labforge:${name}`, labels: managed }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `labforge:${name}`, labels: managed },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `labforge:${name}` },
      subjects: [{ kind: 'ServiceAccount', name, namespace: NS }],
    },
  ];
}

/** What kube-router's policy controller watches (its informers start for all of them), read only. */
function kubeRouterRole(): KubeObject[] {
  const name = 'labforge:kube-router';
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels: managed },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes', 'endpoints'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: managed },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CLIENT_IDENTITIES['kube-router'].cn }],
    },
  ];
}

export function systemPodObjects(apiserverPort: number): KubeObject[] {
  const dnsLabels = { 'k8s-app': 'kube-dns' };
  return [
    ...serviceAccountWithRole('coredns', [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: NS, labels: managed }, data: { Corefile: COREFILE } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: NS, labels: { ...managed, ...dnsLabels } },
      spec: {
        replicas: 1,
        selector: { matchLabels: dnsLabels },
        template: {
          metadata: { labels: dnsLabels },
          spec: {
            dnsPolicy: 'Default',
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'coredns',
            nodeSelector: onRealNode,
            // The node may repel ordinary pods (placement `simulated`); its own services still run there.
            tolerations: [{ operator: 'Exists' }],
            containers: [{
              name: 'coredns',
              image: COREDNS_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: ['-conf', '/etc/coredns/Corefile'],
              env: apiEnv(apiserverPort),
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              resources: { requests: { cpu: '50m', memory: '40Mi' }, limits: { memory: '170Mi' } },
              readinessProbe: { httpGet: { path: '/ready', port: DNS_READY_PORT }, periodSeconds: 2 },
              livenessProbe: { httpGet: { path: '/health', port: DNS_HEALTH_PORT }, periodSeconds: 10, failureThreshold: 5 },
              securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
            }],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: NS, labels: { ...managed, ...dnsLabels } },
      spec: {
        clusterIP: REAL_NODE.clusterDns,
        selector: dnsLabels,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    },
    ...kubeRouterRole(),
  ];
}
