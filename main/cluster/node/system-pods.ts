// The real node's cluster services, run as pods the documented way: CoreDNS as the cluster DNS
// (the `kube-dns` Service at the address kubelet gives pods) and kube-network-policies as the
// NetworkPolicy enforcer (its upstream DaemonSet, on the real node only). Both use the host's
// network: the API server listens on loopback only, which a pod on the pod network cannot reach.
import type { KubeObject } from '../../../common/compile/types';
import { REAL_NODE } from './config';
import { COREDNS_IMAGE, NETPOL_IMAGE } from './image-recipes';
import { REAL_SELECTOR } from './placement';

const NS = 'kube-system';
const managed = { 'app.kubernetes.io/managed-by': 'labforge-cluster' };
const onRealNode = { [REAL_SELECTOR.split('=')[0] as string]: 'real' };
/** Health and readiness listen on the node's own address, where kubelet probes a host-network pod. */
const DNS_HEALTH_PORT = 8080;
const DNS_READY_PORT = 8181;
const NETPOL_METRICS_PORT = 9080;

const apiEnv = (apiserverPort: number) => [
  { name: 'KUBERNETES_SERVICE_HOST', value: '127.0.0.1' },
  { name: 'KUBERNETES_SERVICE_PORT', value: String(apiserverPort) },
];

export const COREFILE = `.:53 {
    bind ${REAL_NODE.ip}
    errors
    health ${REAL_NODE.ip}:${DNS_HEALTH_PORT}
    ready ${REAL_NODE.ip}:${DNS_READY_PORT}
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

export function systemPodObjects(apiserverPort: number): KubeObject[] {
  const dnsLabels = { 'k8s-app': 'kube-dns' };
  const netpolLabels = { 'k8s-app': 'kube-network-policies' };
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
            hostNetwork: true,
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
              readinessProbe: { httpGet: { host: REAL_NODE.ip, path: '/ready', port: DNS_READY_PORT }, periodSeconds: 2 },
              livenessProbe: { httpGet: { host: REAL_NODE.ip, path: '/health', port: DNS_HEALTH_PORT }, periodSeconds: 10, failureThreshold: 5 },
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
    ...serviceAccountWithRole('kube-network-policies', [
      { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
    ]),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-network-policies', namespace: NS, labels: { ...managed, ...netpolLabels } },
      spec: {
        selector: { matchLabels: netpolLabels },
        template: {
          metadata: { labels: netpolLabels },
          spec: {
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'kube-network-policies',
            nodeSelector: onRealNode,
            tolerations: [{ operator: 'Exists' }],
            containers: [{
              name: 'kube-network-policies',
              image: NETPOL_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: [
                `--hostname-override=${REAL_NODE.name}`,
                // containerd 1.6 has no NRI; pod IPs come from the API.
                '--disable-nri=true',
                `--metrics-bind-address=${REAL_NODE.ip}:${NETPOL_METRICS_PORT}`,
                '--v=1',
              ],
              env: apiEnv(apiserverPort),
              resources: { requests: { cpu: '50m', memory: '50Mi' } },
              securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
            }],
          },
        },
      },
    },
  ];
}
