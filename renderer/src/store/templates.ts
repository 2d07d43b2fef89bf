import type { LabNode } from '../../../common/lab/schema';

/** What the palette offers. Kinds are the lab's node kinds; templates are pre-filled nodes. */
export type PaletteItem =
  | 'container'
  | 'desktop'
  | 'vm'
  | 'network'
  | 'volume'
  | 'webserver'
  | 'database'
  | 'router'
  | 'desktop-template'
  | 'vm-template';

export interface NodeTemplate {
  id: PaletteItem;
  label: string;
  hint: string;
  /** The base of generated names; `numbered` ones always get a suffix (node-1, node-2...). */
  base: string;
  numbered: boolean;
  node: Omit<LabNode, 'name'>;
}

export const NODE_TEMPLATES: Record<Exclude<PaletteItem, 'network' | 'volume'>, NodeTemplate> = {
  container: {
    id: 'container',
    label: 'Container',
    hint: 'A Linux container (alpine, kept running)',
    base: 'node',
    numbered: true,
    node: { kind: 'container', image: 'alpine:3.20', command: ['sleep', 'infinity'] },
  },
  desktop: {
    id: 'desktop',
    label: 'Desktop container',
    hint: 'A container serving a VNC desktop',
    base: 'desktop',
    numbered: true,
    node: { kind: 'container', image: 'consol/debian-xfce-vnc:latest', desktop: true },
  },
  vm: {
    id: 'vm',
    label: 'Virtual machine',
    hint: 'A KubeVirt VM booted from a containerDisk',
    base: 'vm',
    numbered: true,
    node: { kind: 'vm', image: 'quay.io/containerdisks/fedora:40', resources: { requests: { cpu: '1', memory: '2Gi' } } },
  },
  webserver: {
    id: 'webserver',
    label: 'Web server',
    hint: 'nginx serving port 80',
    base: 'web',
    numbered: false,
    node: { kind: 'container', image: 'nginx:1.27', ports: [{ port: 80, name: 'http' }] },
  },
  database: {
    id: 'database',
    label: 'Database',
    hint: 'PostgreSQL 16 on port 5432',
    base: 'db',
    numbered: false,
    node: { kind: 'container', image: 'postgres:16', env: { POSTGRES_PASSWORD: 'labforge' }, ports: [{ port: 5432, name: 'postgres' }] },
  },
  router: {
    id: 'router',
    label: 'Router',
    hint: 'An alpine box to attach to several networks',
    base: 'router',
    numbered: false,
    node: { kind: 'container', image: 'alpine:3.20', command: ['sleep', 'infinity'] },
  },
  'desktop-template': {
    id: 'desktop-template',
    label: 'XFCE desktop',
    hint: 'Debian XFCE desktop with sensible resources',
    base: 'workstation',
    numbered: false,
    node: {
      kind: 'container',
      image: 'consol/debian-xfce-vnc:latest',
      desktop: true,
      env: { VNC_RESOLUTION: '1280x800' },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    },
  },
  'vm-template': {
    id: 'vm-template',
    label: 'Fedora server VM',
    hint: 'Fedora 40 VM with SSH and a 10Gi disk',
    base: 'server',
    numbered: false,
    node: { kind: 'vm', image: 'quay.io/containerdisks/fedora:40', ports: [{ port: 22, name: 'ssh' }], resources: { requests: { cpu: '1', memory: '2Gi' }, disk: '10Gi' } },
  },
};

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
