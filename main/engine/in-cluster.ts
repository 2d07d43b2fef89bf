/**
 * The skeleton every Labforge program that runs inside the cluster shares (the SSH gateway, the
 * reconciler): a ServiceAccount in labforge-system, bindings of it to roles, and a one-replica
 * Deployment of the Labforge image running as that account, non-root on a read-only filesystem.
 * Each program adds its own rules and container; `manifestsYaml` prints them for kubectl.
 */
import { stringify } from 'yaml';
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import { SYSTEM_NAMESPACE } from './release-record';

const RBAC = 'rbac.authorization.k8s.io/v1';

/** The in-cluster reconciler's name (ServiceAccount, Deployment, roles) for a class: reconcile-manifests.ts, and expiry, which removes its access last. */
export const reconcilerName = (className: string) => `labforge-reconciler-${className}`;

/** What the program's container says of itself; the skeleton adds the locked-down securityContext. */
export interface InClusterContainer {
  name: string;
  image: string;
  args: string[];
  [field: string]: unknown;
}

/** One in-cluster program of a class: `name` is its ServiceAccount's, Deployment's and roles' base name. */
export function inClusterProgram(name: string, className: string, component: string) {
  const labels = { [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: className, [LABEL.component]: component };
  const meta = (n: string, namespace?: string) => ({ name: n, ...(namespace ? { namespace } : {}), labels });
  const subject = { kind: 'ServiceAccount', name, namespace: SYSTEM_NAMESPACE };
  const roleRef = (kind: 'Role' | 'ClusterRole', n: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name: n });
  return {
    labels,
    /** The Deployment's pods, by component and class. */
    selector: { [LABEL.component]: component, [LABEL.class]: className },
    meta,
    serviceAccount: (): KubeObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, SYSTEM_NAMESPACE) }),
    clusterRole: (n: string, rules: unknown[]): KubeObject => ({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta(n), rules }),
    role: (rules: unknown[]): KubeObject => ({ apiVersion: RBAC, kind: 'Role', metadata: meta(name, SYSTEM_NAMESPACE), rules }),
    clusterRoleBinding: (n: string): KubeObject => ({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta(n), roleRef: roleRef('ClusterRole', n), subjects: [subject] }),
    /** Binds the account in `namespace` to a Role of its own name there, or to a ClusterRole. */
    roleBinding: (namespace: string, kind: 'Role' | 'ClusterRole', role: string): KubeObject => ({ apiVersion: RBAC, kind: 'RoleBinding', metadata: meta(name, namespace), roleRef: roleRef(kind, role), subjects: [subject] }),
    deployment: (container: InClusterContainer, strategy?: { type: 'Recreate' }): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, SYSTEM_NAMESPACE),
      spec: {
        replicas: 1,
        ...(strategy ? { strategy } : {}),
        selector: { matchLabels: { [LABEL.component]: component, [LABEL.class]: className } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [{ ...container, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }],
          },
        },
      },
    }),
  };
}

/** The objects as one YAML stream, for `kubectl apply -f -`. */
export const manifestsYaml = (objects: KubeObject[]) => objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
