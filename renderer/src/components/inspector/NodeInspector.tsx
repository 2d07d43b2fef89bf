import type { LabNode } from '../../../../common/lab/schema';
import { NODE_KIND } from '../../../../common/lab/node-kinds';
import { NetworkIcon, ROLE_ICON, ROLE_LABEL } from '../../canvas/icons';
import { nodeRole } from '../../canvas/role';
import { entityId, updateNode } from '../../store/doc';
import { useEditor } from '../../store/editor';
import { detachNetwork, editEnv, linesOf, setKind, setLines } from '../../store/node-edits';
import { Errors, Field, KeyValueRows, Section } from '../form/fields';
import { editDoc, useFieldErrors } from './editing';
import { DeleteItem, InspectorTitle } from './frame';
import { NameField } from './NameField';
import { ChecksSection } from './node/ChecksSection';
import { FilesSection } from './node/FilesSection';
import { MountsSection } from './node/MountsSection';
import { PortsSection } from './node/PortsSection';
import { ResourcesSection } from './node/ResourcesSection';
import { SecuritySection } from './node/SecuritySection';

const ENV_LABELS = { key: 'Variable name', value: 'Variable value', add: '+ variable', remove: 'Remove variable' };

export function NodeInspector({ node }: { node: LabNode }) {
  const id = entityId('node', node.name);
  const errors = useFieldErrors(id);
  const networks = useEditor((s) => s.doc.lab.networks);
  const { name } = node;
  const set = (patch: Partial<LabNode>, field: string) => editDoc((d) => updateNode(d, name, patch), `${id}:${field}`);
  const role = nodeRole(node);
  const Icon = ROLE_ICON[role];
  const attachable = networks.filter((n) => !node.networks?.includes(n.name));

  return (
    <div className="insp" data-testid="inspector-node">
      <InspectorTitle icon={<Icon size={20} />} title={name} subtitle={ROLE_LABEL[role]} />
      <NameField kind="node" name={name} errors={errors('name')} />
      <Field label="Title" errors={errors('title')}>
        <input value={node.title ?? ''} onChange={(e) => set({ title: e.target.value || undefined }, 'title')} placeholder="Optional display title" />
      </Field>
      <div className="grid2">
        <Field label="Kind" errors={errors('kind')}>
          <select value={node.kind} data-testid="insp-kind" onChange={(e) => editDoc((d) => setKind(d, name, e.target.value === 'vm' ? 'vm' : 'container'), `${id}:kind`)}>
            <option value="container">Container</option>
            <option value="vm">Virtual machine</option>
          </select>
        </Field>
        {node.kind === 'container' ? (
          <Field label="Desktop" errors={errors('desktop')}>
            <span className="check">
              <input type="checkbox" checked={node.desktop ?? false} onChange={(e) => set({ desktop: e.target.checked || undefined }, 'desktop')} data-testid="insp-desktop" /> VNC desktop on 5900
            </span>
          </Field>
        ) : null}
      </div>
      <Field label={NODE_KIND[node.kind].imageLabel} errors={errors('image')} hint='e.g. "nginx:1.27" or "ghcr.io/org/app:1.0"'>
        <input className="mono" value={node.image} data-testid="insp-image" spellCheck={false} onChange={(e) => set({ image: e.target.value }, 'image')} />
      </Field>
      {node.kind === 'container' ? (
        <div className="grid2">
          <Field label="Command (one per line)" errors={errors('command')}>
            <textarea className="mono" rows={2} value={linesOf(node.command)} data-testid="insp-command" onChange={(e) => editDoc((d) => setLines(d, name, 'command', e.target.value), `${id}:command`)} />
          </Field>
          <Field label="Args (one per line)" errors={errors('args')}>
            <textarea className="mono" rows={2} value={linesOf(node.args)} onChange={(e) => editDoc((d) => setLines(d, name, 'args', e.target.value), `${id}:args`)} />
          </Field>
        </div>
      ) : null}

      <Section title="Networks">
        <div className="chips" data-testid="insp-networks">
          {(node.networks ?? []).map((n) => (
            <span key={n} className="chip">
              <NetworkIcon size={12} /> {n}
              <button className="icon-button" aria-label={`Detach from ${n}`} onClick={() => editDoc((d) => detachNetwork(d, name, n), `${id}:networks`)}>
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
        <Errors errors={errors('networks')} />
      </Section>

      <PortsSection node={node} errors={errors} />

      <Section title="Environment">
        <KeyValueRows rows={Object.entries(node.env ?? {})} labels={ENV_LABELS} errors={errors('env')} onEdit={(edit) => editDoc((d) => editEnv(d, name, edit), `${id}:env`)} />
      </Section>

      <ResourcesSection node={node} errors={errors} />
      {node.kind === 'container' ? <SecuritySection node={node} errors={errors} /> : null}
      <MountsSection node={node} errors={errors} />
      <FilesSection node={node} errors={errors} />

      <Section title="Setup script">
        <textarea className="mono" rows={3} value={node.setup ?? ''} placeholder="#!/bin/sh — runs once when the node starts" onChange={(e) => set({ setup: e.target.value || undefined }, 'setup')} />
      </Section>

      <ChecksSection node={node} errors={errors} />

      <DeleteItem id={id} label="Delete node" />
    </div>
  );
}
