/**
 * Browser mode's HTTP server on 127.0.0.1: serves the built renderer and the API WebSocket.
 *
 * Access: the printed URL carries a one-time token. The first request with it gets an HttpOnly,
 * SameSite=Strict session cookie and a redirect that strips the token; the token is then spent.
 * Every other request needs the cookie; the WebSocket also needs Origin to be exactly this
 * server's origin, and every request a Host header naming it (no DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, isAbsolute } from 'node:path';
import type { Dispatch } from '../api/dispatch';
import { attachWsTransport, type WsTransport } from '../transport/ws';

export const SESSION_COOKIE = 'labforge_session';

export interface UiServerOptions {
  dispatch: Dispatch;
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface UiServer {
  port: number;
  origin: string;
  /** The URL to open, with the one-time token. */
  url: string;
  ws: WsTransport;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** The renderer's CSP; the Electron host sends the same policy with its own connect-src. */
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React Flow positions nodes with inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  let token: string | null = randomBytes(32).toString('base64url');
  const sessions = new Set<string>();
  let origin = '';
  let hostHeader = '';

  const hasSession = (req: IncomingMessage) => {
    const sid = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    return sid !== undefined && [...sessions].some((s) => sameSecret(s, sid));
  };

  const security = (res: ServerResponse) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(`'self' ws://${hostHeader}`));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const deny = (res: ServerResponse, status: number, text: string) => {
    security(res);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${text}\n`);
  };

  const serveFile = async (res: ServerResponse, urlPath: string, head: boolean) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return deny(res, 400, 'bad path');
    }
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    let file = join(options.rendererDir, rel);
    const r = relative(options.rendererDir, file);
    if (r.startsWith('..') || isAbsolute(r) || decoded.includes('\0')) return deny(res, 403, 'forbidden');
    let info = await stat(file).catch(() => null);
    if (!info || info.isDirectory()) {
      // Client-side routes fall back to the app; missing assets are 404.
      if (extname(rel) !== '') return deny(res, 404, 'not found');
      file = join(options.rendererDir, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info) return deny(res, 500, 'the renderer is not built: run `npm run build:renderer`');
    }
    security(res);
    const isIndex = file.endsWith('index.html');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': isIndex ? 'no-store' : 'private, max-age=3600',
    });
    if (head) return res.end();
    createReadStream(file).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.headers.host !== hostHeader) return deny(res, 421, 'wrong Host header');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
      const url = new URL(req.url ?? '/', origin);
      const offered = url.searchParams.get('token');
      if (offered !== null) {
        if (token === null || !sameSecret(token, offered)) return deny(res, 403, 'this link has expired or is invalid: restart `labforge ui` for a new one');
        token = null; // spent
        const sid = randomBytes(32).toString('base64url');
        sessions.add(sid);
        url.searchParams.delete('token');
        security(res);
        res.writeHead(302, {
          'Set-Cookie': `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/`,
          Location: `${url.pathname}${url.search}`,
          'Cache-Control': 'no-store',
        });
        return res.end();
      }
      if (!hasSession(req)) return deny(res, 403, 'forbidden: open the link `labforge ui` printed (it carries a one-time token)');
      await serveFile(res, url.pathname, req.method === 'HEAD');
    })().catch(() => {
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;

  const ws = attachWsTransport(server, options.dispatch, (req) => req.headers.origin === origin && req.headers.host === hostHeader && hasSession(req));

  return {
    port,
    origin,
    url: `${origin}/?token=${token}`,
    ws,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
