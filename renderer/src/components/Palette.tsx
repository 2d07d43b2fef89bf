import { useReactFlow } from '@xyflow/react';
import type { DragEvent, JSX } from 'react';
import { DND_TYPE } from '../canvas/Canvas';
import { ContainerIcon, DatabaseIcon, DesktopIcon, NetworkIcon, RouterIcon, VmIcon, VolumeIcon, WebIcon } from '../canvas/icons';
import { useEditor } from '../store/editor';
import { NODE_TEMPLATES, type PaletteItem } from '../store/templates';

type Entry = { item: PaletteItem; label: string; hint: string; Icon: (p: { size?: number }) => JSX.Element };

const SECTIONS: { title: string; entries: Entry[] }[] = [
  {
    title: 'Nodes',
    entries: [
      { item: 'container', label: 'Container', hint: NODE_TEMPLATES.container.hint, Icon: ContainerIcon },
      { item: 'desktop', label: 'Desktop container', hint: NODE_TEMPLATES.desktop.hint, Icon: DesktopIcon },
      { item: 'vm', label: 'Virtual machine', hint: NODE_TEMPLATES.vm.hint, Icon: VmIcon },
    ],
  },
  {
    title: 'Topology',
    entries: [
      { item: 'network', label: 'Network', hint: 'A segment; nodes on the same network reach each other', Icon: NetworkIcon },
      { item: 'volume', label: 'Volume', hint: 'Persistent storage; drag it onto a node to mount', Icon: VolumeIcon },
    ],
  },
  {
    title: 'Templates',
    entries: [
      { item: 'webserver', label: 'Web server', hint: NODE_TEMPLATES.webserver.hint, Icon: WebIcon },
      { item: 'database', label: 'Database', hint: NODE_TEMPLATES.database.hint, Icon: DatabaseIcon },
      { item: 'router', label: 'Router', hint: NODE_TEMPLATES.router.hint, Icon: RouterIcon },
      { item: 'desktop-template', label: 'XFCE desktop', hint: NODE_TEMPLATES['desktop-template'].hint, Icon: DesktopIcon },
      { item: 'vm-template', label: 'Fedora VM', hint: NODE_TEMPLATES['vm-template'].hint, Icon: VmIcon },
    ],
  },
];

export function Palette() {
  const flow = useReactFlow();
  const onDragStart = (e: DragEvent, item: PaletteItem) => {
    e.dataTransfer.setData(DND_TYPE, item);
    e.dataTransfer.effectAllowed = 'copy';
  };
  // Clicking adds the item in the middle of the view (keyboard and touch users).
  const addAtCenter = (item: PaletteItem) => {
    const el = document.querySelector('.canvas');
    const r = el?.getBoundingClientRect();
    const p = r ? flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 }) : { x: 0, y: 0 };
    const jitter = (useEditor.getState().doc.lab.nodes.length % 5) * 24;
    useEditor.getState().add(item, { x: p.x - 100 + jitter, y: p.y - 32 + jitter });
  };
  return (
    <aside className="palette" data-testid="palette" aria-label="Palette">
      {SECTIONS.map((s) => (
        <section key={s.title}>
          <h4>{s.title}</h4>
          {s.entries.map(({ item, label, hint, Icon }) => (
            <button
              key={item}
              className={`palette-item pi-${item}`}
              draggable
              onDragStart={(e) => onDragStart(e, item)}
              onClick={() => addAtCenter(item)}
              title={`${hint} — drag onto the canvas, or click to add`}
              data-testid={`palette-${item}`}
            >
              <Icon size={18} />
              <span>{label}</span>
            </button>
          ))}
        </section>
      ))}
      <p className="palette-help muted small">Drag from a node's top dot to a network to attach it. Drag a volume's dot onto a node to mount it.</p>
    </aside>
  );
}
