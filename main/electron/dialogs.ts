import { dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { Dialogs } from '../api/deps';

const FILTERS = [
  { name: 'Lab files', extensions: ['yaml', 'yml'] },
  { name: 'All files', extensions: ['*'] },
];

/**
 * Native dialogs shown by main. `onPicked` hears of every path the user chose, before the
 * renderer does: it is how a choice becomes a remembered grant (main/electron/grants.ts).
 */
export function createDialogs(window: () => BrowserWindow | null, onPicked: (path: string) => Promise<void> = async () => undefined): Dialogs {
  const picked = async (path: string | null) => {
    if (path !== null) await onPicked(path);
    return path;
  };
  return {
    async open() {
      const win = window();
      const opts = { title: 'Open lab', filters: FILTERS, properties: ['openFile' as const] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return picked(r.canceled ? null : (r.filePaths[0] ?? null));
    },
    async save(defaultName, defaultDir) {
      const win = window();
      const name = defaultName ?? 'lab.yaml';
      const opts = { title: 'Save lab', filters: FILTERS, defaultPath: defaultDir ? join(defaultDir, name) : name };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return picked(r.canceled || !r.filePath ? null : r.filePath);
    },
  };
}
