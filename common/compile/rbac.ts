/**
 * What a student may do in their own namespace, and nothing else: the Role is namespaced and
 * bound only there, so every other namespace stays denied by default. Students look at and get
 * into their nodes (exec, attach, port-forward, logs, VNC and serial consoles of VMs) and may
 * restart a node (delete its pod, or start/stop/restart a VM). They cannot create workloads,
 * read Secrets, or change RBAC, quotas or network policies.
 */
import type { KubeObject } from './types';

export const STUDENT_SERVICE_ACCOUNT = 'student';
export const STUDENT_ROLE = 'labforge-student';

const READ = ['get', 'list', 'watch'];

export const STUDENT_RULES: Record<string, unknown>[] = [
  { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'persistentvolumeclaims', 'events', 'resourcequotas', 'limitranges'], verbs: READ },
  // Restarting a node: the workload controller recreates the deleted pod.
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  // Their own notes and settings. What a student may create is theirs: reconcile never reports or removes it.
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
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
      kind: 'Role',
      metadata: meta(STUDENT_ROLE),
      rules: STUDENT_RULES,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(STUDENT_ROLE),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: STUDENT_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: STUDENT_SERVICE_ACCOUNT, namespace }],
    },
  ];
}
