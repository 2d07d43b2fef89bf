/**
 * List + watch of one kind, kept as an in-memory map: the reflector of client-go, small.
 *
 * - It lists once, then watches from the list's resourceVersion, with bookmarks, so the version
 *   it holds stays recent even when nothing it selects changes.
 * - When a watch ends (the server closes watches after a few minutes) or its connection drops,
 *   it watches again from the last version it saw: no re-list, no missed or repeated events.
 * - Only when the server no longer has that version (410 Gone, "too old resource version") does
 *   it list again, and then it replaces the whole map.
 */
import type { Cluster, Kind, WatchEvent, WatchStream } from './cluster';
import { KubeError } from './errors';
import { objectKey } from './kinds';

export interface Meta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** What a reflector holds; enough to resume without listing (while the server still has the version). */
export interface ReflectorState<T> {
  items: T[];
  resourceVersion: string;
}

export interface ReflectorStats {
  /** Full lists, the first one included. */
  lists: number;
  /** Re-lists because the server had forgotten our version (410 Gone). */
  expired: number;
  /** Watch requests opened, the first one included. */
  watches: number;
  /** Lists or watches that failed (dropped connections, errors) and were retried. */
  failures: number;
}

export interface ReflectorOptions<T> {
  kind: Kind<T>;
  namespace?: string;
  labelSelector?: string;
  /** Start from this state and watch from its version, instead of listing first. */
  from?: ReflectorState<T>;
  /** After every change to the map: a list, or an event that added, changed or removed an object. */
  onChange: () => void;
  /** A watch was opened (the first, or again after a failure): the map is being kept current. */
  onWatch?: () => void;
  /** A failure that will be retried (the map is kept meanwhile). */
  onError?: (err: KubeError) => void;
  /** Retry delays: base × 2^failures, capped, with jitter. */
  retry?: { baseMs?: number; maxMs?: number };
}

const asKubeError = (err: unknown) => (err instanceof KubeError ? err : new KubeError('unknown', err instanceof Error ? err.message : String(err)));

export class Reflector<T extends Meta> {
  readonly items = new Map<string, T>();
  readonly stats: ReflectorStats = { lists: 0, expired: 0, watches: 0, failures: 0 };
  private version = '';
  private stopped = false;
  private stream: WatchStream | undefined;
  private wake: (() => void) | undefined;
  private started: Promise<void> | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly opts: ReflectorOptions<T>,
  ) {}

  get resourceVersion(): string {
    return this.version;
  }

  /** Resolves once the map holds a full state (first list or `from`); rejects if that first list fails. */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => void this.run(resolve, reject));
    return this.started;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.stop();
    this.wake?.();
  }

  state(): ReflectorState<T> {
    return { items: [...this.items.values()], resourceVersion: this.version };
  }

  private replace(items: T[], resourceVersion: string): void {
    this.items.clear();
    for (const o of items) this.items.set(objectKey(o), o);
    this.version = resourceVersion;
    this.opts.onChange();
  }

  private onEvent(ev: WatchEvent<T>): void {
    if (this.stopped) return;
    if (ev.type === 'BOOKMARK') {
      this.version = ev.resourceVersion;
      return;
    }
    const key = objectKey(ev.object);
    if (ev.type === 'DELETED') this.items.delete(key);
    else this.items.set(key, ev.object);
    this.version = ev.object.metadata?.resourceVersion ?? this.version;
    this.opts.onChange();
  }

  private async run(ready: () => void, fail: (err: KubeError) => void): Promise<void> {
    const { kind, namespace, labelSelector } = this.opts;
    let needList = true;
    let isReady = false;
    if (this.opts.from) {
      this.replace(this.opts.from.items, this.opts.from.resourceVersion);
      needList = false;
      isReady = true;
      ready();
    }
    let failures = 0;
    while (!this.stopped) {
      const began = Date.now();
      try {
        if (needList) {
          const list = await this.cluster.list(kind, { namespace, labelSelector });
          if (this.stopped) break;
          this.stats.lists++;
          this.replace(list.items, list.resourceVersion);
          needList = false;
          if (!isReady) {
            isReady = true;
            ready();
          }
        }
        this.stream = this.cluster.watch(kind, { namespace, labelSelector, resourceVersion: this.version }, (ev) => this.onEvent(ev));
        this.stats.watches++;
        this.opts.onWatch?.();
        await this.stream.done;
        failures = 0;
        // A watch the server ends at once, over and over, must not become a busy loop.
        if (Date.now() - began < 1000) await this.pause(1000);
      } catch (err) {
        if (this.stopped) break;
        const e = asKubeError(err);
        if (e.kind === 'expired') {
          this.stats.expired++;
          needList = true;
          continue;
        }
        if (!isReady) {
          // Nothing to show yet: let the caller report why (forbidden, unreachable...).
          this.stopped = true;
          fail(e);
          break;
        }
        this.stats.failures++;
        failures++;
        this.opts.onError?.(e);
        const base = this.opts.retry?.baseMs ?? 200;
        const max = this.opts.retry?.maxMs ?? 10_000;
        await this.pause(Math.min(max, base * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
