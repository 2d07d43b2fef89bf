import { VolumeIcon } from '../../canvas/icons';
import { entityId, updateVolume } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { Field, Section } from '../form/fields';
import { editDoc, useFieldErrors } from './editing';
import { DeleteItem, InspectorTitle } from './frame';
import { NameField } from './NameField';

export function VolumeInspector({ name }: { name: string }) {
  const vol = useEditor((s) => s.doc.lab.volumes.find((v) => v.name === name));
  const nodes = useEditor((s) => s.doc.lab.nodes);
  const id = entityId('volume', name);
  const errors = useFieldErrors(id);
  if (!vol) return null;
  const users = nodes.filter((n) => n.volumes?.some((m) => m.volume === name));
  return (
    <div className="insp" data-testid="inspector-volume">
      <InspectorTitle icon={<VolumeIcon size={20} />} title={name} subtitle="Persistent volume" />
      <NameField kind="volume" name={name} errors={errors('name')} />
      <div className="grid2">
        <Field label="Size" errors={errors('size')}>
          <input className="mono" value={vol.size} onChange={(e) => editDoc((d) => updateVolume(d, name, { size: e.target.value }), `${id}:size`)} />
        </Field>
        <Field label="Storage class" errors={errors('storageClass')}>
          <input value={vol.storageClass ?? ''} placeholder="cluster default" onChange={(e) => editDoc((d) => updateVolume(d, name, { storageClass: e.target.value || undefined }), `${id}:sc`)} />
        </Field>
      </div>
      <Section title={`Mounted by (${users.length})`}>
        <ul className="plain-list">
          {users.map((n) => (
            <li key={n.name}>
              {n.name}: <span className="mono">{n.volumes?.filter((m) => m.volume === name).map((m) => m.mountPath).join(', ')}</span>
            </li>
          ))}
        </ul>
      </Section>
      <DeleteItem id={id} label="Delete volume" />
    </div>
  );
}
