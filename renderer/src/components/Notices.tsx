import { OperationPanel } from '../cluster/OperationPanel';
import { useUi } from '../store/ui';

/**
 * Messages for the user and the running operation, stacked in one corner (bottom right, above
 * the dock, so they never cover its controls). Every message expires (NOTICE_MS); × dismisses
 * it sooner.
 */
export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      <OperationPanel />
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`} data-testid={`notice-${n.tone}`}>
          <span>{n.text}</span>
          <button className="icon-button" aria-label="Dismiss" onClick={() => useUi.getState().dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
