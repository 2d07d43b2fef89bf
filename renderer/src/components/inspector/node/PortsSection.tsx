import type { LabNode } from '../../../../../common/lab/schema';
import { entityId } from '../../../store/doc';
import { useEditor } from '../../../store/editor';
import { addPort, removePort, setExposed, setExposurePath, updatePort } from '../../../store/node-edits';
import { Errors, Section } from '../../form/fields';
import { editDoc } from '../editing';

/** Ports, and for each TCP port whether it is exposed over HTTP (and at which path). */
export function PortsSection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const { name } = node;
  const id = entityId('node', name);
  const exposures = useEditor((s) => s.doc.lab.exposures);
  const mine = exposures.filter((e) => e.node === name);
  const ports = node.ports ?? [];
  const add = <button className="link-button" onClick={() => editDoc((d) => addPort(d, name), `${id}:ports+`)}>+ port</button>;
  return (
    <Section title="Ports" actions={add}>
      {ports.map((p, i) => (
        <div key={i} className="row">
          <input type="number" className="w-port" value={p.port} aria-label="Port" min={1} max={65535} onChange={(e) => editDoc((d) => updatePort(d, name, i, { port: Number(e.target.value) }), `${id}:ports.${i}.port`)} />
          <select value={p.protocol ?? 'TCP'} aria-label="Protocol" onChange={(e) => editDoc((d) => updatePort(d, name, i, { protocol: e.target.value === 'UDP' ? 'UDP' : undefined }), `${id}:ports.${i}.protocol`)}>
            <option>TCP</option>
            <option>UDP</option>
          </select>
          <input value={p.name ?? ''} placeholder="name" aria-label="Port name" onChange={(e) => editDoc((d) => updatePort(d, name, i, { name: e.target.value || undefined }), `${id}:ports.${i}.name`)} />
          {(p.protocol ?? 'TCP') === 'TCP' ? (
            <label className="check small" title="Expose over HTTP (Ingress)">
              <input type="checkbox" checked={mine.some((e) => e.port === p.port)} onChange={(e) => editDoc((d) => setExposed(d, name, p.port, e.target.checked), `${id}:expose`)} /> web
            </label>
          ) : null}
          <button className="icon-button" aria-label="Remove port" onClick={() => editDoc((d) => removePort(d, name, i), `${id}:ports-`)}>
            ×
          </button>
        </div>
      ))}
      {mine.map((e) => (
        <div key={e.port} className="row">
          <span className="muted small">Web path for {e.port}</span>
          <input className="mono" value={e.path ?? ''} placeholder="/" aria-label={`Web path for port ${e.port}`} onChange={(ev) => editDoc((d) => setExposurePath(d, name, e.port, ev.target.value), `${id}:expose-path`)} />
        </div>
      ))}
      <Errors errors={[...errors('ports'), ...errors('exposures')]} />
    </Section>
  );
}
