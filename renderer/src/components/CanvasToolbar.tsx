import { COMMANDS, tooltip, type CommandId } from '../lib/commands';
import { useEditor } from '../store/editor';

const ICONS: Partial<Record<CommandId, string>> = {
  undo: 'M9 14 4 9l5-5M4 9h10.5a5.5 5.5 0 0 1 0 11H11',
  redo: 'm15 14 5-5-5-5M20 9H9.5a5.5 5.5 0 0 0 0 11H13',
  layout: 'M4 4h6v6H4zM14 4h6v6h-6zM9 14h6v6H9zM7 10v2h10v-2M12 12v2',
  fit: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5',
  delete: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
};

/** Floating canvas tools; tooltips carry the same shortcuts as the menus. */
export function CanvasToolbar() {
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const hasSelection = useEditor((s) => s.selection.length > 0);
  const enabled: Partial<Record<CommandId, boolean>> = { undo: canUndo, redo: canRedo, delete: hasSelection };
  return (
    <div className="canvas-toolbar" role="toolbar" aria-label="Canvas tools">
      {(['undo', 'redo', 'layout', 'fit', 'delete'] as const).map((id) => (
        <button
          key={id}
          className="icon-button"
          title={tooltip(COMMANDS[id])}
          aria-label={COMMANDS[id].label}
          data-testid={`tool-${id}`}
          disabled={enabled[id] === false}
          onClick={() => void COMMANDS[id].run()}
        >
          <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
            <path d={ICONS[id]} />
          </svg>
        </button>
      ))}
    </div>
  );
}
