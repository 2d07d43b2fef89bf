/**
 * The WebSocket under client-node's `Exec` (main/kube/exec.ts), written here for three things its default handler
 * does not give: the API server's own message when it refuses the upgrade (so "forbidden" says
 * who may not do what, instead of "Unexpected server response: 403", api-socket.ts); the socket itself, so a
 * session can pause reading it (backpressure reaches the remote process through TCP); and
 * close-stream frames that do not touch this process's own stdin/stdout.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import type { ExecSocket } from '../kube/exec';
import { dialApiSocket } from './api-socket';

/** The remote-command subprotocols, newest first (v5 can half-close stdin). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE_STREAM = 255;

export class KubeStreamSocket implements ExecSocket {
  /** The socket of the last `connect`, for pause/resume. */
  socket: WebSocket | null = null;

  constructor(private readonly kc: KubeConfig, private readonly what: string) {}

  async connect(path: string, textHandler: ((text: string) => boolean) | null, binaryHandler: ((stream: number, buff: Buffer) => boolean) | null): Promise<WebSocket> {
    return dialApiSocket(this.kc, path, {
      protocols: PROTOCOLS,
      what: this.what,
      maxPayload: 16 * 1024 * 1024,
      onSocket: (ws) => {
        this.socket = ws;
        ws.on('message', (data, isBinary) => {
          const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
          if (!isBinary) {
            if (textHandler && !textHandler(buf.toString('utf8'))) ws.close();
            return;
          }
          if (buf.length < 1) return;
          const stream = buf[0]!;
          // v5's "this stream is done": nothing to do, the status frame ends the session.
          if (stream === CLOSE_STREAM) return;
          if (binaryHandler && !binaryHandler(stream, buf.subarray(1))) ws.close();
        });
      },
    });
  }
}
