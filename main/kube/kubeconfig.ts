/**
 * The one kubeconfig loader: a named file, else KUBECONFIG, else ~/.kube/config (client-node's
 * default order); `context` picks a context other than the current one.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { selectContext, unreadableKubeconfig } from './kubeconfig-context';

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
    throw unreadableKubeconfig(opts.kubeconfig, err);
  }
  return selectContext(kc, opts.context);
}
