/**
 * `labforge gateway manifests`: what runs a class's SSH gateway inside the cluster, once the
 * class outgrows the instructor's laptop — a Deployment of `labforge gateway`, a LoadBalancer
 * Service on port 22, and the least RBAC that lets it work:
 *
 * - cluster-wide: read namespaces (where a login lands, and which namespaces the class has);
 * - in labforge-system: read the host key Secret (by name) and the release records
 *   (ConfigMaps, to know each lab's nodes);
 * - in each student namespace of the class (one RoleBinding each): read the key Secrets and the
 *   pods, exec into the pods, and write the session Events.
 *
 * Nothing else: no Secrets outside the class's namespaces, no writes to keys or workloads, no
 * exec elsewhere. So the in-cluster gateway reads keys namespace by namespace (the key index's
 * fallback; RBAC cannot allow a cross-namespace list of only the labelled Secrets), and wipe on
 * disconnect, which republishes, stays with the instructor's own gateway. The namespaces are
 * named one by one: after publishing to new students, print and apply the manifests again.
 */
import { stringify } from 'yaml';
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import { SYSTEM_NAMESPACE } from '../engine/release-record';
import { HOST_KEY_SECRET } from './host-key';

export const gatewayName = (className: string) => `labforge-gateway-${className}`;

export interface GatewayManifestOptions {
  className: string;
  /** The class's student namespaces now. */
  namespaces: string[];
  image: string;
  /** The Service's port (default 22). */
  port?: number;
}

/** The rules the gateway holds in each student namespace. */
export const STUDENT_NAMESPACE_RULES = [
  { apiGroups: [''], resources: ['secrets', 'pods'], verbs: ['get', 'list', 'watch'] },
  // WebSocket exec upgrades a GET; SPDY clients POST (create).
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

export function gatewayManifests(opts: GatewayManifestOptions): KubeObject[] {
  const name = gatewayName(opts.className);
  const labels = { [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: opts.className, [LABEL.component]: 'ssh-gateway' };
  const meta = (n: string, namespace?: string) => ({ name: n, ...(namespace ? { namespace } : {}), labels });
  const subject = { kind: 'ServiceAccount', name, namespace: SYSTEM_NAMESPACE };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const ref = (kind: string, n: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name: n });
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, SYSTEM_NAMESPACE) },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: meta(`${name}-namespaces`), rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }] },
    { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: meta(`${name}-namespaces`), roleRef: ref('ClusterRole', `${name}-namespaces`), subjects: [subject] },
    {
      apiVersion: rbac,
      kind: 'Role',
      metadata: meta(name, SYSTEM_NAMESPACE),
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [HOST_KEY_SECRET], verbs: ['get'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      ],
    },
    { apiVersion: rbac, kind: 'RoleBinding', metadata: meta(name, SYSTEM_NAMESPACE), roleRef: ref('Role', name), subjects: [subject] },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: meta(`${name}-students`), rules: STUDENT_NAMESPACE_RULES },
  ];
  for (const ns of [...opts.namespaces].sort()) {
    out.push({ apiVersion: rbac, kind: 'RoleBinding', metadata: meta(name, ns), roleRef: ref('ClusterRole', `${name}-students`), subjects: [subject] });
  }
  const selector = { [LABEL.component]: 'ssh-gateway', [LABEL.class]: opts.className };
  out.push(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, SYSTEM_NAMESPACE),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: 'gateway',
                image: opts.image,
                args: ['gateway', '--class', opts.className, '--listen', '0.0.0.0:2222'],
                ports: [{ name: 'ssh', containerPort: 2222 }],
                readinessProbe: { tcpSocket: { port: 2222 }, periodSeconds: 10 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, SYSTEM_NAMESPACE),
      // Local: the gateway sees each student's own address. With the default (Cluster) every
      // connection arrives from a node's address after SNAT, and a whole class would share one
      // failure budget and one per-address connection limit.
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector, ports: [{ name: 'ssh', port: opts.port ?? 22, targetPort: 'ssh', protocol: 'TCP' }] },
    },
  );
  return out;
}

/** The objects as one YAML stream, for `kubectl apply -f -`. */
export const manifestsYaml = (objects: KubeObject[]) => objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
