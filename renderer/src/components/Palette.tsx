import { useReactFlow } from '@xyflow/react';
import { NODE_KIND } from '../../../common/lab/node-kinds';
import { useEffect, type DragEvent, type JSX } from 'react';
import { ContainerIcon, NetworkIcon, ROLE_ICON, VmIcon, VolumeIcon } from '../canvas/icons';
import { nodeRole } from '../canvas/role';
import { placePaletteItem } from '../lib/palette';
import { DND_TYPE, paletteItemId, type BlankKind, type PaletteItem } from '../store/palette';
import { loadTemplates, useTemplates, type Template } from '../store/templates';

type Icon = (p: { size?: number }) => JSX.Element;
type Entry = { item: PaletteItem; label: string; hint: string; Icon: Icon };

const blank = (kind: BlankKind, label: string, hint: string, Icon: Icon): Entry => ({ item: { type: 'blank', kind }, label, hint, Icon });

const BLANKS: { title: string; entries: Entry[] }[] = [
  {
    title: 'Nodes',
    entries: [
      blank('container', NODE_KIND.container.label, NODE_KIND.container.hint, ContainerIcon),
      blank('vm', NODE_KIND.vm.label, NODE_KIND.vm.hint, VmIcon),
    ],
  },
  {
    title: 'Topology',
    entries: [
      blank('network', 'Network', 'A segment; nodes on the same network reach each other', NetworkIcon),
      blank('volume', 'Volume', 'Persistent storage; drag it onto a node to mount', VolumeIcon),
    ],
  },
];

/** A template's entry: its icon is its first node's. */
const templateEntry = (t: Template): Entry => {
  const first = t.lab.nodes[0];
  return { item: { type: 'template', name: t.name }, label: t.title, hint: t.description || t.title, Icon: first ? ROLE_ICON[nodeRole(first)] : NetworkIcon };
};

function PaletteButton({ entry, onAdd }: { entry: Entry; onAdd: (item: PaletteItem) => void }) {
  const { item, label, hint, Icon } = entry;
  const id = paletteItemId(item);
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(DND_TYPE, id);
    e.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <button className={`palette-item pi-${id}`} draggable onDragStart={onDragStart} onClick={() => onAdd(item)} title={`${hint} — drag onto the canvas, or click to add`} data-testid={`palette-${id}`}>
      <Icon size={18} />
      <span>{label}</span>
    </button>
  );
}

export function Palette() {
  const flow = useReactFlow();
  const templates = useTemplates((s) => s.templates);
  const error = useTemplates((s) => s.error);
  useEffect(() => {
    if (!useTemplates.getState().templates) void loadTemplates();
  }, []);
  // Clicking adds the item in the middle of the view (keyboard and touch users).
  const addAtCenter = (item: PaletteItem) => {
    const r = document.querySelector('.canvas')?.getBoundingClientRect();
    const p = r ? flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
    // In free space near the middle: repeated clicks never stack items on each other.
    void placePaletteItem(item, p, { freeSpace: true });
  };
  const sections = [...BLANKS, { title: 'Templates', entries: (templates ?? []).map(templateEntry) }];
  return (
    <aside className="palette" data-testid="palette" aria-label="Palette">
      {sections.map((s) => (
        <section key={s.title}>
          <h4>{s.title}</h4>
          {s.entries.map((entry) => (
            <PaletteButton key={paletteItemId(entry.item)} entry={entry} onAdd={addAtCenter} />
          ))}
        </section>
      ))}
      {templates === null && !error ? <p className="muted small">Loading templates…</p> : null}
      {error ? <p className="error-text small">{error}</p> : null}
      <p className="palette-help muted small">Drag from a node's top dot to a network to attach it. Drag a volume's dot onto a node to mount it.</p>
    </aside>
  );
}
