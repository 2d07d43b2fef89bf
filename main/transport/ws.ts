/**
 * Browser-mode transport: the same contract over one WebSocket. The HTTP server decides who
 * may upgrade (`authorize`); each message `{ id, channel, request }` is answered with
 * `{ id, result }`, where `result` is the dispatcher's value. Events go out as `{ event, payload }`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../api/dispatch';

export const WS_PATH = '/api';

export interface WsTransport {
  broadcast(event: string, payload: unknown): void;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: number, reason: string) {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function attachWsTransport(server: Server, dispatch: Dispatch, authorize: (req: IncomingMessage) => boolean): WsTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!authorize(req)) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let msg: { id?: unknown; channel?: unknown; request?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') return ws.close(1008, 'message needs a numeric id');
      const result = await dispatch(msg.channel, msg.request);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, result }));
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
