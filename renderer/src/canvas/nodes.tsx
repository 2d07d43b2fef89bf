/** Custom React Flow node components: memoised, registered once in `nodeTypes`, data-only props. */
import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { memo } from 'react';
import type { LabFlowNode, LabNodeData, NetworkData, VolumeData } from './graph';
import { NetworkIcon, ROLE_ICON, ROLE_LABEL, VolumeIcon } from './icons';

type P<T extends LabFlowNode['type'], D> = NodeProps & { data: D; type: T };

const IssueBadge = ({ count, message }: { count: number; message: string | null }) =>
  count > 0 ? (
    <span className="issue-badge" title={message ?? undefined} data-testid="issue-badge">
      {count}
    </span>
  ) : null;

export const LabNodeView = memo(function LabNodeView({ data, selected }: P<'labNode', LabNodeData>) {
  const Icon = ROLE_ICON[data.role];
  return (
    <div
      className={`lab-node role-${data.role}${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`}
      data-testid={`node-${data.name}`}
      data-kind={data.kind}
      data-role={data.role}
    >
      <Handle type="source" id="net" position={Position.Top} className="handle handle-net" title="Drag to a network to attach" />
      <div className="lab-node-icon" title={ROLE_LABEL[data.role]}>
        <Icon size={22} />
      </div>
      <div className="lab-node-body">
        <div className="lab-node-name">{data.name}</div>
        <div className="lab-node-sub">{data.image}</div>
        {data.issue ? (
          <div className="lab-node-issue" data-testid={`node-issue-${data.name}`}>
            {data.issue}
          </div>
        ) : null}
      </div>
      {data.ports ? <div className="lab-node-ports">{data.ports}</div> : null}
      <IssueBadge count={data.issues} message={data.issue} />
      <Handle type="target" id="vol" position={Position.Bottom} className="handle handle-vol" title="Drop a volume here to mount it" />
    </div>
  );
});

export const NetworkView = memo(function NetworkView({ data, selected }: P<'network', NetworkData>) {
  return (
    <div className={`net-node${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`} data-testid={`network-${data.name}`}>
      <NetworkIcon size={18} />
      <span className="net-name">{data.name}</span>
      <span className="net-count" title="attached nodes">
        {data.members}
      </span>
      <IssueBadge count={data.issues} message={data.issue} />
      <Handle type="target" id="in" position={Position.Bottom} className="handle handle-in" title="Drag from a node to attach it" />
    </div>
  );
});

export const VolumeView = memo(function VolumeView({ data, selected }: P<'volume', VolumeData>) {
  return (
    <div className={`vol-node${selected ? ' selected' : ''}${data.issues ? ' has-issue' : ''}`} data-testid={`volume-${data.name}`}>
      <Handle type="source" id="out" position={Position.Top} className="handle handle-out" title="Drag to a node to mount" />
      <VolumeIcon size={18} />
      <div>
        <div className="vol-name">{data.name}</div>
        <div className="vol-size">{data.size}</div>
      </div>
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
