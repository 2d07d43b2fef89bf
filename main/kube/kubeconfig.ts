/**
 * The kubeconfig as client-node's KubeConfig, for what needs client-node itself: exec into
 * containers (exec.ts: terminals, checks, the SSH gateway) and the WebSockets under it. Every
 * other request goes the HTTP path (http-cluster.ts), which reads the same files with
 * kubeconfig-lite.ts and never loads client-node. Both look in the same order: a named file,
 * else KUBECONFIG, else ~/.kube/config; `context` picks a context other than the current one.
 *
 * The files are read and merged by kubeconfig-lite's reader, through the one bounded reader
 * (input-file.ts), and handed to client-node as text: client-node's own loadFromFile reads
 * whatever the path is, so /dev/zero grew without end and a FIFO hung.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { selectContext, unreadableKubeconfig } from './kubeconfig-context';
import { kubeconfigFiles, readLiteKubeConfig } from './kubeconfig-lite';

export interface ConnectOptions {
  /** A kubeconfig file; default: KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
  /** What named `kubeconfig` to the user, for messages: `--kubeconfig`, `zone "eu-1" kubeconfig`. */
  kubeconfigFrom?: string;
}

export function loadKubeConfig(opts: ConnectOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    // No file at all: client-node's own fallbacks (in-cluster service account, localhost:8080).
    if (kubeconfigFiles(opts).length === 0) kc.loadFromDefault();
    else kc.loadFromString(readLiteKubeConfig(opts).toYaml());
  } catch (err) {
    throw unreadableKubeconfig(opts, err);
  }
  return selectContext(kc, opts.context);
}
