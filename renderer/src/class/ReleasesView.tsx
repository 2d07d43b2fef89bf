/**
 * Releases of the open lab: tag, author, time, note and pinned images; pick two to diff. The
 * diff shows as text here and on the canvas (added / changed nodes and networks highlighted).
 */
import { useEffect, useMemo, useState } from 'react';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { clearDiff, loadReleases, showDiff } from './actions';
import { openClusterDialog } from './dialogs';
import { useCluster } from './store';

export function ReleasesView() {
  const labName = useEditor((s) => s.doc.lab.metadata.name);
  const allReleases = useCluster((s) => s.releases);
  // Filtered outside the selector: a selector must return a stable value, not a new array.
  const releases = useMemo(() => allReleases.filter((r) => r.labName === labName), [allReleases, labName]);
  const error = useCluster((s) => s.releasesError);
  const diff = useCluster((s) => s.diff);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  useEffect(() => void loadReleases(labName), [labName]);

  return (
    <div className="releases-view" data-testid="releases-view">
      <div className="class-head">
        <strong>Releases of {labName}</strong>
        <span className="grow" />
        <button className="button small" onClick={() => void loadReleases(labName)}>
          Refresh
        </button>
        <button className="button small primary" data-testid="releases-snapshot" onClick={() => openClusterDialog({ kind: 'snapshot' })}>
          Snapshot dev…
        </button>
      </div>
      {error ? <p className="field-error">{error}</p> : null}
      {releases.length === 0 && !error ? <p className="muted pad">No releases of {labName} yet. Deploy it to dev, try it, then snapshot.</p> : null}
      {releases.length ? (
      <table className="releases" data-testid="releases-table">
        <thead>
          <tr>
            <th>compare</th>
            <th>release</th>
            <th>by</th>
            <th>made</th>
            <th>note</th>
            <th>images</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={r.tag} data-testid={`release-${r.tag}`}>
              <td>
                <label className="inline" title="diff from">
                  <input type="radio" name="from" checked={from === r.tag} onChange={() => setFrom(r.tag)} /> from
                </label>
                <label className="inline" title="diff to">
                  <input type="radio" name="to" checked={to === r.tag} onChange={() => setTo(r.tag)} /> to
                </label>
              </td>
              <td className="mono">{r.tag}</td>
              <td>{r.author}</td>
              <td>{new Date(r.createdAt).toLocaleString()}</td>
              <td>{r.note}</td>
              <td className="mono small">
                {r.images.map((i) => (
                  <div key={i.node} title={i.pinned ?? 'no digest reported'}>
                    {i.node}: {i.pinned ? `${i.image} @${i.pinned.split('@')[1]?.slice(7, 19)}` : i.image}
                  </div>
                ))}
              </td>
              <td>
                <button className="link-button" onClick={() => openClusterDialog({ kind: 'publish', tag: r.tag })}>
                  publish…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      ) : null}
      <div className="class-head">
        <button className="button small" data-testid="diff-show" disabled={!from || !to || from === to} onClick={() => void showDiff(labName, from, to)}>
          Diff {from || '…'} → {to || '…'}
        </button>
        {diff ? (
          <>
            <button className="button small" data-testid="diff-canvas" onClick={() => useUi.getState().setView('canvas')}>
              Show on canvas
            </button>
            <button className="button small" onClick={clearDiff}>
              Clear diff
            </button>
          </>
        ) : null}
      </div>
      {diff ? (
        <div data-testid="diff-text">
          <p>
            {diff.from.tag} → {diff.to.tag}: nodes {summary(diff.nodes)} · networks {summary(diff.networks)} · volumes {summary(diff.volumes)}
          </p>
          <pre className="mono diff-text">{diff.changes.map((c) => c.text).join('\n') || 'no changes'}</pre>
        </div>
      ) : null}
    </div>
  );
}

function summary(changes: { name: string; change: string }[]): string {
  if (changes.length === 0) return 'unchanged';
  return changes.map((c) => `${c.change === 'added' ? '+' : c.change === 'removed' ? '−' : '~'}${c.name}`).join(' ');
}
