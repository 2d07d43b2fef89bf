/**
 * The one way the engine reaches a cluster. The kubeconfig comes from --kubeconfig, then
 * KUBECONFIG, then ~/.kube/config; --context picks a context.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  VersionApi,
} from '@kubernetes/client-node';
import { KubeError, toKubeError } from './errors';
import { KubeHttp } from './http';
import { ObjectApi } from './object-api';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
}

export interface KubeClient {
  kc: KubeConfig;
  context: string;
  server: string;
  user: string;
  objects: ObjectApi;
  /** Keep-alive HTTP for the hot path (server-side apply in bulk). */
  http: KubeHttp;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  authz: AuthorizationV1Api;
  /** Wraps an error from this cluster into a KubeError with a next step. */
  error: (err: unknown, what?: string) => KubeError;
}

export function loadKubeConfig(opts: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeError('config', `cannot load the kubeconfig ${opts.kubeconfig ?? process.env['KUBECONFIG'] ?? '~/.kube/config'}: ${(err as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubeError('config', `context "${opts.context}" is not in the kubeconfig; choose one of: ${names.join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeError('config', 'the kubeconfig has no current cluster; pass --kubeconfig or --context, or start one with `labforge cluster up`');
  }
  return kc;
}

export function clientFor(kc: KubeConfig): KubeClient {
  const server = kc.getCurrentCluster()?.server ?? '(unknown server)';
  return {
    kc,
    context: kc.getCurrentContext(),
    server,
    user: kc.getCurrentUser()?.name ?? '',
    objects: ObjectApi.forConfig(kc),
    http: new KubeHttp(kc),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
    error: (err, what) => toKubeError(err, server, what),
  };
}

export function connect(opts: ConnectOptions = {}): KubeClient {
  return clientFor(loadKubeConfig(opts));
}

/** Checks that the server answers and the credentials work, in one cheap call. */
export async function ping(client: KubeClient): Promise<{ version: string }> {
  try {
    const v = await client.kc.makeApiClient(VersionApi).getCode();
    // /version is often public; a namespaced list proves the credentials too.
    await client.core.listNamespace({ limit: 1 });
    return { version: v.gitVersion };
  } catch (err) {
    throw client.error(err);
  }
}
