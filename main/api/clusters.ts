/**
 * Clusters for the API's handlers, one per kubeconfig context, kept for the life of the host so
 * every call and every live view of a context shares one keep-alive connection pool.
 */
import type { ZoneConnector } from '../engine/zones';
import type { Cluster } from '../kube/cluster';
import { connect } from '../kube/http-cluster';
import type { SettingsStore } from './settings';

export interface ClusterProvider {
  /** `null`: the context picked in settings, else the kubeconfig's current one. */
  get(context: string | null): Promise<Cluster>;
  /** A zone's cluster (its kubeconfig file and context), kept like the others. */
  forZone(zone: { kubeconfig?: string; context?: string }): Cluster;
  close(): void;
}

export function createClusterProvider(settings: SettingsStore, open: (context: string | undefined) => Cluster = (context) => connect(context ? { context } : {})): ClusterProvider {
  const byContext = new Map<string, Cluster>();
  return {
    async get(requested) {
      const context = requested ?? (await settings.get()).kubeContext ?? undefined;
      const key = context ?? '';
      let cluster = byContext.get(key);
      if (!cluster) {
        cluster = open(context);
        byContext.set(key, cluster);
      }
      return cluster;
    },
    forZone(zone) {
      const key = `zone\u0000${zone.kubeconfig ?? ''}\u0000${zone.context ?? ''}`;
      let cluster = byContext.get(key);
      if (!cluster) {
        cluster = connect({ ...(zone.kubeconfig ? { kubeconfig: zone.kubeconfig } : {}), ...(zone.context ? { context: zone.context } : {}) });
        byContext.set(key, cluster);
      }
      return cluster;
    },
    close() {
      for (const c of byContext.values()) c.close();
      byContext.clear();
    },
  };
}

/**
 * Zone clusters for the engine's zoned calls, from the provider: shared and closed with it, so
 * the close the engine calls after each zone is a no-op.
 */
export function sharedZoneConnector(clusters: ClusterProvider): ZoneConnector {
  return (zone) => {
    const cluster = clusters.forZone(zone);
    return Object.assign(Object.create(cluster) as typeof cluster, { close: () => undefined });
  };
}
