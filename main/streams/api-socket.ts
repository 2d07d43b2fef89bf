/**
 * Dials a WebSocket through the API server (exec, port-forward, KubeVirt's VNC subresource),
 * with the kubeconfig's credentials, and turns a refused upgrade into a TerminalError carrying
 * the server's own Status message: `ws` only says "Unexpected server response: 403", which
 * tells a teacher nothing about who may not do what.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { fromHttpStatus, statusMessage, TerminalError, toTerminalError } from './errors';

/** A refusal's body is read for its message only; a proxy's huge error page is not kept whole. */
const MAX_ERROR_BODY = 64 * 1024;

export interface DialOptions {
  protocols: string[];
  /** What is being opened, for error messages ("exec in pod ns/name"). */
  what: string;
  maxPayload: number;
  /**
   * The socket as soon as it exists, before the upgrade answers: exec attaches its listeners
   * here and keeps the socket so a timeout can terminate a dial that hangs.
   */
  onSocket?: (ws: WebSocket) => void;
  /**
   * A refusal the caller knows better than fromHttpStatus does (KubeVirt's "one VNC session"
   * 503); undefined falls back to fromHttpStatus.
   */
  refusal?: (status: number, said: string | undefined, what: string) => TerminalError | undefined;
}

/** Resolves once the upgrade succeeds; rejects with a TerminalError otherwise. */
export async function dialApiSocket(kc: KubeConfig, path: string, options: DialOptions): Promise<WebSocket> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new TerminalError('invalid_request', 'the kubeconfig has no current cluster');
  const url = `${server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
  const opts: RequestOptions = {};
  // Client certificates, bearer tokens and the CA, as for every other API call.
  await kc.applyToHTTPSOptions(opts);
  const { what } = options;
  return new Promise<WebSocket>((resolve, reject) => {
    let settled = false;
    const fail = (err: TerminalError) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const ws = new WebSocket(url, options.protocols, { ...opts, perMessageDeflate: false, maxPayload: options.maxPayload });
    options.onSocket?.(ws);
    ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(c);
        size += c.length;
      });
      const done = () => {
        const status = res.statusCode ?? 0;
        const said = statusMessage(Buffer.concat(chunks).toString('utf8'));
        fail(options.refusal?.(status, said, what) ?? fromHttpStatus(status, said, what));
        req.destroy();
      };
      res.once('end', done);
      res.once('error', done);
    });
    ws.once('open', () => {
      settled = true;
      resolve(ws);
    });
    // Stays after the upgrade too (fail() is then a no-op), so a later error is never unhandled.
    ws.on('error', (err) => fail(toTerminalError(err, what)));
  });
}
