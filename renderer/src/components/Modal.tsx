import { useEffect, type ReactNode } from 'react';

/** A dialog over the app: Escape, the close button and a click beside it all close it. */
export function Modal({ title, children, onClose, testId, wide }: { title: string; children: ReactNode; onClose: () => void; testId: string; wide?: boolean }) {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? ' wide' : ''}`} role="dialog" aria-label={title} data-testid={testId}>
        <div className="modal-head">
          <h3>{title}</h3>
          <button className="icon-button" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
