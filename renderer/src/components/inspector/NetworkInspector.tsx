import { NetworkIcon } from '../../canvas/icons';
import { entityId, updateNetwork } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { Field, Section } from '../form/fields';
import { editDoc, useFieldErrors } from './editing';
import { DeleteItem, InspectorTitle } from './frame';
import { NameField } from './NameField';

export function NetworkInspector({ name }: { name: string }) {
  const net = useEditor((s) => s.doc.lab.networks.find((n) => n.name === name));
  const nodes = useEditor((s) => s.doc.lab.nodes);
  const id = entityId('network', name);
  const errors = useFieldErrors(id);
  if (!net) return null;
  const members = nodes.filter((n) => n.networks?.includes(name));
  return (
    <div className="insp" data-testid="inspector-network">
      <InspectorTitle icon={<NetworkIcon size={20} />} title={name} subtitle="Network segment" />
      <NameField kind="network" name={name} errors={errors('name')} />
      <Field label="Title" errors={errors('title')}>
        <input value={net.title ?? ''} onChange={(e) => editDoc((d) => updateNetwork(d, name, { title: e.target.value || undefined }), `${id}:title`)} />
      </Field>
      <Field label="Description" errors={errors('description')}>
        <textarea rows={2} value={net.description ?? ''} onChange={(e) => editDoc((d) => updateNetwork(d, name, { description: e.target.value || undefined }), `${id}:description`)} />
      </Field>
      <Section title={`Attached nodes (${members.length})`}>
        {members.length ? (
          <ul className="plain-list">
            {members.map((n) => (
              <li key={n.name}>
                <button className="link-button" onClick={() => useEditor.getState().focus(entityId('node', n.name))}>
                  {n.name}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">Drag from a node's top dot to this network to attach it.</p>
        )}
      </Section>
      <DeleteItem id={id} label="Delete network" />
    </div>
  );
}
