import { useEffect, useLayoutEffect, useState } from 'react';
import { OperationPanel } from '../class/OperationPanel';
import { useCluster } from '../class/store';
import { useUi } from '../store/ui';

/**
 * How far from the window's bottom the stack starts: above the Problems bar, which sits above
 * the dock and the status bar, so no notice covers their controls. Measured again whenever
 * the main area or the Problems bar changes size (the dock opening, resizing or closing).
 */
function measureClearance(): number {
  const problems = document.querySelector('[data-testid=problems]');
  const top = problems ? problems.getBoundingClientRect().top : window.innerHeight - 26;
  return Math.round(window.innerHeight - top + 8);
}

/** `layout`: changes whenever the stack or the view changes, to measure again then. */
function useBottomClearance(layout: string): number {
  const [bottom, setBottom] = useState(40);
  // Also measured whenever the stack changes: a notice may arrive with the view just laid out anew.
  useLayoutEffect(() => setBottom(measureClearance()), [layout]);
  useEffect(() => {
    const measure = () => setBottom(measureClearance());
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
  const op = useCluster((s) => s.op !== null);
  const view = useUi((s) => s.view);
  const bottom = useBottomClearance(`${notices.length}/${op}/${view}`);
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
