/**
 * The checks every kubeconfig reader makes after reading (client-node's for the streams, ours
 * for the HTTP path), so both say the same thing with the same hint: the context asked for
 * exists and is made current, and there is a current cluster.
 */
import { KubeError } from './errors';

interface Contexts {
  getContextObject(name: string): unknown;
  getContexts(): readonly { readonly name: string }[];
  setCurrentContext(name: string): void;
  getCurrentCluster(): unknown;
}

/** The error for a kubeconfig that cannot be read at all. */
export function unreadableKubeconfig(file: string | undefined, err: unknown, env: NodeJS.ProcessEnv = process.env): KubeError {
  return new KubeError('config', `cannot load the kubeconfig ${file ?? env['KUBECONFIG'] ?? '~/.kube/config'}: ${(err as Error).message}`, { hint: 'choose-context' });
}

export function selectContext<K extends Contexts>(kc: K, context: string | undefined): K {
  if (context) {
    if (!kc.getContextObject(context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubeError('config', `context "${context}" is not in the kubeconfig; choose one of: ${names.join(', ') || '(none)'}`, { hint: 'choose-context' });
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeError('config', 'the kubeconfig has no current cluster; choose a kubeconfig or context that has one, or start a local cluster', { hint: 'start-local-cluster' });
  }
  return kc;
}
