/**
 * Kubeconfig contexts for the cluster picker and a quick "test connection". Only names,
 * cluster names and server URLs leave this module; credentials stay in main.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { httpStatus } from './errors';
import { KubeHttp, RequestTimeoutError } from './http';

export interface KubeContextInfo {
  name: string;
  cluster: string;
  server: string | null;
  namespace: string | null;
  user: string;
}

export interface KubeContextList {
  current: string | null;
  contexts: KubeContextInfo[];
  /** Where the kubeconfig came from (KUBECONFIG or ~/.kube/config), when known. */
  source: string | null;
  error: string | null;
}

export interface ConnectionResult {
  ok: boolean;
  version: string | null;
  message: string;
}

export interface KubeAccess {
  listContexts(): Promise<KubeContextList>;
  testConnection(context: string, timeoutMs: number): Promise<ConnectionResult>;
}

export interface KubeAccessOptions {
  /** Loads the kubeconfig; defaults to KubeConfig.loadFromDefault() (KUBECONFIG, ~/.kube/config, in-cluster). */
  load?: () => Promise<KubeConfig>;
  env?: NodeJS.ProcessEnv;
}

async function loadDefault(): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

function describeError(err: NodeJS.ErrnoException, server: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}: is the cluster running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host of ${server}: check the server address in your kubeconfig`;
    case 'ECONNRESET':
      return `${server} closed the connection`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS check of ${server} failed (${err.code}): the kubeconfig's certificate-authority does not match the server`;
    default:
      return `cannot reach ${server}: ${err.message}`;
  }
}

export function createKubeAccess(options: KubeAccessOptions = {}): KubeAccess {
  const load = options.load ?? loadDefault;
  const env = options.env ?? process.env;
  return {
    async listContexts() {
      let kc: KubeConfig;
      try {
        kc = await load();
      } catch (err) {
        return { current: null, contexts: [], source: null, error: `cannot read the kubeconfig: ${err instanceof Error ? err.message : String(err)}` };
      }
      const contexts = kc.getContexts().map((c) => ({
        name: c.name,
        cluster: c.cluster,
        server: kc.getCluster(c.cluster)?.server ?? null,
        namespace: c.namespace ?? null,
        user: c.user,
      }));
      const current = kc.getCurrentContext() || null;
      const source = env['KUBECONFIG'] ? env['KUBECONFIG'] : contexts.length ? '~/.kube/config' : null;
      return { current, contexts, source, error: contexts.length ? null : 'no contexts found: set KUBECONFIG or create ~/.kube/config' };
    },

    async testConnection(context, timeoutMs) {
      let kc: KubeConfig;
      try {
        kc = await load();
      } catch (err) {
        return { ok: false, version: null, message: `cannot read the kubeconfig: ${err instanceof Error ? err.message : String(err)}` };
      }
      const ctx = kc.getContexts().find((c) => c.name === context);
      if (!ctx) return { ok: false, version: null, message: `context "${context}" is not in the kubeconfig` };
      kc.setCurrentContext(context);
      const server = kc.getCluster(ctx.cluster)?.server;
      if (!server) return { ok: false, version: null, message: `context "${context}" names cluster "${ctx.cluster}", which has no server` };
      try {
        new URL(server);
      } catch {
        return { ok: false, version: null, message: `the server address "${server}" is not a URL` };
      }
      const http = new KubeHttp(kc, 1);
      try {
        const res = await http.request('GET', '/version', { timeoutMs });
        const v = res.body as { gitVersion?: unknown } | string | undefined;
        if (typeof v !== 'object' || v === null) {
          return { ok: false, version: null, message: `${server} answered /version with something that is not JSON: is it a Kubernetes API server?` };
        }
        const version = typeof v.gitVersion === 'string' ? v.gitVersion : null;
        return { ok: true, version, message: `connected to ${server}${version ? ` (Kubernetes ${version})` : ''}` };
      } catch (err) {
        const status = httpStatus(err);
        if (status === 401 || status === 403) return { ok: false, version: null, message: `${server} rejected the credentials of context "${context}" (HTTP ${status})` };
        if (status !== undefined) return { ok: false, version: null, message: `${server} answered HTTP ${status} to GET /version` };
        if (err instanceof RequestTimeoutError) return { ok: false, version: null, message: `no answer from ${server} within ${timeoutMs} ms` };
        const code = (err as NodeJS.ErrnoException).code;
        if (err instanceof Error && typeof code === 'string') return { ok: false, version: null, message: describeError(Object.assign(err, { code }), server) };
        return { ok: false, version: null, message: `cannot use the credentials of context "${context}": ${err instanceof Error ? err.message : String(err)}` };
      } finally {
        http.close();
      }
    },
  };
}
