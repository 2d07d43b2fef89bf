// Which node a pod of the local cluster lands on. The real node runs labs; kwok's simulated nodes
// hold classes of hundreds for benchmarks. kwok nodes carry a NoSchedule taint, so an ordinary
// pod runs on the real node. Two upstream admission plugins pick the other way without any change
// to what Labforge compiles: PodNodeSelector and PodTolerationRestriction add a node selector and
// tolerations to every pod of a namespace — from the namespace's annotations when it has them,
// else from the cluster's default (`cluster up --placement simulated`).
import { stringify } from 'yaml';
import { REAL_NODE } from './config';

export const PLACEMENTS = ['real', 'simulated'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export const SIMULATED_TAINT = { key: 'labforge.dev/simulated', value: 'true', effect: 'NoSchedule' } as const;
/** The label every kwok node has (manifests.ts) and the real node's label. */
export const SIMULATED_SELECTOR = 'type=kwok';
export const REAL_SELECTOR = `${REAL_NODE.label}=real`;

export const NODE_SELECTOR_ANNOTATION = 'scheduler.alpha.kubernetes.io/node-selector';
export const DEFAULT_TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';

const simulatedTolerations = [{ key: SIMULATED_TAINT.key, operator: 'Exists', effect: SIMULATED_TAINT.effect }];

/** Annotations that put every pod of a namespace on the given kind of node, whatever the cluster's default. */
export function placementAnnotations(placement: Placement): Record<string, string> {
  return placement === 'simulated'
    ? { [NODE_SELECTOR_ANNOTATION]: SIMULATED_SELECTOR, [DEFAULT_TOLERATIONS_ANNOTATION]: JSON.stringify(simulatedTolerations) }
    : { [NODE_SELECTOR_ANNOTATION]: REAL_SELECTOR, [DEFAULT_TOLERATIONS_ANNOTATION]: '[]' };
}

/** kube-system's pods choose their nodes themselves (the node's DaemonSet, CoreDNS): no default for them. */
export const SYSTEM_NAMESPACE_ANNOTATIONS = { [NODE_SELECTOR_ANNOTATION]: '', [DEFAULT_TOLERATIONS_ANNOTATION]: '[]' };

export interface AdmissionFiles {
  admission: string;
  nodeSelector: string;
  tolerations: string;
}

/** kube-apiserver's --admission-control-config-file and the two plugin files it names. */
export function admissionConfig(placement: Placement, files: AdmissionFiles): Record<keyof AdmissionFiles, string> {
  return {
    admission: stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        { name: 'PodNodeSelector', path: files.nodeSelector },
        { name: 'PodTolerationRestriction', path: files.tolerations },
      ],
    }),
    nodeSelector: stringify({ podNodeSelectorPluginConfig: { clusterDefaultNodeSelector: placement === 'simulated' ? SIMULATED_SELECTOR : '' } }),
    tolerations: stringify({
      apiVersion: 'podtolerationrestriction.admission.k8s.io/v1alpha1',
      kind: 'Configuration',
      default: placement === 'simulated' ? simulatedTolerations : [],
    }),
  };
}
