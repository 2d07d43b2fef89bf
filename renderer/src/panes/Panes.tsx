/**
 * Everything panes add to the app: the dock, the command palette, the canvas node menu, and the
 * opener other views (the class dashboard) call through cluster/terminal-hook.ts.
 */
import { useEffect } from 'react';
import { openTerminalHook } from '../cluster/terminal-hook';
import { CommandPalette } from './CommandPalette';
import { Dock } from './Dock';
import { NodeContextMenu } from './NodeContextMenu';
import { loadFontSize, openTerminal } from './store';
import '@xterm/xterm/css/xterm.css';
import './panes.css';

export { openTerminal } from './store';

export function Panes() {
  useEffect(() => {
    loadFontSize();
    openTerminalHook.current = (t) => void openTerminal(t);
    return () => {
      openTerminalHook.current = null;
    };
  }, []);
  return (
    <>
      <Dock />
      <CommandPalette />
      <NodeContextMenu />
    </>
  );
}
