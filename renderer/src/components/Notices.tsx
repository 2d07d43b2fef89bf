import { useUi } from '../store/ui';

/** Messages for the user (errors stay until dismissed; the others fade). */
export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
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
