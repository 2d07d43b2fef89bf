/**
 * Failed-login limits: a sliding window of failures per key (a source address, a user name).
 * Past the limit every attempt from that key is refused at once, a valid key included, until
 * old failures leave the window: guessing is slow, and a flood costs one map lookup each.
 * Memory is bounded: the oldest keys are dropped past `maxKeys`.
 */
export interface WindowLimit {
  /** Failures allowed within the window. */
  failures: number;
  windowMs: number;
}

export class FailureLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: WindowLimit,
    private readonly maxKeys = 10_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    const from = now - this.limit.windowMs;
    let i = 0;
    while (i < list.length && list[i]! <= from) i++;
    if (i > 0) list.splice(0, i);
    if (list.length === 0) this.hits.delete(key);
    return list;
  }

  /** Whether `key` is over its limit now. */
  blocked(key: string, now = Date.now()): boolean {
    return this.recent(key, now).length >= this.limit.failures;
  }

  /** Milliseconds until `key` may try again (0 when it may now). */
  retryAfterMs(key: string, now = Date.now()): number {
    const list = this.recent(key, now);
    if (list.length < this.limit.failures) return 0;
    return list[list.length - this.limit.failures]! + this.limit.windowMs - now;
  }

  fail(key: string, now = Date.now()): void {
    const list = this.recent(key, now);
    if (list.length === 0) {
      if (this.hits.size >= this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
      this.hits.set(key, list);
    }
    // Past the limit only the newest failures matter; the list never grows beyond it.
    list.push(now);
    if (list.length > this.limit.failures) list.shift();
  }

  get keys(): number {
    return this.hits.size;
  }
}
