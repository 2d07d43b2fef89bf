import { entityId, type ParsedId } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { InspectorTitle } from './frame';

/** A network attachment or a volume mount: show its node, or remove it. */
export function EdgeInspector({ id, edge }: { id: string; edge: Extract<ParsedId, { type: 'link' | 'mount' }> }) {
  const link = edge.type === 'link';
  return (
    <div className="insp" data-testid="inspector-edge">
      <InspectorTitle title={link ? `${edge.node} ↔ ${edge.network}` : `Mount on ${edge.node}`} subtitle={link ? 'Network attachment' : 'Volume mount (edit its path on the node)'} />
      <div className="insp-actions">
        <button className="button" onClick={() => useEditor.getState().focus(entityId('node', edge.node))}>
          Show node
        </button>
        <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
          {link ? 'Detach' : 'Unmount'}
        </button>
      </div>
    </div>
  );
}
