/** The class story in the top bar: Deploy to dev, Snapshot, Publish; with dev's overall state. */
import { useCluster } from './store';
import { deployToDev } from './actions';
import { openClusterDialog } from './dialogs';
import './class.css';

export function ClusterBar() {
  const running = useCluster((s) => s.op?.state === 'running');
  const statuses = useCluster((s) => s.dev.statuses);
  const all = Object.values(statuses);
  const ready = all.filter((s) => s.state === 'ready').length;
  const failed = all.filter((s) => s.state === 'failed').length;
  return (
    <div className="cluster-bar">
      {all.length ? (
        <span className={`dev-state ${failed ? 'bad' : ready === all.length ? 'good' : ''}`} data-testid="dev-state" title="nodes ready in the dev namespace">
          dev {ready}/{all.length}
        </span>
      ) : null}
      <button className="button small primary" data-testid="deploy" disabled={running} title="Deploy to dev (Ctrl+Shift+Enter)" onClick={() => void deployToDev()}>
        Deploy
      </button>
      <button className="button small" data-testid="snapshot" disabled={running} title="Snapshot dev into a release" onClick={() => openClusterDialog({ kind: 'snapshot' })}>
        Snapshot
      </button>
      <button className="button small" data-testid="publish" disabled={running} title="Publish a release to a class" onClick={() => openClusterDialog({ kind: 'publish' })}>
        Publish
      </button>
    </div>
  );
}
