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

/** The error for a kubeconfig that cannot be read at all, naming the flag or setting that named it. */
export function unreadableKubeconfig(opts: { kubeconfig?: string; kubeconfigFrom?: string }, err: unknown, env: NodeJS.ProcessEnv = process.env): KubeError {
  const file = opts.kubeconfig ?? env['KUBECONFIG'] ?? '~/.kube/config';
  const from = opts.kubeconfig ? (opts.kubeconfigFrom ?? 'the kubeconfig') : env['KUBECONFIG'] ? 'the kubeconfig (KUBECONFIG)' : 'the kubeconfig';
  return new KubeError('config', `cannot load ${from} ${file}: ${(err as Error).message}`, { hint: 'choose-context' });
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
