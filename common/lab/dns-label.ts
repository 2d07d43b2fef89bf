/**
 * The DNS-1123 label: what Kubernetes accepts as a Namespace, Service or ConfigMap name, and what
 * lab, node, network, class and release names must be. The one definition of the pattern; the lab
 * schema, the name builders and the CLI's argument checks all use it.
 */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_DNS_LABEL = 63;

export function isDnsLabel(s: string, max = MAX_DNS_LABEL): boolean {
  return s.length <= max && DNS_LABEL.test(s);
}
