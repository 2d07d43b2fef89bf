import { BrowserWindow, dialog } from 'electron';
import type { Settings } from '../../common/api/contract';
import type { SettingsStore } from '../api/settings';
import { APP_ORIGIN } from './security';

export async function createMainWindow(preload: string, settings: SettingsStore): Promise<BrowserWindow> {
  const saved: Settings = await settings.get();
  const bounds = saved.window ?? { width: 1400, height: 900 };
  const win = new BrowserWindow({
    width: bounds.width,
    height: bounds.height,
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 900,
    minHeight: 600,
    title: 'Labforge',
    show: false,
    backgroundColor: saved.theme === 'dark' ? '#14161a' : '#f6f7f9',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (bounds.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  // The renderer's beforeunload handler blocks closing while there are unsaved changes.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved changes',
      message: 'The lab has unsaved changes. Close anyway?',
    });
    if (choice === 0) event.preventDefault();
  });

  win.on('close', () => {
    const b = win.getNormalBounds();
    void settings.update({ window: { width: b.width, height: b.height, x: b.x, y: b.y, maximized: win.isMaximized() } });
  });

  await win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
