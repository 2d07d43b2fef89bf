import { useState } from 'react';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { parseId } from '../store/doc';
import { useClusterProblems } from '../class/problems';

const label = (target: string | null) => {
  if (!target) return 'lab';
  const p = parseId(target);
  return p && 'name' in p ? p.name : target;
};

export function Problems() {
  const labIssues = useEditor((s) => s.issues);
  const clusterIssues = useClusterProblems();
  const issues = clusterIssues.length ? [...labIssues, ...clusterIssues] : labIssues;
  const [open, setOpen] = useState(true);
  return (
    <div className={`problems${open ? ' open' : ''}`} data-testid="problems">
      <button className="problems-head" onClick={() => setOpen(!open)} aria-expanded={open}>
        <span className={`count ${issues.length ? 'bad' : 'good'}`} data-testid="problem-count">
          {issues.length}
        </span>
        <span>{issues.length === 1 ? 'problem' : 'problems'}</span>
        <span className="muted small">{issues.length === 0 ? 'the lab is valid' : 'click one to show it on the canvas'}</span>
        <span className="chevron">{open ? '▾' : '▸'}</span>
      </button>
      {open && issues.length ? (
        <ul className="problem-list">
          {issues.map((i, k) => (
            <li key={k}>
              <button
                className="problem-item"
                data-testid="problem-item"
                onClick={() => {
                  if (!i.target) return;
                  // The request is state: a canvas that mounts with this switch centres the item when it does.
                  useUi.getState().setView('canvas');
                  useEditor.getState().focus(i.target);
                }}
              >
                <span className="problem-where">{label(i.target)}{i.field ? ` · ${i.field}` : ''}</span>
                <span className="problem-msg">{i.message}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
