/**
 * Live cluster state for the UI: one list+watch per set of namespaces (a dev namespace; a
 * class), shared by every view and every window that looks at it. The first subscriber starts
 * the watch, the last one to leave stops it. The watch itself (resume from resourceVersion,
 * re-list on 410 Gone, coalescing) is main/kube's NamespaceSetWatch.
 */
import type { Cluster } from '../kube/cluster';
import type { KubeError } from '../kube/errors';
import { NamespaceSetWatch, type NamespaceSet, type NamespaceSetView } from '../kube/namespace-watch';

interface Shared {
  watch: NamespaceSetWatch;
  listeners: Set<(view: NamespaceSetView) => void>;
  errorListeners: Set<(err: KubeError) => void>;
  started: Promise<void>;
}

export interface LiveViews {
  /**
   * Calls `onView` with the current view once the watch has listed, then after every burst of
   * changes, until `signal` aborts. Resolves when the signal aborts; rejects if the first list fails.
   */
  follow(cluster: Cluster, set: NamespaceSet, onView: (view: NamespaceSetView) => void, signal: AbortSignal, onError?: (err: KubeError) => void): Promise<void>;
  /** How many watches are running (for tests and diagnostics). */
  readonly active: number;
  stopAll(): void;
}

export function createLiveViews(opts: { coalesceMs?: number } = {}): LiveViews {
  const shared = new Map<string, Shared>();
  // Clusters are per context and live as long as the host, so identity is a fine key.
  const ids = new WeakMap<Cluster, number>();
  let nextId = 1;
  const keyOf = (cluster: Cluster, set: NamespaceSet) => {
    let id = ids.get(cluster);
    if (id === undefined) ids.set(cluster, (id = nextId++));
    return `${id}|${JSON.stringify(set)}`;
  };

  return {
    async follow(cluster, set, onView, signal, onError) {
      if (signal.aborted) return;
      const key = keyOf(cluster, set);
      let s = shared.get(key);
      if (!s) {
        const errorListeners = new Set<(err: KubeError) => void>();
        const watch = new NamespaceSetWatch(cluster, set, { ...(opts.coalesceMs !== undefined ? { coalesceMs: opts.coalesceMs } : {}), onError: (err) => errorListeners.forEach((l) => l(err)) });
        s = { watch, listeners: new Set(), errorListeners, started: watch.start() };
        shared.set(key, s);
      }
      const mine = s;
      mine.listeners.add(onView);
      if (onError) mine.errorListeners.add(onError);
      const leave = () => {
        mine.listeners.delete(onView);
        if (onError) mine.errorListeners.delete(onError);
        if (mine.listeners.size === 0 && shared.get(key) === mine) {
          shared.delete(key);
          mine.watch.stop();
        }
      };
      try {
        await mine.started;
      } catch (err) {
        leave();
        throw err;
      }
      const unsubscribe = mine.watch.subscribe(onView);
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      unsubscribe();
      leave();
    },
    get active() {
      return shared.size;
    },
    stopAll() {
      for (const s of shared.values()) s.watch.stop();
      shared.clear();
    },
  };
}
