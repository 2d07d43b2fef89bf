/**
 * Right-click on a container node of the canvas: "Open terminal" into that node's pod in the
 * lab's dev namespace; on a VM or desktop node, "Open VNC" onto its screen there. It listens
 * on the document for right-clicks on React Flow node elements, so the canvas needs no
 * knowledge of panes.
 */
import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { devNamespace } from '../../../common/compile/names';
import { useEditor } from '../store/editor';
import { openTerminal, openVnc } from './store';
import { nodeHasScreen, runsCommands } from '../../../common/lab/node-kinds';

interface Menu {
  x: number;
  y: number;
  namespace: string;
  node: string;
  /** Nodes that run commands take a terminal; VMs and desktop nodes have a screen (common/lab/node-kinds.ts). */
  terminal: boolean;
  screen: boolean;
}

export function NodeContextMenu() {
  const [menu, setMenu] = useState<Menu | null>(null);

  useEffect(() => {
    const onContext = (e: MouseEvent) => {
      const el = e.target instanceof Element ? e.target.closest('.react-flow__node[data-id^="node:"]') : null;
      if (!el) return;
      const name = el.getAttribute('data-id')?.slice('node:'.length) ?? '';
      const { lab } = useEditor.getState().doc;
      const node = lab.nodes.find((n) => n.name === name);
      if (!node) return;
      const terminal = runsCommands(node);
      const screen = nodeHasScreen(node);
      if (!terminal && !screen) return;
      e.preventDefault();
      setMenu({ x: e.clientX, y: e.clientY, namespace: devNamespace(lab.metadata.name), node: name, terminal, screen });
    };
    document.addEventListener('contextmenu', onContext);
    return () => document.removeEventListener('contextmenu', onContext);
  }, []);

  useEffect(() => {
    if (!menu) return;
    const close = () => setMenu(null);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', onKey);
    window.addEventListener('blur', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('blur', close);
    };
  }, [menu]);

  if (!menu) return null;
  const title = `${menu.namespace} / ${menu.node}`;
  const items = [
    { show: menu.terminal, testId: 'node-open-terminal', label: 'Open terminal', open: () => openTerminal({ namespace: menu.namespace, node: menu.node, title }) },
    // The instructor's own dev namespace: take control at once.
    { show: menu.screen, testId: 'node-open-vnc', label: 'Open VNC', open: () => openVnc({ namespace: menu.namespace, node: menu.node, title, viewOnly: false }) },
  ];
  return createPortal(
    <div className="menu-list node-menu" style={{ position: 'fixed', left: menu.x, top: menu.y }} role="menu" data-testid="node-context-menu" onMouseDown={(e) => e.stopPropagation()}>
      {items
        .filter((item) => item.show)
        .map((item) => (
          <button
            key={item.testId}
            className="menu-item"
            role="menuitem"
            data-testid={item.testId}
            onClick={() => {
              setMenu(null);
              item.open();
            }}
          >
            {item.label} <span className="muted small">{menu.namespace}</span>
          </button>
        ))}
    </div>,
    document.body,
  );
}
