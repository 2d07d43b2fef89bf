// The local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok and the agent on loopback) and its real node (node/). Node only, no Electron.
import { existsSync } from 'node:fs';
import { layout, resolveStateDir } from './paths';

export { clusterUp, type ClusterUpOptions, type ClusterUpResult } from './up';
export { clusterDown, type ClusterDownResult } from './down';
export { clusterStatus, type ClusterStatusResult, type ComponentStatus } from './status';
export { COMPONENTS, type ComponentName } from './components';
export {
  DEFAULT_NODES, DEFAULT_VNC_TARGET, VNC_PORT, formatForward, isCpuQuantity, isMemoryQuantity, parseForward, parseTarget,
  type ForwardRule, type NodeShape,
} from './manifests';
export { namedStateDir, resolveStateDir } from './paths';

/** Path of the admin kubeconfig (a static token for user labforge-admin, group system:masters); `exists` is false before `up`. */
export function kubeconfigPath(opts: { stateDir?: string } = {}): { path: string; exists: boolean } {
  const path = layout(resolveStateDir(opts.stateDir)).kubeconfig;
  return { path, exists: existsSync(path) };
}
