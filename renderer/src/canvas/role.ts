import type { LabNode } from '../../../common/lab/schema';

/** A rough role for the icon, from the image: templates and hand-written labs look alike. */
export type NodeRole = 'container' | 'desktop' | 'vm' | 'web' | 'database' | 'router';

export function nodeRole(node: Pick<LabNode, 'kind' | 'image' | 'desktop' | 'name' | 'networks'>): NodeRole {
  if (node.kind === 'vm') return 'vm';
  if (node.desktop) return 'desktop';
  const image = node.image.toLowerCase();
  if (/(^|\/)(nginx|httpd|apache|caddy|traefik|tomcat|php)/.test(image)) return 'web';
  if (/(^|\/)(postgres|mysql|mariadb|mongo|redis|valkey|cassandra|couchdb)/.test(image)) return 'database';
  if (/router|frr|vyos|bird|quagga/.test(image) || /router|gw|gateway/.test(node.name) || (node.networks?.length ?? 0) > 1) return 'router';
  return 'container';
}
