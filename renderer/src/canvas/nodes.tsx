/** Custom React Flow node components: memoised, registered once in `nodeTypes`, data-only props. */
import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { memo } from 'react';
import type { LabFlowNode, LabNodeData, NetworkData, VolumeData } from './graph';
import { NetworkDiff, NodeLive } from '../class/NodeLive';
import { NetworkIcon, ROLE_ICON, ROLE_LABEL, VolumeIcon } from './icons';

type P<T extends LabFlowNode['type'], D> = NodeProps & { data: D; type: T };

const IssueBadge = ({ count, message }: { count: number; message: string | null }) =>
  count > 0 ? (
    <span className="issue-badge" title={message ?? undefined} data-testid="issue-badge">
      {count}
    </span>
  ) : null;

/*
 * Layout note: nothing inside a node is positioned or clipped (handles sit in grid cells with
 * negative margins, long text is shortened in JS). Each positioned or overflow-clipped element
 * is a paint layer the browser walks on every hit test and frame; with hundreds of nodes that
 * was the main cost of dragging.
 */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export const LabNodeView = memo(function LabNodeView({ data, selected }: P<'labNode', LabNodeData>) {
  const Icon = ROLE_ICON[data.role];
  return (
    <div
      className={`lab-node role-${data.role}${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`}
      data-testid={`node-${data.name}`}
      data-kind={data.kind}
      data-role={data.role}
    >
      <div className="lab-node-icon" title={ROLE_LABEL[data.role]}>
        <Icon size={22} />
      </div>
      <div className="lab-node-body">
        <div className="lab-node-name" title={data.name}>
          {clip(data.name, 18)}
          {data.ports ? <span className="lab-node-ports">{clip(data.ports, 12)}</span> : null}
        </div>
        <div className="lab-node-sub" title={data.image}>
          {clip(data.image, 24)}
        </div>
        <NodeLive name={data.name} />
        {data.issue ? (
          <div className="lab-node-issue" data-testid={`node-issue-${data.name}`}>
            {data.issue}
          </div>
        ) : null}
      </div>
      <Handle type="source" id="net" position={Position.Top} className="handle handle-net" title="Drag to a network to attach" />
      <Handle type="target" id="vol" position={Position.Bottom} className="handle handle-vol" title="Drop a volume here to mount it" />
      <IssueBadge count={data.issues} message={data.issue} />
    </div>
  );
});

export const NetworkView = memo(function NetworkView({ data, selected }: P<'network', NetworkData>) {
  return (
    <div className={`net-node${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`} data-testid={`network-${data.name}`}>
      <NetworkIcon size={18} />
      <span className="net-name" title={data.name}>
        {clip(data.name, 22)}
      </span>
      <span className="net-count" title="attached nodes">
        {data.members}
      </span>
      <NetworkDiff name={data.name} />
      <Handle type="target" id="in" position={Position.Bottom} className="handle handle-in" title="Drag from a node to attach it" />
      <IssueBadge count={data.issues} message={data.issue} />
    </div>
  );
});

export const VolumeView = memo(function VolumeView({ data, selected }: P<'volume', VolumeData>) {
  return (
    <div className={`vol-node${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`} data-testid={`volume-${data.name}`}>
      <VolumeIcon size={18} />
      <div>
        <div className="vol-name" title={data.name}>
          {clip(data.name, 12)}
        </div>
        <div className="vol-size">{data.size}</div>
      </div>
      <Handle type="source" id="out" position={Position.Top} className="handle handle-out" title="Drag to a node to mount" />
      <IssueBadge count={data.issues} message={data.issue} />
    </div>
  );
});

/** Registered once, outside any component, so React Flow never sees a new map. */
export const nodeTypes: NodeTypes = {
  labNode: LabNodeView as NodeTypes[string],
  network: NetworkView as NodeTypes[string],
  volume: VolumeView as NodeTypes[string],
};
