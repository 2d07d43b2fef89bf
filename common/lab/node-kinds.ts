/**
 * The node kinds, one entry each: what every part of Labforge that branches on a node's kind asks
 * of it. Read by the schema (which kinds exist), the compiler's resource defaults, checks and the
 * gateway (who can run a command), node status (what object stands for the node), the VNC and
 * terminal targets and the renderer's palette. The compile function of each kind is keyed by
 * kind in common/compile/index.ts (compile/ builds on lab/, never the other way round); its map
 * is typed over NodeKind, so a new kind does not compile until it has one.
 *
 * Adding a kind: its entry here, its name in NODE_KINDS, its compile function, its icon in the
 * renderer (docs/architecture.md, "Where do I add…").
 */
import type { LabNode } from './schema';

export const NODE_KINDS = ['container', 'vm'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export interface NodeKindSpec {
  /** The palette's and the inspector's name for it. */
  label: string;
  /** The palette's one-line description. */
  hint: string;
  /** What runs the node in the cluster: a pod of a Deployment/StatefulSet, or a KubeVirt VM (its VMI's virt-launcher pod). */
  workload: 'pod' | 'vm';
  /** Commands run in it by exec: terminals, checks and the SSH gateway. */
  exec: boolean;
  /** It has a screen to open in a VNC pane, whatever the node says. */
  alwaysScreen: boolean;
  /** What the image field holds, for the inspector. */
  imageLabel: string;
  /** Requests and limits when the node gives none (limits default to at least the requests). */
  defaults: { requests: { cpu: string; memory: string }; limits?: { cpu: string; memory: string }; scratch?: string };
}

export const NODE_KIND: Record<NodeKind, NodeKindSpec> = {
  container: {
    label: 'Container',
    hint: 'A Linux container (alpine, kept running)',
    workload: 'pod',
    exec: true,
    alwaysScreen: false,
    imageLabel: 'Image',
    // scratch: the writable layer's limit (ephemeral storage), so no student fills the node's disk.
    defaults: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' }, scratch: '1Gi' },
  },
  vm: {
    label: 'Virtual machine',
    hint: 'A KubeVirt VM booted from a containerDisk',
    workload: 'vm',
    exec: false,
    alwaysScreen: true,
    imageLabel: 'Disk image (containerDisk)',
    defaults: { requests: { cpu: '1', memory: '1Gi' } },
  },
};

/** Whether commands can run in the node (terminals, checks, the SSH gateway); an unknown kind cannot. */
export const runsCommands = (node: { kind: string }) => (NODE_KIND as Partial<Record<string, NodeKindSpec>>)[node.kind]?.exec === true;

/** Whether the node has a screen to open in a VNC pane: by its kind, a desktop, or a port named `vnc` (main decides the same from the cluster's objects: main/streams/vnc-target.ts). */
export function nodeHasScreen(node: Pick<LabNode, 'kind' | 'desktop' | 'ports'>): boolean {
  return NODE_KIND[node.kind].alwaysScreen || node.desktop === true || (node.ports ?? []).some((p) => p.name === 'vnc');
}
