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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatch } from '../api/dispatch';
import { attachWsTransport, type WsTransport } from '../transport/ws';
import { contentSecurityPolicy, resolveStaticFile } from './static-files';
import type { WsStreamHub } from '../streams';

export const SESSION_COOKIE = 'labforge_session';

export interface UiServerOptions {
  dispatch: Dispatch;
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Terminal streams at /streams/<id>, behind the same cookie, Origin and Host checks as /api. */
  streams?: WsStreamHub;
}

export interface UiServer {
  port: number;
  origin: string;
  /** The URL to open, with the one-time token. */
  url: string;
  ws: WsTransport;
  close(): Promise<void>;
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
    const file = await resolveStaticFile(options.rendererDir, urlPath);
    if (!file.ok) return deny(res, file.status, file.message);
    security(res);
    res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.size, 'Cache-Control': file.cacheControl });
    if (head) return res.end();
    createReadStream(file.path).pipe(res);
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

  const authorized = (req: IncomingMessage) => req.headers.origin === origin && req.headers.host === hostHeader && hasSession(req);
  const streams = options.streams;
  const ws = attachWsTransport(server, options.dispatch, authorized, streams ? (req, socket, head) => streams.handleUpgrade(req, socket, head, authorized(req)) : undefined);

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
