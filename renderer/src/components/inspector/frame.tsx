/** The parts every inspector shares: its heading, and the button that deletes its item. */
import type { ReactNode } from 'react';
import { useEditor } from '../../store/editor';

export function InspectorTitle({ icon, title, subtitle }: { icon?: ReactNode; title: string; subtitle: string }) {
  return (
    <div className="insp-title">
      {icon}
      <div>
        <div className="insp-name">{title}</div>
        <div className="muted small">{subtitle}</div>
      </div>
    </div>
  );
}

/** Deletes the item and every reference to it (one undo step). */
export function DeleteItem({ id, label }: { id: string; label: string }) {
  return (
    <div className="insp-actions">
      <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
        {label}
      </button>
    </div>
  );
}
