/**
 * The running (or last) operation: phase, progress, failed students, cancel. A finished one that
 * went well (or was cancelled) goes away by itself, and when the user moves to another view; a
 * failed one stays until dismissed, its error being the thing to read.
 */
import { useEffect, useRef, useState } from 'react';
import { useUi } from '../store/ui';
import { useCluster } from './store';

/** How long a finished operation stays on screen. */
export const FINISHED_OP_MS = 60_000;

const dismissFinished = () => {
  const op = useCluster.getState().op;
  if (op && (op.state === 'done' || op.state === 'cancelled')) useCluster.setState({ op: null });
};

/** "4:32": the time left until `deadline`, ticking every second. */
function Countdown({ deadline }: { deadline: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.round((deadline - now) / 1000));
  return (
    <span data-testid="op-countdown">
      gives up in {Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}
    </span>
  );
}

export function OperationPanel() {
  const op = useCluster((s) => s.op);
  const view = useUi((s) => s.view);
  const shownIn = useRef(view);
  useEffect(() => {
    if (view !== shownIn.current) dismissFinished();
    shownIn.current = view;
  }, [view]);
  useEffect(() => {
    if (op?.state !== 'done' && op?.state !== 'cancelled') return;
    const timer = setTimeout(dismissFinished, FINISHED_OP_MS);
    return () => clearTimeout(timer);
  }, [op?.state]);
  if (!op) return null;
  const failed = Object.values(op.students).filter((s) => s.status === 'failed');
  const retried = Object.values(op.students).reduce((n, s) => n + s.retries, 0);
  return (
    <div className={`op-panel op-${op.state}`} role="status" data-testid="op-panel" data-state={op.state}>
      <div className="op-head">
        <strong>{op.title}</strong>
        {op.state === 'running' && op.cancel ? (
          <button className="button small" data-testid="op-cancel" onClick={op.cancel}>
            Cancel
          </button>
        ) : (
          <button className="icon-button" aria-label="Dismiss" onClick={() => useCluster.setState({ op: null })}>
            ×
          </button>
        )}
      </div>
      <div className="op-phase" data-testid="op-phase">
        {op.state === 'running' ? op.phase : op.state === 'done' ? 'done' : op.state === 'cancelled' ? 'cancelled: what was written stays; run it again to resume' : op.error}
      </div>
      {op.state === 'running' && op.deadline ? (
        <div className="op-wait small">
          <Countdown deadline={op.deadline} />
          {op.stopWaiting ? (
            <button className="link-button" data-testid="op-stop-waiting" onClick={op.stopWaiting}>
              stop waiting
            </button>
          ) : null}
        </div>
      ) : null}
      {op.total > 0 ? (
        <div className="op-progress" title={`${op.done}/${op.total}`}>
          <span style={{ width: `${(op.done / op.total) * 100}%` }} />
          <em data-testid="op-count">
            {op.done}/{op.total}
            {retried ? ` · ${retried} retries` : ''}
          </em>
        </div>
      ) : null}
      {failed.length ? (
        <ul className="op-failed">
          {failed.slice(0, 8).map((s) => (
            <li key={s.student}>
              {s.student}: {s.error}
            </li>
          ))}
          {failed.length > 8 ? <li>and {failed.length - 8} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
