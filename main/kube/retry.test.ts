import { describe, expect, it } from 'vitest';
import { KubeError } from './errors';
import { mapLimit, OutageBudget, Semaphore, withRetry } from './retry';

describe('withRetry', () => {
  it('retries 429, 5xx and conflicts, then succeeds', async () => {
    const statuses = [429, 503, 409];
    let calls = 0;
    const retried: number[] = [];
    const v = await withRetry(
      async () => {
        const s = statuses[calls++];
        if (s) throw new KubeError('server', 'x', { status: s });
        return 'done';
      },
      { baseMs: 1, onRetry: (_e, attempt) => retried.push(attempt) },
    );
    expect(v).toBe('done');
    expect(calls).toBe(4);
    expect(retried).toEqual([1, 2, 3]);
  });

  it('does not retry a 422 or 403', async () => {
    for (const status of [422, 403]) {
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls++;
          throw new KubeError('invalid', 'bad', { status });
        }, { baseMs: 1 }),
      ).rejects.toThrow('bad');
      expect(calls).toBe(1);
    }
  });

  it('gives up after the attempt budget', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new KubeError('server', 'down', { status: 500 });
      }, { attempts: 3, baseMs: 1 }),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
  });
});

describe('withRetry and throttling (429)', () => {
  const throttled = (retryAfterMs?: number) => new KubeError('throttled', 'slow down', { status: 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

  it('waits as long as Retry-After asks (plus at most half again), not the backoff', async () => {
    let calls = 0;
    const delays: number[] = [];
    const t = Date.now();
    const v = await withRetry(
      async () => {
        if (calls++ < 2) throw throttled(40);
        return 'ok';
      },
      { baseMs: 1, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect(v).toBe('ok');
    expect(delays).toHaveLength(2);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(40);
      expect(d).toBeLessThanOrEqual(60);
    }
    expect(Date.now() - t).toBeGreaterThanOrEqual(79);
  });

  it('keeps retrying 429 beyond the attempt budget, for as long as throttledForMs', async () => {
    let calls = 0;
    const v = await withRetry(
      async () => {
        if (calls++ < 10) throw throttled(1);
        return 'ok';
      },
      { attempts: 3, baseMs: 1, throttledForMs: 5000 },
    );
    expect(v).toBe('ok');
    expect(calls).toBe(11);
  });

  it('gives up on 429 once throttledForMs has passed since the first, making one last try at the end', async () => {
    let calls = 0;
    const t = Date.now();
    await expect(
      withRetry(async () => {
        calls++;
        throw throttled(30);
      }, { throttledForMs: 100 }),
    ).rejects.toThrow('slow down');
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(400);
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('caps a long Retry-After and stops waiting when aborted', async () => {
    const ac = new AbortController();
    const delays: number[] = [];
    const t = Date.now();
    setTimeout(() => ac.abort(new Error('stopped')), 50);
    await expect(withRetry(async () => Promise.reject(throttled(3_600_000)), { signal: ac.signal, onRetry: (_e, _a, d) => delays.push(d) })).rejects.toThrow('stopped');
    expect(Date.now() - t).toBeLessThan(1000);
    expect(delays[0]).toBeLessThanOrEqual(15_000);
  });

  it('reads Retry-After from the response headers of a 429', async () => {
    const { toKubeError } = await import('./errors');
    const e = toKubeError(Object.assign(new Error('x'), { code: 429, body: {}, headers: { 'retry-after': '2' } }), 'https://k');
    expect(e.kind).toBe('throttled');
    expect(e.retryAfterMs).toBe(2000);
    expect(e.in('applying x').retryAfterMs).toBe(2000);
    expect(toKubeError(Object.assign(new Error('x'), { code: 429, body: {}, headers: {} }), 'https://k').retryAfterMs).toBeUndefined();
  });

  it('takes server-side apply\'s 500 for an undeclared field as a refusal, not retried', async () => {
    const { isRetryable, toKubeError } = await import('./errors');
    const message = 'failed to create typed patch object (ns/vm; kubevirt.io/v1, Kind=VirtualMachine): .spec.x: field not declared in schema';
    const e = toKubeError(Object.assign(new Error('x'), { code: 500, body: { message } }), 'https://k');
    expect(e.kind).toBe('invalid');
    expect(e.message).toContain('.spec.x: field not declared in schema');
    expect(isRetryable(e)).toBe(false);
    expect(isRetryable(toKubeError(Object.assign(new Error('x'), { code: 500, body: { message: 'etcdserver: leader changed' } }), 'https://k'))).toBe(true);
  });
});

describe('withRetry and an outage budget', () => {
  const refused = () => new KubeError('unreachable', 'cannot reach the cluster (ECONNREFUSED)', { network: 'ECONNREFUSED' });

  it('without a budget, a refused connection ends the call at once', async () => {
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(refused()).finally(() => calls++), { baseMs: 1 })).rejects.toThrow('ECONNREFUSED');
    expect(calls).toBe(1);
  });

  it('waits out refused connections while the budget lasts, then succeeds', async () => {
    let calls = 0;
    const v = await withRetry(
      async () => {
        if (calls++ < 2) throw refused();
        return 'back';
      },
      { outage: new OutageBudget(10_000) },
    );
    expect(v).toBe('back');
    expect(calls).toBe(3);
  });

  it('one budget for all calls sharing it: the second call gives up when the first used it up', async () => {
    const outage = new OutageBudget(300);
    const t = Date.now();
    await expect(withRetry(async () => Promise.reject(refused()), { outage })).rejects.toThrow('ECONNREFUSED');
    expect(Date.now() - t).toBeGreaterThanOrEqual(295);
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(refused()).finally(() => calls++), { outage })).rejects.toThrow('ECONNREFUSED');
    expect(calls).toBe(1);
    // An answer ends the outage: the budget is whole again.
    outage.reached();
    expect(outage.refused()).toBeGreaterThan(250);
  });

  it('does not wait out other failures with it', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new KubeError('invalid', 'bad', { status: 422 });
      }, { outage: new OutageBudget(10_000) }),
    ).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});

describe('concurrency helpers', () => {
  it('mapLimit keeps order and never exceeds the limit', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, x));
      active--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('Semaphore bounds tasks started at any time', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const task = () =>
      sem.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
      });
    await Promise.all(Array.from({ length: 20 }, task));
    expect(peak).toBe(3);
  });
});
