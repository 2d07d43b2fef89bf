// Small client-node helpers for `up`: server-side apply and polling.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER, type KubeObject } from './manifests';
import { sleep } from './process';

export function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** REST paths of the kinds the cluster code writes (plural, and whether namespaced). */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': { plural: 'customresourcedefinitions', namespaced: false },
  'networking.k8s.io/v1/IngressClass': { plural: 'ingressclasses', namespaced: false },
  'storage.k8s.io/v1/StorageClass': { plural: 'storageclasses', namespaced: false },
  'kwok.x-k8s.io/v1alpha1/ClusterPortForward': { plural: 'clusterportforwards', namespaced: false },
  'kwok.x-k8s.io/v1alpha1/Exec': { plural: 'execs', namespaced: true },
};

export function objectPath(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const r = RESOURCES[`${obj.apiVersion}/${obj.kind}`];
  if (!r) throw new Error(`no REST mapping for ${obj.apiVersion} ${obj.kind}`);
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? 'default')}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(obj.metadata.name)}`;
}

export class ApiError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/**
 * One raw request to the apiserver with the kubeconfig's credentials. We send JSON exactly as
 * written: client-node's KubernetesObjectApi re-serializes known kinds through its typed models,
 * which silently drops JSON-named keys such as `x-kubernetes-preserve-unknown-fields` in CRDs.
 */
export async function request(kc: KubeConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const opts: https.RequestOptions = { method, headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'content-type': contentType, 'content-length': Buffer.byteLength(payload) };
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server), opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // keep the text
        }
        if (code >= 200 && code < 300) return resolve(parsed);
        const msg = (parsed as { message?: string } | undefined)?.message ?? text;
        reject(new ApiError(`${method} ${path}: HTTP ${code}: ${msg}`, code));
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Server-side apply (forced, field manager `labforge-cluster`): creates or updates. */
export async function apply(kc: KubeConfig, obj: KubeObject): Promise<unknown> {
  const q = `?fieldManager=${FIELD_MANAGER}&force=true`;
  return request(kc, 'PATCH', objectPath(obj) + q, obj, 'application/apply-patch+yaml');
}

/** Deletes an object; a missing one is fine. */
export async function remove(kc: KubeConfig, obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
  try {
    await request(kc, 'DELETE', objectPath(obj));
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/** HTTP status of a client-node error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } } | null;
  for (const v of [e?.code, e?.statusCode, e?.response?.statusCode]) if (typeof v === 'number') return v;
  return undefined;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}
