import { useEffect, useState } from 'react';
import { OperationPanel } from '../cluster/OperationPanel';
import { useUi } from '../store/ui';

/**
 * How far from the window's bottom the stack starts: above the Problems bar, which sits above
 * the dock and the status bar, so no notice covers their controls. Measured again whenever
 * the main area or the Problems bar changes size (the dock opening, resizing or closing).
 */
function useBottomClearance(): number {
  const [bottom, setBottom] = useState(40);
  useEffect(() => {
    const measure = () => {
      const problems = document.querySelector('[data-testid=problems]');
      const top = problems ? problems.getBoundingClientRect().top : window.innerHeight - 26;
      setBottom(Math.round(window.innerHeight - top + 8));
    };
    measure();
    const ro = new ResizeObserver(measure);
    for (const el of document.querySelectorAll('.workspace, [data-testid=problems]')) ro.observe(el);
    window.addEventListener('resize', measure);
    return () => {
      ro.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, []);
  return bottom;
}

/**
 * Messages for the user and the running operation, stacked in one corner (bottom right, above
 * the Problems bar and the dock, so they never cover their controls). Every message expires (NOTICE_MS); × dismisses
 * it sooner.
 */
export function Notices() {
  const notices = useUi((s) => s.notices);
  const bottom = useBottomClearance();
  return (
    <div className="notices" aria-live="polite" data-testid="notices" style={{ bottom, maxHeight: `calc(100vh - ${bottom + 56}px)` }}>
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
