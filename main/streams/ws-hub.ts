/**
 * Browser mode's StreamConnector: each session's stream is a WebSocket at `/streams/<id>` on
 * the UI server. Who may upgrade: the UI server's own check (session cookie, exact Origin and
 * Host, as for the API socket) AND the session's token, offered as the subprotocol
 * `token.<token>` (so it never sits in a URL or a log line), compared in constant time, and
 * spent by the first successful upgrade.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { StreamEndpoint } from './bridge';
import { STREAM_PATH_PREFIX, STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../common/streams/protocol';
import type { StreamConnector } from './connector';

export interface WsStreamHub extends StreamConnector {
  /**
   * Takes an upgrade request whose path is under /streams/ and returns true; returns false for
   * any other path. `authorized` is the UI server's verdict on the request (cookie, Origin, Host).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, authorized: boolean): boolean;
  close(): void;
}

const ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Keyboard input and pastes; anything larger is not typing. */
const MAX_INPUT_FRAME = 1024 * 1024;

function refuse(socket: Duplex, status: number, reason: string) {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export function wsEndpoint(ws: WebSocket): StreamEndpoint {
  // A malformed frame is this socket's problem only; without a listener it would throw.
  ws.on('error', () => ws.terminate());
  return {
    send: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: typeof data !== 'string' });
    },
    close: () => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
    },
    bufferedAmount: () => ws.bufferedAmount,
    onMessage: (listener) => ws.on('message', (data, isBinary) => listener(isBinary ? toBuffer(data) : toBuffer(data).toString('utf8'))),
    onClose: (listener) => ws.on('close', () => listener()),
  };
}

export function createWsStreamHub(): WsStreamHub {
  const offers = new Map<string, { token: string; attach: (endpoint: StreamEndpoint) => void }>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INPUT_FRAME,
    perMessageDeflate: false,
    // Answer with the stream protocol only; the token is never echoed back.
    handleProtocols: (protocols) => (protocols.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false),
  });

  return {
    offer(sessionId, attach) {
      const token = randomBytes(32).toString('base64url');
      offers.set(sessionId, { token, attach });
      return { kind: 'websocket', path: `${STREAM_PATH_PREFIX}${sessionId}`, protocols: [STREAM_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`] };
    },

    withdraw(sessionId) {
      offers.delete(sessionId);
    },

    handleUpgrade(req, socket, head, authorized) {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(STREAM_PATH_PREFIX)) return false;
      if (!authorized) {
        refuse(socket, 403, 'Forbidden');
        return true;
      }
      const id = path.slice(STREAM_PATH_PREFIX.length);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim());
      const token = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
      const offer = ID.test(id) ? offers.get(id) : undefined;
      if (!offer || token === undefined || !offered.includes(STREAM_PROTOCOL) || !sameSecret(offer.token, token)) {
        refuse(socket, 403, 'Forbidden');
        return true;
      }
      // Spent: a second upgrade with the same token finds no offer.
      offers.delete(id);
      wss.handleUpgrade(req, socket, head, (ws) => offer.attach(wsEndpoint(ws)));
      return true;
    },

    close() {
      offers.clear();
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
