/**
 * Everything panes add to the app: the dock, the command palette, the canvas node menu, and the
 * openers other views (the class dashboard) import from ./store.
 */
import { useEffect } from 'react';
import { CommandPalette } from './CommandPalette';
import { Dock } from './Dock';
import { NodeContextMenu } from './NodeContextMenu';
import { loadFontSize } from './store';
import '@xterm/xterm/css/xterm.css';
import './panes.css';

export { openTerminal } from './store';

export function Panes() {
  useEffect(() => {
    loadFontSize();
  }, []);
  return (
    <>
      <Dock />
      <CommandPalette />
      <NodeContextMenu />
    </>
  );
}
