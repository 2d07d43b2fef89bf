/**
 * A canvas node's live state in dev (pending, starting, ready, failed, with the reason), whether
 * it held up the last deploy (and why, in words),
 * its "changed since the last deploy" mark, and its diff highlight. Each node subscribes to
 * its own slice of the cluster store, so one pod changing re-renders one node.
 */
import { memo } from 'react';
import { useCluster } from './store';

export const NodeLive = memo(function NodeLive({ name }: { name: string }) {
  const status = useCluster((s) => s.dev.statuses[name]);
  const changed = useCluster((s) => s.changed[name] === true);
  const diff = useCluster((s) => s.diff?.nodes.find((n) => n.name === name)?.change);
  const diffTags = useCluster((s) => (s.diff ? `${s.diff.from.tag} → ${s.diff.to.tag}` : ''));
  const toTag = useCluster((s) => s.diff?.to.tag);
  const holding = useCluster((s) => s.holding[name]);
  return (
    <div className="node-live">
      {status ? (
        <span className={`live-dot state-${status.state}`} data-testid={`live-${name}`} data-state={status.state} title={`${status.state}${status.reason ? `: ${status.reason}` : ''}${status.message ? ` — ${status.message}` : ''}`}>
          {status.state}
          {status.reason && status.state !== 'ready' ? ` · ${status.reason}` : ''}
        </span>
      ) : null}
      {status?.image && status.state === 'failed' ? (
        <span
          className="image-missing"
          data-testid={`image-missing-${name}`}
          title={`No registry this cluster reaches has ${status.image}. On the local cluster, build a stand-in (labforge cluster images ${status.image}) or push the image to its local registry; docs/cluster.md, "Images".`}
        >
          image not found: {status.image}
        </span>
      ) : null}
      {holding && status?.state !== 'ready' ? (
        <span className="holding-mark" data-testid={`holding-${name}`} title={holding}>
          held up the deploy: {holding}
        </span>
      ) : null}
      {changed ? (
        <span className="changed-mark" data-testid={`changed-${name}`} title="Changed since the last deploy">
          edited
        </span>
      ) : null}
      {diff ? (
        <span className={`diff-mark diff-${diff}`} data-testid={`diff-${name}`} title={`release diff ${diffTags}`}>
          {diff} in {toTag}
        </span>
      ) : null}
    </div>
  );
});

/** A network's mark when a release diff is shown: added, changed or removed in the newer release. */
export const NetworkDiff = memo(function NetworkDiff({ name }: { name: string }) {
  const diff = useCluster((s) => s.diff?.networks.find((n) => n.name === name)?.change);
  return diff ? (
    <span className={`diff-mark diff-${diff}`} data-testid={`diff-network-${name}`}>
      {diff}
    </span>
  ) : null;
});
