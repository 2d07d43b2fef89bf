/**
 * Electron's security checklist, applied to every web contents the app creates: no navigation
 * away from the app, no new windows, no webviews, no permissions.
 */
import type { App, Session, WebContents } from 'electron';
import { isAppUrl } from '../transport/ipc';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://labforge`;

function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, APP_ORIGIN)) event.preventDefault();
  });
  // will-navigate covers the main frame only; subframes (the app has none) are held to the same rule.
  contents.on('will-frame-navigate', (details) => {
    if (!isAppUrl(details.url, APP_ORIGIN)) details.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, APP_ORIGIN)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Links never open windows; the app has no reason to open external URLs from page content.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function hardenApp(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
