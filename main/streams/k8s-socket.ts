/**
 * The WebSocket under client-node's `Exec`, written here for three things its default handler
 * does not give: the API server's own message when it refuses the upgrade (so "forbidden" says
 * who may not do what, instead of "Unexpected server response: 403"); the socket itself, so a
 * session can pause reading it (backpressure reaches the remote process through TCP); and
 * close-stream frames that do not touch this process's own stdin/stdout.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { Exec, KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { fromHttpStatus, statusMessage, TerminalError, toTerminalError } from './errors';

/** The remote-command subprotocols, newest first (v5 can half-close stdin). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE_STREAM = 255;
const MAX_ERROR_BODY = 64 * 1024;

/** client-node does not export this interface by name; it is what `Exec`'s constructor takes. */
type WebSocketInterface = NonNullable<ConstructorParameters<typeof Exec>[1]>;

export class KubeStreamSocket implements WebSocketInterface {
  /** The socket of the last `connect`, for pause/resume. */
  socket: WebSocket | null = null;

  constructor(private readonly kc: KubeConfig, private readonly what: string) {}

  async connect(path: string, textHandler: ((text: string) => boolean) | null, binaryHandler: ((stream: number, buff: Buffer) => boolean) | null): Promise<WebSocket> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new TerminalError('invalid_request', 'the kubeconfig has no current cluster');
    const url = `${server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
    const opts: RequestOptions = {};
    // Client certificates, bearer tokens and the CA, as for every other API call.
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise<WebSocket>((resolve, reject) => {
      let settled = false;
      const fail = (err: TerminalError) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const ws = new WebSocket(url, PROTOCOLS, { ...opts, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
      this.socket = ws;
      ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        const done = () => {
          fail(fromHttpStatus(res.statusCode ?? 0, statusMessage(Buffer.concat(chunks).toString('utf8')), this.what));
          req.destroy();
        };
        res.once('end', done);
        res.once('error', done);
      });
      ws.once('open', () => {
        settled = true;
        resolve(ws);
      });
      ws.on('error', (err) => fail(toTerminalError(err, this.what)));
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
    });
  }
}
