/**
 * Which lab nodes have a screen to open in a VNC pane: VMs (KubeVirt serves their console),
 * desktop nodes (VNC on 5900), and containers that declare a port named `vnc`. main decides the
 * same way from the cluster's objects (main/streams/vnc-target.ts).
 */
import type { LabNode } from '../../../common/lab/schema';

export function nodeHasScreen(node: Pick<LabNode, 'kind' | 'desktop' | 'ports'>): boolean {
  return node.kind === 'vm' || node.desktop === true || (node.ports ?? []).some((p) => p.name === 'vnc');
}
