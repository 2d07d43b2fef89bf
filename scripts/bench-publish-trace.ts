/**
 * A Cluster that records every call made through it (start, end, verb, dry run or not), for
 * `npm run bench:publish`'s decomposition of one publish: how long before the first student
 * write, and how many requests were really in flight while students were written.
 */
import type { KubeObject } from '../common/compile';
import type { Cluster } from '../main/kube/cluster';

export interface TracedCall {
  verb: string;
  /** Milliseconds since the trace began. */
  start: number;
  end: number;
  dryRun: boolean;
  /** An object in a namespace other than labforge-system's (a student's), for apply/create. */
  studentWrite: boolean;
}

export interface Trace {
  cluster: Cluster;
  calls: TracedCall[];
  /** Restarts the clock and forgets earlier calls. */
  reset(): void;
  now(): number;
}

const SYSTEM_NAMESPACE = 'labforge-system';

export function traced(inner: Cluster): Trace {
  let t0 = performance.now();
  const calls: TracedCall[] = [];
  const now = () => performance.now() - t0;
  const cluster = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'watch' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        const start = now();
        const obj = args[0] as Partial<KubeObject> | undefined;
        const dryRun = prop === 'apply' && Boolean((args[1] as { dryRun?: boolean } | undefined)?.dryRun);
        const ns = obj?.metadata?.namespace;
        const studentWrite = (prop === 'apply' || prop === 'create') && !dryRun && (obj?.kind === 'Namespace' ? obj.metadata?.name !== SYSTEM_NAMESPACE : ns !== undefined && ns !== SYSTEM_NAMESPACE);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          calls.push({ verb: String(prop), start, end: now(), dryRun, studentWrite });
        }
      };
    },
  });
  return {
    cluster,
    calls,
    reset: () => {
      t0 = performance.now();
      calls.length = 0;
    },
    now,
  };
}

/** The time-weighted mean and the peak of requests in flight between `from` and `to` (ms). */
export function inFlight(calls: TracedCall[], from: number, to: number): { mean: number; peak: number } {
  const edges: [number, number][] = [];
  for (const c of calls) {
    if (c.end <= from || c.start >= to) continue;
    edges.push([Math.max(c.start, from), 1], [Math.min(c.end, to), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let peak = 0;
  let area = 0;
  let last = from;
  for (const [t, d] of edges) {
    area += level * (t - last);
    last = t;
    level += d;
    peak = Math.max(peak, level);
  }
  return { mean: to > from ? area / (to - from) : 0, peak };
}
