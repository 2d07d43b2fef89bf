import { useEffect, useRef } from 'react';
import type { LabNode } from '../../../../../common/lab/schema';
import { entityId, mountId } from '../../../store/doc';
import { useEditor } from '../../../store/editor';
import { removeMount, updateMount } from '../../../store/node-edits';
import { Errors, Section } from '../../form/fields';
import { editDoc } from '../editing';

type Mount = NonNullable<LabNode['volumes']>[number];

/** The volumes mounted on a node; mounts are made by dragging a volume onto the node. */
export function MountsSection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const volumes = useEditor((s) => s.doc.lab.volumes);
  const mounts = node.volumes ?? [];
  return (
    <Section title="Volumes">
      {mounts.map((m, i) => (
        <MountRow key={i} node={node.name} index={i} mount={m} volumes={volumes.map((v) => v.name)} />
      ))}
      {!mounts.length ? <p className="muted small">Drag a volume's dot onto this node to mount it.</p> : null}
      <Errors errors={errors('volumes')} />
    </Section>
  );
}

function MountRow({ node, index, mount, volumes }: { node: string; index: number; mount: Mount; volumes: string[] }) {
  const id = entityId('node', node);
  const set = (patch: Partial<Mount>, field: string) => editDoc((d) => updateMount(d, node, index, patch), `${id}:volumes.${index}.${field}`);
  // A mount made by dragging asks for its path: the cursor goes there once the row shows.
  const path = useRef<HTMLInputElement>(null);
  const focusMe = useEditor((s) => s.fieldFocus === mountId(node, index));
  useEffect(() => {
    if (!focusMe) return;
    path.current?.focus();
    path.current?.select();
    useEditor.getState().handled('fieldFocus');
  }, [focusMe]);
  return (
    <div className="row">
      <select value={mount.volume} aria-label="Volume" onChange={(e) => set({ volume: e.target.value }, 'volume')}>
        {volumes.map((v) => (
          <option key={v}>{v}</option>
        ))}
        {!volumes.includes(mount.volume) ? <option>{mount.volume}</option> : null}
      </select>
      <input ref={path} className="mono" value={mount.mountPath} aria-label="Mount path" data-testid={`insp-mount-${index}`} onChange={(e) => set({ mountPath: e.target.value }, 'mountPath')} />
      <label className="check small">
        <input type="checkbox" checked={mount.readOnly ?? false} onChange={(e) => set({ readOnly: e.target.checked || undefined }, 'readOnly')} /> ro
      </label>
      <button className="icon-button" aria-label="Unmount" onClick={() => editDoc((d) => removeMount(d, node, index), `${id}:volumes-`)}>
        ×
      </button>
    </div>
  );
}
