// Which node a pod of the local cluster lands on. The real node runs labs; kwok's simulated nodes
// hold classes of hundreds for benchmarks. The cluster's placement taints the other kind
// (NoSchedule), so an ordinary pod — Labforge's compiled pods tolerate nothing — lands on the
// kind the placement names, and the engine's capacity check counts only those nodes. A namespace
// chooses otherwise without any change to what Labforge compiles: the upstream admission plugins
// PodNodeSelector and PodTolerationRestriction give every pod of a namespace the node selector
// and toleration its annotations name.
import { stringify } from 'yaml';
import { REAL_NODE } from './config';

export const PLACEMENTS = ['real', 'simulated'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** On kwok's nodes when the placement is `real`; on the real node when it is `simulated`. */
export const SIMULATED_TAINT = { key: 'labforge.dev/simulated', value: 'true', effect: 'NoSchedule' } as const;
export const REAL_TAINT = { key: 'labforge.dev/real-node', value: 'true', effect: 'NoSchedule' } as const;
/** The label every kwok node has (manifests.ts) and the real node's label. */
export const SIMULATED_SELECTOR = 'type=kwok';
export const REAL_SELECTOR = `${REAL_NODE.label}=real`;

export const NODE_SELECTOR_ANNOTATION = 'scheduler.alpha.kubernetes.io/node-selector';
export const DEFAULT_TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';

const tolerating = (t: { key: string; effect: string }) => [{ key: t.key, operator: 'Exists', effect: t.effect }];

/** Annotations that put every pod of a namespace on the given kind of node, whatever the cluster's placement. */
export function placementAnnotations(placement: Placement): Record<string, string> {
  return placement === 'simulated'
    ? { [NODE_SELECTOR_ANNOTATION]: SIMULATED_SELECTOR, [DEFAULT_TOLERATIONS_ANNOTATION]: JSON.stringify(tolerating(SIMULATED_TAINT)) }
    : { [NODE_SELECTOR_ANNOTATION]: REAL_SELECTOR, [DEFAULT_TOLERATIONS_ANNOTATION]: JSON.stringify(tolerating(REAL_TAINT)) };
}

/** The taints each kind of node carries under a placement (none without a real node: kwok is all there is). */
export function placementTaints(placement: Placement, withRealNode: boolean): { simulated: (typeof SIMULATED_TAINT)[]; real: (typeof REAL_TAINT)[] } {
  if (!withRealNode) return { simulated: [], real: [] };
  return placement === 'real' ? { simulated: [SIMULATED_TAINT], real: [] } : { simulated: [], real: [REAL_TAINT] };
}


/** kube-apiserver's --admission-control-config-file: the two plugins, with no cluster-wide defaults. */
export function admissionConfig(files: { admission: string; nodeSelector: string; tolerations: string }): Record<'admission' | 'nodeSelector' | 'tolerations', string> {
  return {
    admission: stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AdmissionConfiguration',
      plugins: [
        { name: 'PodNodeSelector', path: files.nodeSelector },
        { name: 'PodTolerationRestriction', path: files.tolerations },
      ],
    }),
    nodeSelector: stringify({ podNodeSelectorPluginConfig: { clusterDefaultNodeSelector: '' } }),
    tolerations: stringify({ apiVersion: 'podtolerationrestriction.admission.k8s.io/v1alpha1', kind: 'Configuration', default: [] }),
  };
}
