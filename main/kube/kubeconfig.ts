/**
 * The one kubeconfig loader: a named file, else KUBECONFIG, else ~/.kube/config (client-node's
 * default order); `context` picks a context other than the current one.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors';

export interface ConnectOptions {
  /** A kubeconfig file; default: KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(opts: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeError('config', `cannot load the kubeconfig ${opts.kubeconfig ?? process.env['KUBECONFIG'] ?? '~/.kube/config'}: ${(err as Error).message}`, { hint: 'choose-context' });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubeError('config', `context "${opts.context}" is not in the kubeconfig; choose one of: ${names.join(', ') || '(none)'}`, { hint: 'choose-context' });
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeError('config', 'the kubeconfig has no current cluster; choose a kubeconfig or context that has one, or start a local cluster', { hint: 'start-local-cluster' });
  }
  return kc;
}
