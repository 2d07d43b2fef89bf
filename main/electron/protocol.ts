/**
 * The renderer is served from `app://labforge/` rather than file://, so it has a real origin
 * that the IPC sender check and the navigation guard can compare against, and so the CSP
 * travels as a response header.
 */
import { net, protocol } from 'electron';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, relative, isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../ui-server/server';
import { APP_SCHEME } from './security';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'labforge') return new Response('not found', { status: 404 });
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = join(rendererDir, rel || 'index.html');
    const r = relative(rendererDir, file);
    if (r.startsWith('..') || isAbsolute(r)) return new Response('forbidden', { status: 403 });
    const info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) {
      if (extname(rel) !== '') return new Response('not found', { status: 404 });
      file = join(rendererDir, 'index.html');
    }
    const res = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy("'self'"));
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}
