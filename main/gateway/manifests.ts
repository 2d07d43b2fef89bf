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
 * - to resume a suspended lab when its student logs in (engine/suspend.ts): patch the class's
 *   namespaces (by name) and, in each student namespace, patch its workloads and VMs — patch
 *   only, so it can neither create nor delete one — and get the class's link key, which the
 *   release is compiled with.
 *
 * Nothing else: no Secrets outside the class's namespaces, no writes to keys, no exec elsewhere. So the in-cluster gateway reads keys namespace by namespace (the key index's
 * fallback; RBAC cannot allow a cross-namespace list of only the labelled Secrets), and wipe on
 * disconnect, which republishes, stays with the instructor's own gateway. The namespaces are
 * named one by one: after publishing to new students, print and apply the manifests again.
 */
import type { KubeObject } from '../../common/compile/types';
import { inClusterProgram } from '../engine/in-cluster';
import { SYSTEM_NAMESPACE } from '../engine/release-record';
import { linkKeyName } from '../engine/reconcile-settings';
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
  // Resume on login: server-side apply of the existing workloads (a PATCH).
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'patch'] },
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'patch'] },
];

export function gatewayManifests(opts: GatewayManifestOptions): KubeObject[] {
  const name = gatewayName(opts.className);
  const app = inClusterProgram(name, opts.className, 'ssh-gateway');
  const out: KubeObject[] = [
    app.serviceAccount(),
    app.clusterRole(`${name}-namespaces`, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      // Resume on login and the activity stamp, on the class's own namespaces only.
      ...(opts.namespaces.length ? [{ apiGroups: [''], resources: ['namespaces'], resourceNames: [...opts.namespaces].sort(), verbs: ['patch'] }] : []),
    ]),
    app.clusterRoleBinding(`${name}-namespaces`),
    app.role([
      { apiGroups: [''], resources: ['secrets'], resourceNames: [HOST_KEY_SECRET], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [linkKeyName(opts.className)], verbs: ['get'] },
    ]),
    app.roleBinding(SYSTEM_NAMESPACE, 'Role', name),
    app.clusterRole(`${name}-students`, STUDENT_NAMESPACE_RULES),
  ];
  for (const ns of [...opts.namespaces].sort()) out.push(app.roleBinding(ns, 'ClusterRole', `${name}-students`));
  out.push(
    app.deployment({
      name: 'gateway',
      image: opts.image,
      args: ['gateway', '--class', opts.className, '--listen', '0.0.0.0:2222'],
      ports: [{ name: 'ssh', containerPort: 2222 }],
      readinessProbe: { tcpSocket: { port: 2222 }, periodSeconds: 10 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: app.meta(name, SYSTEM_NAMESPACE),
      // Local: the gateway sees each student's own address. With the default (Cluster) every
      // connection arrives from a node's address after SNAT, and a whole class would share one
      // failure budget and one per-address connection limit.
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: app.selector, ports: [{ name: 'ssh', port: opts.port ?? 22, targetPort: 'ssh', protocol: 'TCP' }] },
    },
  );
  return out;
}
