/**
 * The inspector: forms for the selected item. Every change is one store edit; typing in the
 * same field coalesces into one undo step. Field errors come from the live validation.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { LabNode } from '../../../common/lab/schema';
import { ROLE_ICON, ROLE_LABEL, NetworkIcon, VolumeIcon } from '../canvas/icons';
import { entityId, parseId, prune, setExposures, updateMetadata, updateNetwork, updateNode, updateVolume, type EntityKind } from '../store/doc';
import { useEditor, type Issue } from '../store/editor';
import { nodeRole } from '../store/templates';

const edit = (fn: Parameters<ReturnType<typeof useEditor.getState>['edit']>[0], key: string) => useEditor.getState().edit(fn, key);

function useIssues(target: string | null): Issue[] {
  return useEditor((s) => s.issues).filter((i) => i.target === target);
}

function fieldErrors(issues: Issue[], field: string): string[] {
  return issues.filter((i) => i.field === field || i.field.startsWith(`${field}.`)).map((i) => i.message);
}

function Field({ label, errors, children, hint }: { label: string; errors?: string[]; children: ReactNode; hint?: string }) {
  return (
    <label className={`field${errors?.length ? ' invalid' : ''}`}>
      <span>{label}</span>
      {children}
      {hint && !errors?.length ? <em className="hint">{hint}</em> : null}
      {errors?.map((e, i) => (
        <em key={i} className="field-error" data-testid="field-error">
          {e}
        </em>
      ))}
    </label>
  );
}

function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="insp-section">
      <div className="insp-section-head">
        <h5>{title}</h5>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** A name field that renames on Enter/blur, refusing a name another item already uses. */
function NameField({ kind, name, errors }: { kind: EntityKind; name: string; errors: string[] }) {
  const [value, setValue] = useState(name);
  const [clash, setClash] = useState<string | null>(null);
  useEffect(() => {
    setValue(name);
    setClash(null);
  }, [name]);
  const commit = () => {
    const v = value.trim();
    if (v === name) return setClash(null);
    const { lab } = useEditor.getState().doc;
    const taken = [...lab.nodes, ...lab.networks, ...lab.volumes].some((e) => e.name === v);
    if (!v || taken) {
      setClash(!v ? 'a name is required' : `"${v}" is already used in this lab`);
      return;
    }
    setClash(null);
    useEditor.getState().rename(kind, name, v);
  };
  return (
    <Field label="Name" errors={[...errors, ...(clash ? [clash] : [])]} hint="Other nodes reach this one by its name">
      <input
        value={value}
        data-testid="insp-name"
        spellCheck={false}
        onChange={(e) => setValue(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          // Blurring commits; Escape restores the current name.
          if (e.key === 'Enter') e.currentTarget.blur();
          if (e.key === 'Escape') setValue(name);
        }}
      />
    </Field>
  );
}

const lines = (list: string[] | undefined) => (list ?? []).join('\n');
const toList = (text: string) => {
  const l = text.split('\n');
  return l.length === 1 && l[0] === '' ? undefined : l;
};

function KeyValueEditor({ value, onChange, errors }: { value: Record<string, string> | undefined; onChange: (v: Record<string, string> | undefined) => void; errors: string[] }) {
  const entries = Object.entries(value ?? {});
  const set = (rows: [string, string][]) => onChange(rows.length ? Object.fromEntries(rows) : undefined);
  return (
    <div className="rows">
      {entries.map(([k, v], i) => (
        <div className="row" key={i}>
          <input className="mono" value={k} placeholder="NAME" aria-label="Variable name" onChange={(e) => set(entries.map((r, j) => (j === i ? [e.target.value, r[1]] : r)))} />
          <input value={v} placeholder="value" aria-label="Variable value" onChange={(e) => set(entries.map((r, j) => (j === i ? [r[0], e.target.value] : r)))} />
          <button className="icon-button" aria-label="Remove variable" onClick={() => set(entries.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button className="link-button" onClick={() => set([...entries, [uniqueKey(entries), '']])}>
        + variable
      </button>
      {errors.map((e, i) => (
        <em key={i} className="field-error">
          {e}
        </em>
      ))}
    </div>
  );
}
const uniqueKey = (entries: [string, string][]) => {
  for (let i = 1; ; i++) if (!entries.some(([k]) => k === `VAR_${i}`)) return `VAR_${i}`;
};

function NodeInspector({ node }: { node: LabNode }) {
  const id = entityId('node', node.name);
  const issues = useIssues(id);
  const networks = useEditor((s) => s.doc.lab.networks);
  const volumes = useEditor((s) => s.doc.lab.volumes);
  const exposures = useEditor((s) => s.doc.lab.exposures);
  const set = (patch: Partial<LabNode>, field: string) => edit((d) => updateNode(d, node.name, patch), `${id}:${field}`);
  const role = nodeRole(node);
  const Icon = ROLE_ICON[role];
  const errs = (f: string) => fieldErrors(issues, f);
  const ports = node.ports ?? [];
  const mine = exposures.filter((e) => e.node === node.name);
  const setExposed = (port: number, on: boolean) =>
    edit((d) => setExposures(d, on ? [...d.lab.exposures, { node: node.name, port }] : d.lab.exposures.filter((e) => !(e.node === node.name && e.port === port))), `${id}:expose`);
  const attachable = networks.filter((n) => !node.networks?.includes(n.name));

  return (
    <div className="insp" data-testid="inspector-node">
      <div className="insp-title">
        <Icon size={20} />
        <div>
          <div className="insp-name">{node.name}</div>
          <div className="muted small">{ROLE_LABEL[role]}</div>
        </div>
      </div>
      <NameField kind="node" name={node.name} errors={errs('name')} />
      <Field label="Title" errors={errs('title')}>
        <input value={node.title ?? ''} onChange={(e) => set({ title: e.target.value || undefined }, 'title')} placeholder="Optional display title" />
      </Field>
      <div className="grid2">
        <Field label="Kind" errors={errs('kind')}>
          <select value={node.kind} data-testid="insp-kind" onChange={(e) => set({ kind: e.target.value as LabNode['kind'], ...(e.target.value === 'vm' ? { desktop: undefined, command: undefined, args: undefined } : {}) }, 'kind')}>
            <option value="container">Container</option>
            <option value="vm">Virtual machine</option>
          </select>
        </Field>
        {node.kind === 'container' ? (
          <Field label="Desktop" errors={errs('desktop')}>
            <span className="check">
              <input type="checkbox" checked={node.desktop ?? false} onChange={(e) => set({ desktop: e.target.checked || undefined }, 'desktop')} data-testid="insp-desktop" /> VNC desktop on 5900
            </span>
          </Field>
        ) : null}
      </div>
      <Field label={node.kind === 'vm' ? 'Disk image (containerDisk)' : 'Image'} errors={errs('image')} hint='e.g. "nginx:1.27" or "ghcr.io/org/app:1.0"'>
        <input className="mono" value={node.image} data-testid="insp-image" spellCheck={false} onChange={(e) => set({ image: e.target.value }, 'image')} />
      </Field>
      {node.kind === 'container' ? (
        <div className="grid2">
          <Field label="Command (one per line)" errors={errs('command')}>
            <textarea className="mono" rows={2} value={lines(node.command)} data-testid="insp-command" onChange={(e) => set({ command: toList(e.target.value) }, 'command')} />
          </Field>
          <Field label="Args (one per line)" errors={errs('args')}>
            <textarea className="mono" rows={2} value={lines(node.args)} onChange={(e) => set({ args: toList(e.target.value) }, 'args')} />
          </Field>
        </div>
      ) : null}

      <Section title="Networks">
        <div className="chips" data-testid="insp-networks">
          {(node.networks ?? []).map((n) => (
            <span key={n} className="chip">
              <NetworkIcon size={12} /> {n}
              <button className="icon-button" aria-label={`Detach from ${n}`} onClick={() => edit((d) => updateNode(d, node.name, { networks: node.networks?.filter((x) => x !== n) }), `${id}:networks`)}>
                ×
              </button>
            </span>
          ))}
          {attachable.length ? (
            <select value="" aria-label="Attach to network" data-testid="insp-attach" onChange={(e) => e.target.value && useEditor.getState().connect(id, entityId('network', e.target.value))}>
              <option value="">+ attach…</option>
              {attachable.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name}
                </option>
              ))}
            </select>
          ) : null}
        </div>
        {errs('networks').map((e, i) => (
          <em key={i} className="field-error">{e}</em>
        ))}
      </Section>

      <Section title="Ports" actions={<button className="link-button" onClick={() => set({ ports: [...ports, { port: nextPort(ports.map((p) => p.port)) }] }, 'ports+')}>+ port</button>}>
        {ports.map((p, i) => {
          const exposed = mine.some((e) => e.port === p.port);
          return (
            <div key={i} className="row">
              <input type="number" className="w-port" value={p.port} aria-label="Port" min={1} max={65535} onChange={(e) => set({ ports: ports.map((x, j) => (j === i ? { ...x, port: Number(e.target.value) } : x)) }, `ports.${i}.port`)} />
              <select value={p.protocol ?? 'TCP'} aria-label="Protocol" onChange={(e) => set({ ports: ports.map((x, j) => (j === i ? { ...x, protocol: e.target.value === 'UDP' ? 'UDP' : undefined } : x)) }, `ports.${i}.protocol`)}>
                <option>TCP</option>
                <option>UDP</option>
              </select>
              <input value={p.name ?? ''} placeholder="name" aria-label="Port name" onChange={(e) => set({ ports: ports.map((x, j) => (j === i ? { ...x, name: e.target.value || undefined } : x)) }, `ports.${i}.name`)} />
              {(p.protocol ?? 'TCP') === 'TCP' ? (
                <label className="check small" title="Expose over HTTP (Ingress)">
                  <input type="checkbox" checked={exposed} onChange={(e) => setExposed(p.port, e.target.checked)} /> web
                </label>
              ) : null}
              <button className="icon-button" aria-label="Remove port" onClick={() => set({ ports: ports.filter((_, j) => j !== i) }, 'ports-')}>
                ×
              </button>
            </div>
          );
        })}
        {mine.map((e) => (
          <div key={e.port} className="row">
            <span className="muted small">Web path for {e.port}</span>
            <input
              className="mono"
              value={e.path ?? ''}
              placeholder="/"
              aria-label={`Web path for port ${e.port}`}
              onChange={(ev) =>
                edit((d) => setExposures(d, d.lab.exposures.map((x) => (x.node === node.name && x.port === e.port ? prune({ ...x, path: ev.target.value || undefined }) : x))), `${id}:expose-path`)
              }
            />
          </div>
        ))}
        {[...errs('ports'), ...errs('exposures')].map((e, i) => (
          <em key={i} className="field-error">{e}</em>
        ))}
      </Section>

      <Section title="Environment">
        <KeyValueEditor value={node.env} errors={errs('env')} onChange={(env) => set({ env }, 'env')} />
      </Section>

      <Section title="Resources">
        <div className="grid2">
          {(['requests', 'limits'] as const).flatMap((kind) =>
            (['cpu', 'memory'] as const).map((res) => (
              <Field key={`${kind}.${res}`} label={`${kind === 'requests' ? 'Request' : 'Limit'} ${res}`} errors={errs(`resources.${kind}.${res}`)}>
                <input
                  className="mono"
                  value={node.resources?.[kind]?.[res] ?? ''}
                  placeholder={res === 'cpu' ? '500m' : '512Mi'}
                  onChange={(e) => {
                    const v = e.target.value.trim() || undefined;
                    const group = { ...node.resources?.[kind], [res]: v };
                    if (!v) delete group[res];
                    const resources = { ...node.resources, [kind]: Object.keys(group).length ? group : undefined };
                    if (!resources[kind]) delete resources[kind];
                    set({ resources: Object.keys(resources).length ? resources : undefined }, `resources.${kind}.${res}`);
                  }}
                />
              </Field>
            )),
          )}
          {node.kind === 'vm' ? (
            <Field label="Extra disk" errors={errs('resources.disk')}>
              <input className="mono" value={node.resources?.disk ?? ''} placeholder="10Gi" onChange={(e) => {
                const resources = { ...node.resources, disk: e.target.value.trim() || undefined };
                if (!resources.disk) delete resources.disk;
                set({ resources: Object.keys(resources).length ? resources : undefined }, 'resources.disk');
              }} />
            </Field>
          ) : null}
        </div>
      </Section>

      <Section title="Volumes">
        {(node.volumes ?? []).map((m, i) => (
          <div key={i} className="row">
            <select value={m.volume} aria-label="Volume" onChange={(e) => set({ volumes: node.volumes?.map((x, j) => (j === i ? { ...x, volume: e.target.value } : x)) }, `volumes.${i}.volume`)}>
              {volumes.map((v) => (
                <option key={v.name}>{v.name}</option>
              ))}
              {!volumes.some((v) => v.name === m.volume) ? <option>{m.volume}</option> : null}
            </select>
            <input className="mono" value={m.mountPath} aria-label="Mount path" data-testid={`insp-mount-${i}`} onChange={(e) => set({ volumes: node.volumes?.map((x, j) => (j === i ? { ...x, mountPath: e.target.value } : x)) }, `volumes.${i}.mountPath`)} />
            <label className="check small">
              <input type="checkbox" checked={m.readOnly ?? false} onChange={(e) => set({ volumes: node.volumes?.map((x, j) => (j === i ? { ...x, readOnly: e.target.checked || undefined } : x)) }, `volumes.${i}.readOnly`)} /> ro
            </label>
            <button className="icon-button" aria-label="Unmount" onClick={() => set({ volumes: node.volumes?.filter((_, j) => j !== i) }, 'volumes-')}>
              ×
            </button>
          </div>
        ))}
        {!node.volumes?.length ? <p className="muted small">Drag a volume's dot onto this node to mount it.</p> : null}
        {errs('volumes').map((e, i) => (
          <em key={i} className="field-error">{e}</em>
        ))}
      </Section>

      <Section title="Files" actions={<button className="link-button" onClick={() => set({ files: [...(node.files ?? []), { path: `/etc/lab-file-${(node.files?.length ?? 0) + 1}`, content: '' }] }, 'files+')}>+ file</button>}>
        {(node.files ?? []).map((f, i) => (
          <div key={i} className="file-edit">
            <div className="row">
              <input className="mono" value={f.path} aria-label="File path" onChange={(e) => set({ files: node.files?.map((x, j) => (j === i ? { ...x, path: e.target.value } : x)) }, `files.${i}.path`)} />
              <input className="mono w-mode" value={f.mode !== undefined ? f.mode.toString(8).padStart(4, '0') : ''} placeholder="0644" aria-label="Mode (octal)" onChange={(e) => {
                const v = e.target.value.trim();
                const mode = v === '' ? undefined : parseInt(v, 8);
                set({ files: node.files?.map((x, j) => (j === i ? { ...x, mode: mode === undefined || Number.isNaN(mode) ? undefined : mode } : x)) }, `files.${i}.mode`);
              }} />
              <button className="icon-button" aria-label="Remove file" onClick={() => set({ files: node.files?.filter((_, j) => j !== i) }, 'files-')}>
                ×
              </button>
            </div>
            <textarea className="mono" rows={4} value={f.content} aria-label="File content" onChange={(e) => set({ files: node.files?.map((x, j) => (j === i ? { ...x, content: e.target.value } : x)) }, `files.${i}.content`)} />
            {errs(`files.${i}`).map((e, k) => (
              <em key={k} className="field-error">{e}</em>
            ))}
          </div>
        ))}
      </Section>

      <Section title="Setup script">
        <textarea className="mono" rows={3} value={node.setup ?? ''} placeholder="#!/bin/sh — runs once when the node starts" onChange={(e) => set({ setup: e.target.value || undefined }, 'setup')} />
      </Section>

      <div className="insp-actions">
        <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
          Delete node
        </button>
      </div>
    </div>
  );
}

const nextPort = (used: number[]) => {
  for (const p of [80, 443, 8080, 22, 5432, 3306, 8000]) if (!used.includes(p)) return p;
  return Math.max(1024, ...used) + 1;
};

function NetworkInspector({ name }: { name: string }) {
  const net = useEditor((s) => s.doc.lab.networks.find((n) => n.name === name));
  const nodes = useEditor((s) => s.doc.lab.nodes);
  const id = entityId('network', name);
  const issues = useIssues(id);
  if (!net) return null;
  const members = nodes.filter((n) => n.networks?.includes(name));
  return (
    <div className="insp" data-testid="inspector-network">
      <div className="insp-title">
        <NetworkIcon size={20} />
        <div>
          <div className="insp-name">{name}</div>
          <div className="muted small">Network segment</div>
        </div>
      </div>
      <NameField kind="network" name={name} errors={fieldErrors(issues, 'name')} />
      <Field label="Title">
        <input value={net.title ?? ''} onChange={(e) => edit((d) => updateNetwork(d, name, { title: e.target.value || undefined }), `${id}:title`)} />
      </Field>
      <Field label="Description">
        <textarea rows={2} value={net.description ?? ''} onChange={(e) => edit((d) => updateNetwork(d, name, { description: e.target.value || undefined }), `${id}:description`)} />
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
      <div className="insp-actions">
        <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
          Delete network
        </button>
      </div>
    </div>
  );
}

function VolumeInspector({ name }: { name: string }) {
  const vol = useEditor((s) => s.doc.lab.volumes.find((v) => v.name === name));
  const nodes = useEditor((s) => s.doc.lab.nodes);
  const id = entityId('volume', name);
  const issues = useIssues(id);
  if (!vol) return null;
  const users = nodes.filter((n) => n.volumes?.some((m) => m.volume === name));
  return (
    <div className="insp" data-testid="inspector-volume">
      <div className="insp-title">
        <VolumeIcon size={20} />
        <div>
          <div className="insp-name">{name}</div>
          <div className="muted small">Persistent volume</div>
        </div>
      </div>
      <NameField kind="volume" name={name} errors={fieldErrors(issues, 'name')} />
      <div className="grid2">
        <Field label="Size" errors={fieldErrors(issues, 'size')}>
          <input className="mono" value={vol.size} onChange={(e) => edit((d) => updateVolume(d, name, { size: e.target.value }), `${id}:size`)} />
        </Field>
        <Field label="Storage class" errors={fieldErrors(issues, 'storageClass')}>
          <input value={vol.storageClass ?? ''} placeholder="cluster default" onChange={(e) => edit((d) => updateVolume(d, name, { storageClass: e.target.value || undefined }), `${id}:sc`)} />
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
      <div className="insp-actions">
        <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
          Delete volume
        </button>
      </div>
    </div>
  );
}

function LabInspector() {
  const meta = useEditor((s) => s.doc.lab.metadata);
  const issues = useEditor((s) => s.issues).filter((i) => i.target === null);
  return (
    <div className="insp" data-testid="inspector-lab">
      <div className="insp-title">
        <div>
          <div className="insp-name">Lab</div>
          <div className="muted small">Select a node, network or volume to edit it</div>
        </div>
      </div>
      <Field label="Lab name" errors={fieldErrors(issues, 'metadata.name')} hint="Lowercase; used in namespace names">
        <input className="mono" value={meta.name} data-testid="insp-lab-name" onChange={(e) => edit((d) => updateMetadata(d, { name: e.target.value }), 'meta:name')} />
      </Field>
      <Field label="Title" errors={fieldErrors(issues, 'metadata.title')}>
        <input value={meta.title ?? ''} data-testid="insp-lab-title" onChange={(e) => edit((d) => updateMetadata(d, { title: e.target.value || undefined }), 'meta:title')} />
      </Field>
      <Field label="Description" errors={fieldErrors(issues, 'metadata.description')}>
        <textarea rows={3} value={meta.description ?? ''} data-testid="insp-lab-description" onChange={(e) => edit((d) => updateMetadata(d, { description: e.target.value || undefined }), 'meta:description')} />
      </Field>
    </div>
  );
}

function EdgeInspector({ id }: { id: string }) {
  const p = parseId(id);
  if (!p || (p.type !== 'link' && p.type !== 'mount')) return null;
  return (
    <div className="insp" data-testid="inspector-edge">
      <div className="insp-title">
        <div>
          <div className="insp-name">{p.type === 'link' ? `${p.node} ↔ ${p.network}` : `Mount on ${p.node}`}</div>
          <div className="muted small">{p.type === 'link' ? 'Network attachment' : 'Volume mount (edit its path on the node)'}</div>
        </div>
      </div>
      <div className="insp-actions">
        <button className="button" onClick={() => useEditor.getState().focus(entityId('node', p.node))}>
          Show node
        </button>
        <button className="button danger" onClick={() => useEditor.getState().remove([id])}>
          {p.type === 'link' ? 'Detach' : 'Unmount'}
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
  if (selection.length > 1) {
    body = (
      <div className="insp" data-testid="inspector-multi">
        <div className="insp-name">{selection.length} items selected</div>
        <p className="muted small">Copy, paste, delete or drag them together.</p>
        <div className="insp-actions">
          <button className="button danger" onClick={() => useEditor.getState().removeSelection()}>
            Delete {selection.length} items
          </button>
        </div>
      </div>
    );
  } else if (node) body = <NodeInspector node={node} />;
  else if (parsed?.type === 'network') body = <NetworkInspector name={parsed.name} />;
  else if (parsed?.type === 'volume') body = <VolumeInspector name={parsed.name} />;
  else if (parsed?.type === 'link' || parsed?.type === 'mount') body = <EdgeInspector id={only!} />;
  else body = <LabInspector />;
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      {body}
    </aside>
  );
}
