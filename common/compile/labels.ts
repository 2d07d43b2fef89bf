/** Label keys on everything Labforge creates; selection and pruning go by these. */
export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** What a non-lab object is for, e.g. `release` on the ConfigMaps that store releases. */
  component: 'app.kubernetes.io/component',
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
  /** When and by whom a release was made (release records without a version kept them here). */
  createdAt: 'labforge.dev/created-at',
  author: 'labforge.dev/author',
  /** When a dev namespace's lab record was last written by deploy. */
  deployedAt: 'labforge.dev/deployed-at',
  /**
   * A student's lab is suspended (main/engine/suspend.ts): since when, and by whom (instructor,
   * idle, schedule). Compiled onto the namespace, so every apply of the release keeps it.
   */
  suspendedAt: 'labforge.dev/suspended-at',
  suspendedBy: 'labforge.dev/suspended-by',
  /** When the lab was last used (a terminal, screen or SSH session); written by the session's server, never compiled. */
  lastActivity: 'labforge.dev/last-activity',
  /** When the class-time controller warned that this idle lab will be suspended, and for when. */
  idleWarning: 'labforge.dev/idle-warning',
} as const;

/**
 * A label selector from equality requirements, `k1=v1,k2=v2`, in the order given. Undefined
 * values are left out, so optional parts (one student of a class) need no string surgery.
 */
export function labelSelector(match: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(match)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Objects Labforge made, narrowed by more equality requirements (lab, class, student…). */
export function managedSelector(match: Readonly<Record<string, string | undefined>> = {}): string {
  return labelSelector({ [LABEL.managedBy]: MANAGED_BY, ...match });
}
