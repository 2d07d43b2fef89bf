/**
 * The Electron composition root: create the window, bind the API to IPC. All behaviour lives in
 * Electron-free modules (main/api, main/engine, common/lab, common/compile...) shared with the CLI and browser mode.
 */
import { app, BrowserWindow, ipcMain, Menu, session } from 'electron';
import { fileURLToPath } from 'node:url';
import { appRoot, appVersion, examplesDir, rendererDir } from './paths';
import { createHost } from './api/host';
import { createDialogs } from './electron/dialogs';
import { createGrantStore } from './electron/grants';
import { registerAppScheme, serveRenderer } from './electron/protocol';
import { APP_ORIGIN, hardenApp, hardenSession } from './electron/security';
import { createElectronSettings } from './electron/settings';
import { createMainWindow } from './electron/window';
import { createPortConnector, hangUpBeforeQuit } from './electron/streams';
import { bindIpc } from './transport/ipc';

registerAppScheme();
hardenApp(app);

let mainWindow: BrowserWindow | null = null;
let openWindow: (() => Promise<void>) | null = null;

async function start() {
  const root = appRoot();
  const settings = createElectronSettings();
  const grants = createGrantStore(app.getPath('userData'));
  hardenSession(session.defaultSession);
  serveRenderer(rendererDir(root));
  // The renderer has its own menus (they also work in browser mode). macOS still needs the
  // app and edit menus for Cmd+Q and clipboard shortcuts in text fields.
  Menu.setApplicationMenu(process.platform === 'darwin' ? Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }]) : null);

  const host = createHost({
    mode: 'electron',
    version: appVersion(root),
    workspace: null,
    examplesDir: examplesDir(root),
    settings,
    // A dialog choice is remembered as a grant by main; nothing the renderer sends becomes one.
    dialogs: createDialogs(() => mainWindow, (path) => grants.record(path, 'write').catch((err: unknown) => console.error('[file-grants]', err))),
    logError: (channel, err) => console.error(`[${channel}]`, err),
    streams: createPortConnector(() => mainWindow?.webContents ?? null),
  });
  if (host.terminals) hangUpBeforeQuit(app, host.terminals);
  // Files picked in a dialog earlier stay allowed. Only main's own grants file counts:
  // settings.recent is written by the renderer and grants nothing.
  for (const g of await grants.load()) await host.paths.grant(g.path, g.access).catch(() => undefined);
  bindIpc(ipcMain, host.dispatch, APP_ORIGIN);

  const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
  openWindow = async () => {
    mainWindow = await createMainWindow(preload, settings);
    mainWindow.on('closed', () => (mainWindow = null));
  };
  await openWindow();
}

app.whenReady().then(start, (err: unknown) => {
  console.error(err);
  app.exit(1);
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0 && openWindow) void openWindow();
});
