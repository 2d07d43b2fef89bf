import { httpStatus, isRetryable, KubeError } from './errors';

export interface RetryOptions {
  /** Tries in all for failures other than 429 (5xx, conflicts, dropped connections). */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /**
   * How long a run of 429s may last, from the first, before giving up. A 429 is the server
   * saying "not now", not "no": a kube-apiserver that has just restarted answers 429 to most
   * requests until its priority-and-fairness configuration is loaded, which takes tens of
   * seconds on a small machine. Default 90 s.
   */
  throttledForMs?: number;
  /** Ends a wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Refused or dropped connections are waited out while this budget lasts (a restarting API
   * server refuses connections for a few seconds). Without it they count as other failures
   * (a dropped connection) or end the call at once (a refused one).
   */
  outage?: OutageBudget;
  /** Called before each wait, e.g. to count retries for the final report. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** The longest single wait a server's Retry-After can ask for; longer requests are capped. */
const MAX_RETRY_AFTER_MS = 10_000;

/**
 * Retries retryable failures (429, 5xx, conflicts, dropped connections) with full-jitter
 * backoff. A Retry-After from the server sets the wait (with up to half again of jitter, so a
 * burst of throttled requests does not come back in one instant). 429s have their own budget
 * in time (`throttledForMs`); everything else has `attempts`.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseMs ?? 100;
  const cap = opts.maxMs ?? 5000;
  const throttledFor = opts.throttledForMs ?? 90_000;
  let failures = 0;
  let throttledSince: number | undefined;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const value = await fn();
      opts.outage?.reached();
      return value;
    } catch (err) {
      if (opts.outage && lostConnection(err)) {
        const left = opts.outage.refused();
        if (left <= 0) throw err;
        const delay = Math.min(left, 250 + Math.random() * 750);
        opts.onRetry?.(err, attempt, delay);
        await sleep(delay, opts.signal);
        continue;
      }
      if (!isRetryable(err)) throw err;
      const throttled = httpStatus(err) === 429;
      const now = Date.now();
      if (throttled) {
        throttledSince ??= now;
        if (now - throttledSince >= throttledFor) throw err;
      } else if (++failures >= attempts) throw err;
      const backoff = Math.random() * Math.min(cap, base * 2 ** (throttled ? Math.min(attempt, 6) : failures));
      const asked = err instanceof KubeError ? err.retryAfterMs : undefined;
      let delay = asked !== undefined && asked > 0 ? Math.min(asked, MAX_RETRY_AFTER_MS) * (1 + Math.random() / 2) : backoff;
      // The last wait of a throttled run ends with the budget, so one more try is always made.
      if (throttledSince !== undefined) delay = Math.max(0, Math.min(delay, throttledSince + throttledFor - now));
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}

/** A connection refused, reset or cut: the server is not there at this moment. */
function lostConnection(err: unknown): boolean {
  return err instanceof KubeError && err.kind === 'unreachable' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(err.network ?? '');
}

/**
 * How long a server may be away, shared by every request of one operation (a publish): the
 * clock starts at the first lost connection and stops at the next answer, so a server that
 * is gone for good costs one budget in all, not one per request.
 */
export class OutageBudget {
  private since: number | undefined;
  constructor(readonly forMs: number) {}

  /** Records a lost connection; the milliseconds the budget has left (0 or less: give up). */
  refused(now = Date.now()): number {
    this.since ??= now;
    return this.since + this.forMs - now;
  }

  /** The server answered: the outage, if any, is over. */
  reached(): void {
    this.since = undefined;
  }
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const done = () => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A counting semaphore: bounds concurrent requests across many independent tasks. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so no newcomer can slip in between.
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
