/** A Kubernetes object as the compiler emits it: plain data, ready for YAML or server-side apply. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
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
  /** IngressClass for exposures; defaults to "nginx". */
  ingressClass?: string;
  /** Namespace of the ingress controller, allowed in by NetworkPolicy; defaults to "ingress-nginx". */
  ingressNamespace?: string;
}

export const DEFAULT_DOMAIN = 'labs.localhost';
