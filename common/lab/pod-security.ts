/**
 * Which Pod Security level a lab needs, and why. A student's namespace enforces the least level
 * that admits every node of its lab: `restricted` unless a node says it needs more in its
 * `security` (root, added capabilities) or is a VM. The compiler labels the namespace with it
 * (common/compile/index.ts) and writes each pod's securityContext to match
 * (common/compile/workloads.ts); `labforge validate` and the app's inspector show the reasons.
 */
import { BASELINE_CAPABILITIES, ROOT_DEFAULT_CAPABILITIES } from './capabilities';
import type { Lab, LabNode } from './schema';

export const POD_SECURITY_LEVELS = ['restricted', 'baseline', 'privileged'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** The user a container node runs as unless its security says otherwise. */
export const DEFAULT_USER = 1000;

export interface NodeSecurity {
  node: string;
  level: PodSecurityLevel;
  /** Why the node needs more than `restricted`, in an instructor's words; empty when it does not. */
  reasons: string[];
}

export interface LabSecurity {
  level: PodSecurityLevel;
  nodes: NodeSecurity[];
}

const rank = (l: PodSecurityLevel) => POD_SECURITY_LEVELS.indexOf(l);
export const higherLevel = (a: PodSecurityLevel, b: PodSecurityLevel): PodSecurityLevel => (rank(a) >= rank(b) ? a : b);

/** The capabilities a container node's process gets: the root default set plus what it asks for; none for other users. */
export function grantedCapabilities(node: LabNode): string[] {
  if (node.security?.user !== 'root') return [];
  return [...new Set([...ROOT_DEFAULT_CAPABILITIES, ...(node.security.capabilities ?? [])])];
}

export function nodeSecurity(node: LabNode): NodeSecurity {
  if (node.kind === 'vm') {
    // KubeVirt's virt-launcher pod runs QEMU with added capabilities and devices: a privileged workload in Pod Security's terms.
    return { node: node.name, level: 'privileged', reasons: ['is a VM (its launcher pod adds capabilities)'] };
  }
  const reasons: string[] = [];
  let level: PodSecurityLevel = 'restricted';
  if (node.security?.user === 'root') {
    level = 'baseline';
    reasons.push('runs as root');
  }
  const beyond = (node.security?.capabilities ?? []).filter((c) => !(BASELINE_CAPABILITIES as readonly string[]).includes(c));
  if (beyond.length > 0) {
    level = 'privileged';
    reasons.push(`adds ${beyond.join(', ')}`);
  }
  return { node: node.name, level, reasons };
}

export function labSecurity(lab: Pick<Lab, 'nodes'>): LabSecurity {
  const nodes = lab.nodes.map(nodeSecurity);
  return { level: nodes.reduce<PodSecurityLevel>((l, n) => higherLevel(l, n.level), 'restricted'), nodes };
}

/** One line for `validate` and the app: the level and which nodes raise it. */
export function describeLabSecurity(s: LabSecurity): string {
  const raising = s.nodes.filter((n) => n.reasons.length > 0);
  if (raising.length === 0) return 'Pod Security "restricted": every node runs as an ordinary user with no added capabilities';
  return `Pod Security "${s.level}": ${raising.map((n) => `${n.node} ${n.reasons.join(' and ')}`).join('; ')}`;
}

/**
 * Images whose entrypoint needs root (they write under /var or /run, or change to their own user
 * themselves), as the official images of these names do. A node with one of them and no `user`
 * runs as user 1000 and fails at start; `validate` and preflight say so before a class sees it.
 */
const ROOT_IMAGES = ['nginx', 'httpd', 'postgres', 'mysql', 'mariadb', 'mongo', 'redis', 'rabbitmq', 'memcached', 'haproxy', 'traefik', 'caddy', 'php', 'wordpress', 'tomcat', 'jenkins/jenkins', 'gitlab/gitlab-ce', 'bind9', 'frrouting/frr', 'ubuntu/bind9'];

function imageName(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const path = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return path.replace(/^(docker\.io\/)?(library\/)?/, '');
}

/** A hint when a node's image needs root and the node does not run as root; undefined otherwise. */
export function rootImageHint(node: LabNode): string | undefined {
  // A node with its own command does not run the image's start-up, which is what needs root.
  if (node.kind !== 'container' || node.security?.user !== undefined || node.command !== undefined) return undefined;
  const name = imageName(node.image);
  if (!ROOT_IMAGES.includes(name)) return undefined;
  return `image ${node.image} starts as root, and lab nodes run as user ${DEFAULT_USER} unless they say otherwise: add \`security: { user: root }\` to node "${node.name}" (Pod Security "baseline")`;
}

/** The hints above for a whole lab, at each node's image. */
export function securityWarnings(lab: Pick<Lab, 'nodes'>): { path: (string | number)[]; message: string }[] {
  return lab.nodes.flatMap((node, i) => {
    const hint = rootImageHint(node);
    return hint ? [{ path: ['nodes', i, 'image'], message: hint }] : [];
  });
}
