/**
 * Browser mode's HTTP server on 127.0.0.1: serves the built renderer and the API WebSocket.
 *
 * Access: the printed URL carries a one-time token. The first request with it gets an HttpOnly,
 * SameSite=Strict session cookie and a redirect that strips the token; the token is then spent.
 * The cookie lasts as long as the browser session, so a restarted browser needs a new link:
 * `newLink()` mints one (a fresh one-time token, which also voids an unused earlier link);
 * `labforge ui` calls it when Enter is pressed in its terminal, so getting one takes the same
 * local access as starting the server did. The refusal pages say so.
 * The redirect's URL fragment carries the page key (common/browser/session.ts): fragments are
 * never sent to a server, so a script that replays the cookie (cookies ignore ports, so every
 * server on 127.0.0.1 sees it) still lacks the key. Every other request needs the cookie; the
 * API WebSocket also needs the page key as a subprotocol and Origin to be exactly this
 * server's origin, and every request a Host header naming it (no DNS rebinding).
 *
 * Robustness: every socket has an error handler, malformed HTTP gets a 400 and a closed socket,
 * and source maps are not served (static-files.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { PAGE_KEY_FRAGMENT, PAGE_KEY_PROTOCOL_PREFIX } from '../../common/browser/session';
import type { Dispatch } from '../api/dispatch';
import { attachWsTransport, type WsTransport } from '../transport/ws';
import { redirectAfterToken } from './redirect';
import { contentSecurityPolicy, resolveStaticFile } from './static-files';
import type { WsStreamHub } from '../streams';

const SESSION_COOKIE = 'labforge_session';

/** What a refused page tells the user to do: the way to a new link. */
export const NEW_LINK_HINT = 'For a new link, press Enter in the terminal where `labforge ui` runs (it prints one), then open it here.';

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
  /** A new one-time link (a browser that lost its session opens it); an unused earlier link stops working. */
  newLink(): string;
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
  /** Session cookie → the page key handed out with it. */
  const sessions = new Map<string, string>();
  let origin = '';
  let hostHeader = '';

  const sessionOf = (req: IncomingMessage): { sid: string; pageKey: string } | null => {
    const sid = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (sid === undefined) return null;
    for (const [s, pageKey] of sessions) if (sameSecret(s, sid)) return { sid: s, pageKey };
    return null;
  };
  const hasSession = (req: IncomingMessage) => sessionOf(req) !== null;
  /** The page key the request offers as a subprotocol, if any. */
  const offeredPageKey = (req: IncomingMessage) =>
    String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith(PAGE_KEY_PROTOCOL_PREFIX))
      ?.slice(PAGE_KEY_PROTOCOL_PREFIX.length);

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
    // A file removed or unreadable after the check ends this response only, never the server.
    await pipeline(createReadStream(file.path), res).catch(() => res.destroy());
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.headers.host !== hostHeader) return deny(res, 421, 'wrong Host header');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
      const target = req.url ?? '/';
      // Origin-form only ("/path?query"): an absolute or authority form names some other server.
      if (!target.startsWith('/')) return deny(res, 400, 'bad request target');
      const url = new URL(`${origin}/${target.replace(/^[/\\]+/, '')}`);
      const offered = url.searchParams.get('token');
      if (offered !== null) {
        if (token === null || !sameSecret(token, offered)) return deny(res, 403, `forbidden: this link was already used or is not valid (each link opens one browser session). ${NEW_LINK_HINT}`);
        token = null; // spent
        const sid = randomBytes(32).toString('base64url');
        const pageKey = randomBytes(32).toString('base64url');
        sessions.set(sid, pageKey);
        security(res);
        res.writeHead(302, {
          'Set-Cookie': `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/`,
          Location: redirectAfterToken(origin, target, `${PAGE_KEY_FRAGMENT}=${pageKey}`),
          'Cache-Control': 'no-store',
        });
        return res.end();
      }
      if (!hasSession(req)) return deny(res, 403, `forbidden: this browser has no session here (a browser restart ends it). ${NEW_LINK_HINT}`);
      await serveFile(res, url.pathname, req.method === 'HEAD');
    })().catch(() => {
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    });
  });

  // Bytes that are not HTTP: answer 400 if the socket can still take it, and drop the connection.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  // A socket that errors after the upgrade or mid-response is that client's problem only.
  server.on('connection', (socket: Socket) => socket.on('error', () => socket.destroy()));
  // Slow clients cannot hold connections open for long without sending a request.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = `127.0.0.1:${port}`;
  origin = `http://${hostHeader}`;

  const sameSite = (req: IncomingMessage) => req.headers.origin === origin && req.headers.host === hostHeader;
  /** The API socket: cookie, Origin, Host and the page key that was handed out with that cookie. */
  const apiAuthorized = (req: IncomingMessage) => {
    if (!sameSite(req)) return false;
    const session = sessionOf(req);
    const key = offeredPageKey(req);
    return session !== null && key !== undefined && sameSecret(session.pageKey, key);
  };
  // Stream upgrades carry their own single-use token, which only the API socket hands out.
  const streamAuthorized = (req: IncomingMessage) => sameSite(req) && hasSession(req);
  const streams = options.streams;
  const ws = attachWsTransport(server, options.dispatch, apiAuthorized, streams ? (req, socket, head) => streams.handleUpgrade(req, socket, head, streamAuthorized(req)) : undefined);

  return {
    port,
    origin,
    url: `${origin}/?token=${token}`,
    newLink() {
      token = randomBytes(32).toString('base64url');
      return `${origin}/?token=${token}`;
    },
    ws,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
