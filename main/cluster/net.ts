// Loopback networking helpers: free ports and health probes over HTTP(S).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** Asks the kernel for `count` distinct free ports on 127.0.0.1. */
async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/**
 * The saved ports of a set of named ports, plus fresh free ones for the names it lacks (all of
 * them for a new state; the new components' for a state written by an older version).
 */
export async function completePorts<K extends string>(keys: readonly K[], saved: Partial<Record<K, number>> | undefined): Promise<Record<K, number>> {
  const missing = keys.filter((k) => typeof saved?.[k] !== 'number');
  const free = await freePorts(missing.length);
  return { ...saved, ...Object.fromEntries(missing.map((k, i) => [k, free[i]])) } as Record<K, number>;
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export interface TlsFiles {
  ca: string;
  cert?: string;
  key?: string;
}

export interface ProbeResult {
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

/** GET a health endpoint; `tls` turns on HTTPS verified against our CA (with a client cert if given). */
export function probe(url: string, tls?: TlsFiles, timeoutMs = 2000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const options: https.RequestOptions = { method: 'GET', timeout: timeoutMs, agent: false };
    if (tls) {
      options.ca = readFileSync(tls.ca);
      if (tls.cert && tls.key) {
        options.cert = readFileSync(tls.cert);
        options.key = readFileSync(tls.key);
      }
    }
    const req = (u.protocol === 'https:' ? https : http).request(u, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    req.end();
  });
}
