import { describeLabSecurity, labSecurity } from '../../../../common/lab/pod-security';
import { updateMetadata } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { Field } from '../form/fields';
import { editDoc, useFieldErrors } from './editing';
import { InspectorTitle } from './frame';

/** The lab itself, shown when nothing is selected. */
export function LabInspector() {
  const meta = useEditor((s) => s.doc.lab.metadata);
  const errors = useFieldErrors(null);
  // What every student's namespace will admit: the least Pod Security level for these nodes.
  const security = useEditor((s) => describeLabSecurity(labSecurity(s.doc.lab)));
  return (
    <div className="insp" data-testid="inspector-lab">
      <InspectorTitle title="Lab" subtitle="Select a node, network or volume to edit it" />
      <Field label="Lab name" errors={errors('metadata.name')} hint="Lowercase; used in namespace names">
        <input className="mono" value={meta.name} data-testid="insp-lab-name" onChange={(e) => editDoc((d) => updateMetadata(d, { name: e.target.value }), 'meta:name')} />
      </Field>
      <Field label="Title" errors={errors('metadata.title')}>
        <input value={meta.title ?? ''} data-testid="insp-lab-title" onChange={(e) => editDoc((d) => updateMetadata(d, { title: e.target.value || undefined }), 'meta:title')} />
      </Field>
      <Field label="Description" errors={errors('metadata.description')}>
        <textarea rows={3} value={meta.description ?? ''} data-testid="insp-lab-description" onChange={(e) => editDoc((d) => updateMetadata(d, { description: e.target.value || undefined }), 'meta:description')} />
      </Field>
      <p className="insp-note" data-testid="insp-lab-security">
        {security}
      </p>
    </div>
  );
}
