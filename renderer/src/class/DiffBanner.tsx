/**
 * Over the canvas while a release diff is shown on it: which two releases are compared and what
 * changed, in words, with a way to stop showing it. Without it the canvas only had small marks
 * on the nodes, and nothing said which diff they belonged to.
 */
import { clearDiff } from './actions';
import { useCluster } from './store';

const words = (changes: { name: string; change: string }[]) => changes.map((c) => `${c.name} ${c.change}`).join(', ');

export function DiffBanner() {
  const diff = useCluster((s) => s.diff);
  if (!diff) return null;
  const parts = [
    diff.nodes.length ? `nodes: ${words(diff.nodes)}` : '',
    diff.networks.length ? `networks: ${words(diff.networks)}` : '',
    diff.volumes.length ? `volumes: ${words(diff.volumes)}` : '',
  ].filter(Boolean);
  return (
    <div className="diff-banner" data-testid="diff-banner" role="status">
      <strong>
        Changes from {diff.from.tag} to {diff.to.tag}
      </strong>
      <span className="muted small">{parts.join(' · ') || (diff.changes.length ? 'no node, network or volume changed' : 'no changes')}</span>
      <button className="link-button" data-testid="diff-banner-hide" onClick={clearDiff}>
        hide
      </button>
    </div>
  );
}
