/**
 * A lean HTTP path to the API server for the hot loop of publish (server-side apply of
 * thousands of objects). client-node 1.x builds a new https.Agent for every request, so every
 * call pays a fresh TLS handshake on both ends; on a small control plane that handshake, not
 * the apply, is most of the cost. Here one keep-alive agent serves all requests of a client,
 * and responses are parsed only as far as the caller needs.
 *
 * Authentication still comes from client-node (`applyToHTTPSOptions`), so tokens, client
 * certificates and exec plugins behave exactly as in the rest of the engine.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface HttpResponse {
  status: number;
  body: unknown;
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

export class KubeHttp {
  private readonly agent: http.Agent;
  private readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    maxSockets = 64,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.agent = this.server.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets }) : new http.Agent({ keepAlive: true, maxSockets });
  }

  async request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpResponse> {
    const opts: https.RequestOptions = { headers: {} };
    // Fills in the CA, client certificate and Authorization header for the current user.
    await this.kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string | number> = { ...(opts.headers as Record<string, string>), Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const basePath = this.server.pathname.replace(/\/$/, '');
    const mod = this.server.protocol === 'https:' ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = mod.request(
        {
          method,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          path: `${basePath}${path}`,
          headers,
          agent: this.agent,
          ca: opts.ca,
          cert: opts.cert,
          key: opts.key,
          ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON (a proxy's error page): keep the text
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve({ status, body: parsed });
            else reject(new HttpStatusError(status, parsed, res.headers as Record<string, string>));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
