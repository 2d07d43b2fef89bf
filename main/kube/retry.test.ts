import { describe, expect, it } from 'vitest';
import { KubeError } from './errors';
import { mapLimit, Semaphore, withRetry } from './retry';

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
