/**
 * Numbers KubeVirt's API enforces that both lab validation (admission.ts) and the local
 * cluster's KubeVirt CRD schema (main/cluster/kubevirt-schema.ts) need: one place, so the two
 * cannot disagree. Kept free of imports: the cluster code loads it without the compiler.
 */

/**
 * KubeVirt's webhook refuses inline cloud-init user data (and network data) longer than this
 * many bytes; larger data must come from a Secret.
 */
export const MAX_CLOUD_INIT_BYTES = 2048;
