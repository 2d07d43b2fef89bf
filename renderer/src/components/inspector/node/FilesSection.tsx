import type { LabNode } from '../../../../../common/lab/schema';
import { entityId } from '../../../store/doc';
import { addFile, fileModeText, removeFile, setFileMode, updateFile } from '../../../store/node-edits';
import { Errors, Section } from '../../form/fields';
import { editDoc } from '../editing';

/** Files written into the node before it starts. */
export function FilesSection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const { name } = node;
  const id = entityId('node', name);
  const add = <button className="link-button" onClick={() => editDoc((d) => addFile(d, name), `${id}:files+`)}>+ file</button>;
  return (
    <Section title="Files" actions={add}>
      {(node.files ?? []).map((f, i) => (
        <div key={i} className="file-edit">
          <div className="row">
            <input className="mono" value={f.path} aria-label="File path" onChange={(e) => editDoc((d) => updateFile(d, name, i, { path: e.target.value }), `${id}:files.${i}.path`)} />
            <input className="mono w-mode" value={fileModeText(f.mode)} placeholder="0644" aria-label="Mode (octal)" onChange={(e) => editDoc((d) => setFileMode(d, name, i, e.target.value), `${id}:files.${i}.mode`)} />
            <button className="icon-button" aria-label="Remove file" onClick={() => editDoc((d) => removeFile(d, name, i), `${id}:files-`)}>
              ×
            </button>
          </div>
          <textarea className="mono" rows={4} value={f.content} aria-label="File content" onChange={(e) => editDoc((d) => updateFile(d, name, i, { content: e.target.value }), `${id}:files.${i}.content`)} />
          <Errors errors={errors(`files.${i}`)} />
        </div>
      ))}
    </Section>
  );
}
