/** Label keys on everything Labforge creates; selection and pruning go by these. */
export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  lab: 'labforge.dev/lab',
  class: 'labforge.dev/class',
  student: 'labforge.dev/student',
  release: 'labforge.dev/release',
  node: 'labforge.dev/node',
  role: 'labforge.dev/role',
  desktop: 'labforge.dev/desktop',
} as const;

export const MANAGED_BY = 'labforge';

/** Pods carry one label per lab network they attach to; NetworkPolicies select on it. */
export const networkLabel = (network: string) => `network.labforge.dev/${network}`;

export const ANNOTATION = {
  /** Where in the lab file an object came from, e.g. `nodes[2]`, for error messages. */
  source: 'labforge.dev/source',
  studentId: 'labforge.dev/student-id',
  title: 'labforge.dev/title',
} as const;
