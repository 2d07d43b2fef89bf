/**
 * What a student may do in their own namespace, and nothing else. The rules live in one
 * ClusterRole shared by every class (written once per publish, not once per student); each
 * student namespace holds a RoleBinding to it, and a RoleBinding grants a ClusterRole's rules
 * in its own namespace only, so every other namespace stays denied by default. The
 * ClusterRole itself grants nothing until bound; a class teardown leaves it in place because
 * other classes bind it too. Students look at and get
 * into their nodes (exec, attach, port-forward, logs, VNC and serial consoles of VMs) and may
 * restart a node (delete its pod, or start/stop/restart a VM). They create no stored object at
 * all: no workloads, no ConfigMaps (their check results and the lab's files are ConfigMaps, and
 * objects they could create but not delete would fill etcd, as no quota counts them), and they
 * cannot read Secrets or change RBAC, quotas or network policies. A grant of `create` on a
 * stored resource must come with a `count/<resource>` quota (common/compile/resources.ts); the
 * compile test holds the two together.
 */
import { LABEL, MANAGED_BY } from './labels';
import type { KubeObject } from './types';

export const STUDENT_SERVICE_ACCOUNT = 'student';
/** The shared ClusterRole's name. */
export const STUDENT_ROLE = 'labforge-student';
/**
 * The per-namespace binding. Not `labforge-student`: namespaces published before the shared
 * ClusterRole hold a RoleBinding of that name to a namespaced Role, and a binding's roleRef
 * cannot be changed in place; under a new name the old binding and Role are pruned as objects
 * the release no longer has.
 */
export const STUDENT_BINDING = 'labforge-student-access';

const READ = ['get', 'list', 'watch'];

export const STUDENT_RULES: Record<string, unknown>[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'events', 'resourcequotas', 'limitranges'], verbs: READ },
  // Restarting a node: the workload controller recreates the deleted pod.
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  // WebSocket exec/attach/port-forward upgrade a GET; SPDY clients POST (create).
  { apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'], verbs: ['get', 'create'] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: READ },
  {
    apiGroups: ['subresources.kubevirt.io'],
    resources: ['virtualmachineinstances/vnc', 'virtualmachineinstances/console', 'virtualmachineinstances/portforward'],
    verbs: ['get'],
  },
  { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart'], verbs: ['update'] },
];

/**
 * The ClusterRole every student binding refers to. Labelled as Labforge's but with no lab,
 * class or student label, so no lab's pruning and no class's teardown selects it.
 */
export function studentClusterRole(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: STUDENT_ROLE, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: 'student-access' } },
    rules: STUDENT_RULES,
  };
}

export function studentRbac(meta: (name: string) => KubeObject['metadata'], namespace: string): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(STUDENT_SERVICE_ACCOUNT),
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(STUDENT_BINDING),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: STUDENT_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: STUDENT_SERVICE_ACCOUNT, namespace }],
    },
  ];
}
