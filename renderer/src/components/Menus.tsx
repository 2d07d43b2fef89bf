import { useEffect, useRef, useState } from 'react';
import { COMMANDS, showKeys, type Command, type CommandId } from '../lib/commands';

const MENUS: { label: string; items: (CommandId | '-')[] }[] = [
  { label: 'File', items: ['new', 'open', '-', 'importCompose', 'importContainerlab', '-', 'save', 'saveAs'] },
  { label: 'Edit', items: ['undo', 'redo', '-', 'cut', 'copy', 'paste', 'delete', '-', 'selectAll'] },
  { label: 'View', items: ['viewCanvas', 'viewYaml', 'viewCompiled', 'viewReleases', 'viewClass', '-', 'layout', 'fit', 'zoomIn', 'zoomOut', '-', 'theme'] },
  // Deleting dev sits apart, last: a destructive action is not placed among the harmless ones.
  { label: 'Cluster', items: ['cluster', '-', 'deploy', 'snapshot', 'publish', '-', 'viewReleases', 'viewClass', '-', 'undeploy'] },
];

export function Menus() {
  const [open, setOpen] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(null);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(null);
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', esc);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', esc);
    };
  }, [open]);
  return (
    <div className="menus" ref={ref} role="menubar">
      {MENUS.map((m) => (
        <div key={m.label} className="menu">
          <button
            className={`menu-button${open === m.label ? ' open' : ''}`}
            data-testid={`menu-${m.label.toLowerCase()}`}
            onClick={() => setOpen(open === m.label ? null : m.label)}
            onMouseEnter={() => open && setOpen(m.label)}
          >
            {m.label}
          </button>
          {open === m.label ? (
            <div className="menu-list" role="menu">
              {m.items.map((id, i) =>
                id === '-' ? (
                  <div key={i} className="menu-sep" />
                ) : (
                  <button
                    key={id}
                    role="menuitem"
                    className="menu-item"
                    data-testid={`cmd-${id}`}
                    onClick={() => {
                      setOpen(null);
                      void COMMANDS[id].run();
                    }}
                  >
                    <span>{COMMANDS[id].label}</span>
                    <kbd>{(COMMANDS[id] as Command).keys?.map(showKeys).join(' / ')}</kbd>
                  </button>
                ),
              )}
            </div>
          ) : null}
        </div>
      ))}
    </div>
  );
}
