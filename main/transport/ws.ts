/**
 * Browser-mode transport: the same contract over one WebSocket. The HTTP server decides who
 * may upgrade (`authorize`); each message `{ id, channel, request }` is answered with
 * `{ id, result }`, where `result` is the dispatcher's value. A stream is `{ id, channel, request,
 * subscribe: true }`: its events come as `{ id, event }` and it ends with `{ id, result }`;
 * `{ id, cancel: true }` cancels it. Broadcasts go out as `{ event, payload }`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_PROTOCOL, MAX_API_MESSAGE_BYTES } from '../../common/browser/session';
import type { Dispatch } from '../api/dispatch';

export const WS_PATH = '/api';

/**
 * Calls one socket may have in flight. Beyond it the socket stops being read until answers go
 * out, so a flood of requests waits in the client's TCP buffer rather than in our memory.
 */
const MAX_IN_FLIGHT = 64;
/** Streams (watches) one socket may hold open; a page uses a handful. */
const MAX_STREAMS = 256;
/** Answers a client does not read; past this it is not a slow page but a stuck or hostile one. */
const MAX_UNREAD_BYTES = 4 * MAX_API_MESSAGE_BYTES;

export interface WsTransport {
  broadcast(event: string, payload: unknown): void;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string) {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function attachWsTransport(
  server: Server,
  dispatch: Dispatch,
  authorize: (req: IncomingMessage) => boolean,
  /** Serves upgrades to other paths (terminal streams); returns false for a path it does not serve. */
  otherUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean,
): WsTransport {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_API_MESSAGE_BYTES,
    perMessageDeflate: false,
    // Answer with the API protocol only; a page key offered beside it is never echoed back.
    handleProtocols: (protocols) => (protocols.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      if (!otherUpgrade?.(req, socket, head)) refuse(socket, 404, 'Not Found');
      return;
    }
    if (!authorize(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    // Streams this socket started, by request id: closing the socket (the tab went away)
    // cancels them, as the Electron transport does when a window closes.
    const streams = new Map<number, AbortController>();
    // A malformed frame (oversized, bad UTF-8, unmasked, reserved opcode) is an error on this
    // socket only; without a listener it would be thrown and end the whole server.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      for (const c of streams.values()) c.abort();
      streams.clear();
    });
    const send = (msg: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_UNREAD_BYTES) return ws.terminate();
      ws.send(JSON.stringify(msg));
    };
    let inFlight = 0;
    const begin = () => {
      if (++inFlight >= MAX_IN_FLIGHT) ws.pause();
    };
    const end = () => {
      if (--inFlight < MAX_IN_FLIGHT && ws.isPaused) ws.resume();
    };
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let msg: { id?: unknown; channel?: unknown; request?: unknown; subscribe?: unknown; cancel?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') return ws.close(1008, 'message needs a numeric id');
      const id = msg.id;
      if (msg.cancel === true) {
        streams.get(id)?.abort();
        return;
      }
      if (msg.subscribe === true) {
        if (streams.has(id)) return ws.close(1008, 'stream id in use');
        if (streams.size >= MAX_STREAMS) return ws.close(1008, `more than ${MAX_STREAMS} streams open on one connection`);
        const controller = new AbortController();
        streams.set(id, controller);
        // Streams live long (watches): they do not count against the in-flight limit.
        const result = await dispatch(msg.channel, msg.request, { signal: controller.signal, emit: (event) => send({ id, event }) });
        streams.delete(id);
        return send({ id, result });
      }
      begin();
      try {
        send({ id, result: await dispatch(msg.channel, msg.request) });
      } finally {
        end();
      }
    });
  });
  return {
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload });
      for (const c of wss.clients) if (c.readyState === c.OPEN) c.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
