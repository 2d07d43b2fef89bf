/**
 * The renderer is served from `app://labforge/` rather than file://, so it has a real origin
 * that the IPC sender check and the navigation guard can compare against, and so the CSP
 * travels as a response header. Which file a URL names is decided by the same function browser
 * mode uses (ui-server/static-files.ts).
 */
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { contentSecurityPolicy, resolveStaticFile } from '../ui-server/static-files';
import { APP_SCHEME } from './security';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const headers = new Headers({ 'Content-Security-Policy': contentSecurityPolicy("'self'"), 'X-Content-Type-Options': 'nosniff' });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response('bad request', { status: 400, headers });
    }
    if (url.host !== 'labforge') return new Response('not found', { status: 404, headers });
    // Bad percent-encoding is a 400 there (its decodeURIComponent is guarded), never a throw.
    const file = await resolveStaticFile(rendererDir, url.pathname);
    if (!file.ok) return new Response(file.message, { status: file.status, headers });
    headers.set('Content-Type', file.contentType);
    headers.set('Cache-Control', file.cacheControl);
    try {
      return new Response(await readFile(file.path), { status: 200, headers });
    } catch {
      // Removed or unreadable between the check and the read.
      return new Response('not found', { status: 404, headers });
    }
  });
}
