/**
 * `labforge reconcile manifests`: what runs the reconciler inside the cluster, for classes that
 * outlive a laptop session — a Deployment of `labforge reconcile --watch` and the least RBAC that
 * lets it do its work, and nothing more:
 *
 * - read, cluster-wide: the class's namespaces and every managed kind (one watch per kind;
 *   RBAC cannot select by label, and extras can be any object in a student namespace);
 * - in labforge-system: read release records (ConfigMaps; their names depend on the tags
 *   published), write only this class's settings, read only this class's link key;
 * - in each student namespace of the class (one RoleBinding each): create, patch and delete
 *   the managed kinds — never Secrets, Pods or PVC deletion — and bind only the shared student
 *   ClusterRole, which re-creating a student's binding needs without holding exec and consoles;
 * - the class's namespaces by name: patch (their labels) and delete (the end date).
 *
 * The namespaces are listed by name, so the manifests are made for the class as it is: after
 * publishing to new students, print and apply them again.
 */
import { STUDENT_ROLE } from '../../common/compile/rbac';
import type { KubeObject } from '../../common/compile/types';
import { inClusterProgram, reconcilerName } from './in-cluster';
import { NAMESPACED_KINDS } from './owned';
import { resourceOf } from './reconcile';
import { linkKeyName, settingsName } from './reconcile-settings';
import { SYSTEM_NAMESPACE } from './release-record';

export { reconcilerName } from './in-cluster';

export interface ManifestOptions {
  className: string;
  /** The class's student namespaces now. */
  namespaces: string[];
  image: string;
  repair: boolean;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** The managed kinds as RBAC rules: one per API group. */
function kindRules(verbs: string[], filter: (kind: string) => boolean = () => true): Record<string, unknown>[] {
  const byGroup = new Map<string, string[]>();
  for (const k of NAMESPACED_KINDS) {
    if (!filter(k.kind)) continue;
    const g = groupOf(k.apiVersion);
    byGroup.set(g, [...(byGroup.get(g) ?? []), resourceOf(k.kind)]);
  }
  return [...byGroup].map(([g, resources]) => ({ apiGroups: [g], resources, verbs }));
}

export function reconcilerManifests(opts: ManifestOptions): KubeObject[] {
  const name = reconcilerName(opts.className);
  const app = inClusterProgram(name, opts.className, 'reconciler');
  const namespaces = [...opts.namespaces].sort();
  const out: KubeObject[] = [
    app.serviceAccount(),
    app.clusterRole(`${name}-cluster`, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      ...kindRules(['get', 'list', 'watch']),
      ...(namespaces.length ? [{ apiGroups: [''], resources: ['namespaces'], resourceNames: namespaces, verbs: ['patch', 'delete'] }] : []),
    ]),
    app.clusterRoleBinding(`${name}-cluster`),
    app.role([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [settingsName(opts.className)], verbs: ['patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [linkKeyName(opts.className)], verbs: ['get'] },
    ]),
    app.roleBinding(SYSTEM_NAMESPACE, 'Role', name),
  ];
  // Class time (class-time.ts): suspend and resume apply the existing workloads (a patch) and
  // stamp the namespace (patch, above); its schedule record is a key of the settings ConfigMap.
  out.push(
    app.clusterRole(`${name}-class-time`, [
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['patch'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['patch'] },
    ]),
  );
  for (const ns of namespaces) out.push({ ...app.roleBinding(ns, 'ClusterRole', `${name}-class-time`), metadata: { ...app.meta(`${name}-class-time`, ns) } });
  if (opts.repair) {
    out.push(
      app.clusterRole(`${name}-repair`, [
        // Server-side apply is a patch, and a create when the object is missing.
        ...kindRules(['create', 'patch'], (k) => k !== 'PersistentVolumeClaim'),
        // Volumes are created when missing, never changed or deleted by the reconciler.
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create'] },
        ...kindRules(['delete'], (k) => k !== 'PersistentVolumeClaim'),
        // Re-creating the student binding needs `bind` on the shared student ClusterRole (and nothing else).
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: [STUDENT_ROLE], verbs: ['bind'] },
      ]),
    );
    for (const ns of namespaces) out.push(app.roleBinding(ns, 'ClusterRole', `${name}-repair`));
  }
  out.push(
    app.deployment(
      {
        name: 'reconciler',
        image: opts.image,
        args: ['reconcile', '--class', opts.className, '--watch', ...(opts.repair ? ['--repair'] : [])],
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      },
      // Never two reconcilers of one class at once.
      { type: 'Recreate' },
    ),
  );
  return out;
}
