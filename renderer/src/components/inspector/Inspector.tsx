/**
 * The inspector: the form for what is selected. Every change is one store edit; typing in the
 * same field coalesces into one undo step. Field errors come from the live validation.
 */
import type { ReactNode } from 'react';
import { parseId } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { EdgeInspector } from './EdgeInspector';
import { LabInspector } from './LabInspector';
import { NetworkInspector } from './NetworkInspector';
import { NodeInspector } from './NodeInspector';
import { VolumeInspector } from './VolumeInspector';

function MultiInspector({ count }: { count: number }) {
  return (
    <div className="insp" data-testid="inspector-multi">
      <div className="insp-name">{count} items selected</div>
      <p className="muted small">Copy, paste, delete or drag them together.</p>
      <div className="insp-actions">
        <button className="button danger" onClick={() => useEditor.getState().removeSelection()}>
          Delete {count} items
        </button>
      </div>
    </div>
  );
}

export function Inspector() {
  const selection = useEditor((s) => s.selection);
  const only = selection.length === 1 ? selection[0]! : null;
  const parsed = only ? parseId(only) : null;
  const node = useEditor((s) => (parsed?.type === 'node' ? s.doc.lab.nodes.find((n) => n.name === parsed.name) : undefined));
  let body: ReactNode;
  if (selection.length > 1) body = <MultiInspector count={selection.length} />;
  else if (node) body = <NodeInspector node={node} />;
  else if (parsed?.type === 'network') body = <NetworkInspector name={parsed.name} />;
  else if (parsed?.type === 'volume') body = <VolumeInspector name={parsed.name} />;
  else if (only && (parsed?.type === 'link' || parsed?.type === 'mount')) body = <EdgeInspector id={only} edge={parsed} />;
  else body = <LabInspector />;
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      {body}
    </aside>
  );
}
