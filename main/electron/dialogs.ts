import { dialog, type BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { Dialogs } from '../api/deps';

const FILTERS = [
  { name: 'Lab files', extensions: ['yaml', 'yml'] },
  { name: 'All files', extensions: ['*'] },
];

export function createDialogs(window: () => BrowserWindow | null): Dialogs {
  return {
    async open() {
      const win = window();
      const opts = { title: 'Open lab', filters: FILTERS, properties: ['openFile' as const] };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async save(defaultName, defaultDir) {
      const win = window();
      const name = defaultName ?? 'lab.yaml';
      const opts = { title: 'Save lab', filters: FILTERS, defaultPath: defaultDir ? join(defaultDir, name) : name };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  };
}
