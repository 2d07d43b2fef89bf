/**
 * The one HTTP path to the API server. Everything Labforge sends to a cluster goes through
 * here: JSON requests, server-side apply and watch streams.
 *
 * - One keep-alive agent per cluster: client-node 1.x builds a new https.Agent for every
 *   request, so every call paid a fresh TLS handshake on both ends; on a small control plane
 *   that handshake, not the apply, was most of the cost of a publish.
 * - Bodies go out as the JSON the caller wrote. client-node's KubernetesObjectApi re-serializes
 *   known kinds through its typed models, which silently drops JSON-named keys such as
 *   `x-kubernetes-preserve-unknown-fields` in CRDs; raw JSON keeps every key.
 *
 * Authentication comes from the kubeconfig's `applyToHTTPSOptions` (ours in kubeconfig-lite.ts,
 * or client-node's), so tokens, client certificates and exec plugins behave as kubectl's do.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeAccessConfig } from './kubeconfig-lite';

export interface HttpResponse {
  status: number;
  body: unknown;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  /** Fails the request when the connection is idle this long (default 60 s). */
  timeoutMs?: number;
}

/** Thrown for non-2xx answers, shaped like client-node's ApiException (code + body). */
export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : `HTTP ${code}`);
  }
}

/** An idle connection: no byte in `timeoutMs`. Carries ETIMEDOUT so it classifies as unreachable. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (ETIMEDOUT)`);
  }
}

/** A long-lived response read line by line (a watch). */
export interface LineStream {
  /** Resolves when the server ends the response or `abort` was called; rejects on a dropped connection or an error status. */
  readonly done: Promise<void>;
  abort(): void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class KubeHttp {
  private readonly agent: http.Agent;
  readonly server: URL;

  constructor(
    private readonly kc: KubeAccessConfig,
    maxSockets = 64,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
  }

  /** The request, with credentials from the kubeconfig's current user. */
  private async open(method: string, path: string, opts: RequestOptions, tls: https.RequestOptions, onResponse: (res: http.IncomingMessage) => void): Promise<http.ClientRequest> {
    // Fills in the CA, client certificate and Authorization header for the current user.
    await this.kc.applyToHTTPSOptions(tls);
    const headers: Record<string, string | number> = { ...(tls.headers as Record<string, string>), Accept: 'application/json' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    const basePath = this.server.pathname.replace(/\/$/, '');
    const mod = this.server.protocol === 'https:' ? https : http;
    const req = mod.request(
      {
        method,
        protocol: this.server.protocol,
        hostname: this.server.hostname,
        port: this.server.port,
        path: `${basePath}${path}`,
        headers,
        agent: this.agent,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        ...(tls.servername ? { servername: tls.servername } : {}),
        ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
      },
      onResponse,
    );
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    req.setTimeout(timeoutMs, () => req.destroy(new RequestTimeoutError(timeoutMs)));
    return req;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const tls: https.RequestOptions = { headers: {} };
    try {
      return await this.once(method, path, opts, tls);
    } catch (err) {
      // Credentials refused (a plugin's token revoked or expired early): one more try with
      // fresh ones, when the kubeconfig can get any.
      if (err instanceof HttpStatusError && err.code === 401 && this.kc.credentialsRejected?.(tls)) return this.once(method, path, opts, { headers: {} });
      throw err;
    }
  }

  private once(method: string, path: string, opts: RequestOptions, tls: https.RequestOptions): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      this.open(method, path, opts, tls, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ status, body: parsed });
          else reject(new HttpStatusError(status, parsed, res.headers as Record<string, string>));
        });
        res.on('error', reject);
      }).then((req) => {
        req.on('error', reject);
        if (opts.body !== undefined) req.write(opts.body);
        req.end();
      }, reject);
    });
  }

  /**
   * GETs `path` and hands each line of the response, parsed as JSON, to `onLine`. For watches:
   * the API server writes one event per line and keeps the response open.
   */
  stream(path: string, onLine: (value: unknown) => void, timeoutMs = DEFAULT_TIMEOUT_MS): LineStream {
    let req: http.ClientRequest | undefined;
    let aborted = false;
    const done = new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => (aborted ? resolve() : reject(err));
      const tls: https.RequestOptions = { headers: {} };
      this.open('GET', path, { timeoutMs }, tls, (res) => {
        const status = res.statusCode ?? 0;
        // Not retried here (the watcher opens again), but the next open gets fresh credentials.
        if (status === 401) this.kc.credentialsRejected?.(tls);
        if (status < 200 || status >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => fail(new HttpStatusError(status, parseBody(Buffer.concat(chunks).toString('utf8')), res.headers as Record<string, string>)));
          res.on('error', fail);
          return;
        }
        res.setEncoding('utf8');
        let buffered = '';
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line && !aborted) {
              try {
                onLine(JSON.parse(line));
              } catch (err) {
                req?.destroy();
                fail(err);
                return;
              }
            }
          }
        });
        let ended = false;
        res.on('end', () => {
          ended = true;
          resolve();
        });
        // A connection cut mid-response closes without 'end'.
        res.on('close', () => {
          if (!ended) fail(Object.assign(new Error('the connection was closed mid-stream (ECONNRESET)'), { code: 'ECONNRESET' }));
        });
        res.on('error', fail);
      }).then((r) => {
        req = r;
        if (aborted) r.destroy();
        r.on('error', fail);
        r.end();
      }, fail);
    });
    return {
      done,
      abort: () => {
        aborted = true;
        req?.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text; // not JSON (a proxy's error page): keep the text
  }
}
