import { NODE_KIND } from '../../../../../common/lab/node-kinds';
import type { LabNode } from '../../../../../common/lab/schema';
import { entityId } from '../../../store/doc';
import { setDisk, setResource } from '../../../store/node-edits';
import { Field, Section } from '../../form/fields';
import { editDoc } from '../editing';

const GROUPS = [
  ['requests', 'Request'],
  ['limits', 'Limit'],
] as const;
const SCRATCH_DEFAULT = NODE_KIND.container.defaults.scratch;
const RESOURCES = [
  ['cpu', '500m'],
  ['memory', '512Mi'],
] as const;

/** Requests and limits for cpu and memory; a VM's extra disk or a container's scratch space. */
export function ResourcesSection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const { name } = node;
  const id = entityId('node', name);
  return (
    <Section title="Resources">
      <div className="grid2">
        {GROUPS.flatMap(([group, label]) =>
          RESOURCES.map(([res, placeholder]) => (
            <Field key={`${group}.${res}`} label={`${label} ${res}`} errors={errors(`resources.${group}.${res}`)}>
              <input className="mono" value={node.resources?.[group]?.[res] ?? ''} placeholder={placeholder} onChange={(e) => editDoc((d) => setResource(d, name, group, res, e.target.value), `${id}:resources.${group}.${res}`)} />
            </Field>
          )),
        )}
        {/* A VM's extra disk; a container's scratch space (its writable layer and logs). */}
        <Field label={node.kind === 'vm' ? 'Extra disk' : 'Scratch space'} errors={errors('resources.disk')}>
          <input className="mono" value={node.resources?.disk ?? ''} placeholder={node.kind === 'vm' ? '10Gi' : SCRATCH_DEFAULT} onChange={(e) => editDoc((d) => setDisk(d, name, e.target.value), `${id}:resources.disk`)} />
        </Field>
      </div>
    </Section>
  );
}
