/**
 * A Kubernetes object as plain JSON data: what the compiler emits, what server-side apply sends
 * and what the cluster answers. The metadata the server adds (uid, resourceVersion, …) is typed
 * where Labforge reads it; anything else passes through untouched.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface CompileTarget {
  /** The namespace everything goes into. */
  namespace: string;
  class?: string;
  /** The student's id as given (roster id); absent for the instructor's dev namespace. */
  student?: string;
  /** The release tag being published. */
  release?: string;
  /** Domain under which exposures get a host; defaults to DEFAULT_DOMAIN. */
  domain?: string;
  /** The class's link key: exposures get random, stable subdomains (links.ts) instead of readable hosts. */
  linkKey?: string;
  /** IngressClass for exposures; defaults to "nginx". */
  ingressClass?: string;
  /**
   * The lab is suspended: its workloads at zero replicas and its VMs halted, everything else
   * (volumes, keys, policies, links) as the release has it. Recorded on the namespace.
   */
  suspended?: Suspension;
  /** Namespace of the ingress controller, allowed in by NetworkPolicy; defaults to "ingress-nginx". */
  ingressNamespace?: string;
}

/** Who suspended a lab: the instructor (or a script), the idle timer, or the class's schedule. */
export type SuspendedBy = 'instructor' | 'idle' | 'schedule';
export const SUSPENDED_BY: readonly SuspendedBy[] = ['instructor', 'idle', 'schedule'];

export interface Suspension {
  /** ISO 8601. */
  at: string;
  by: SuspendedBy;
}

export const DEFAULT_DOMAIN = 'labs.localhost';
