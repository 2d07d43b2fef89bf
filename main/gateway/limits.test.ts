import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './limits';

describe('FailureLimiter', () => {
  it('blocks a key after N failures within the window and lets it go after', () => {
    const l = new FailureLimiter({ failures: 3, windowMs: 1000 });
    l.fail('a', 0);
    l.fail('a', 100);
    expect(l.blocked('a', 200)).toBe(false);
    l.fail('a', 200);
    expect(l.blocked('a', 300)).toBe(true);
    expect(l.blocked('b', 300)).toBe(false);
    expect(l.retryAfterMs('a', 300)).toBe(700);
    expect(l.blocked('a', 1001)).toBe(false);
  });

  it('stays bounded in keys and per key', () => {
    const l = new FailureLimiter({ failures: 2, windowMs: 60_000 }, 100);
    for (let i = 0; i < 1000; i++) l.fail(`k${i}`, i);
    expect(l.keys).toBe(100);
    for (let i = 0; i < 1000; i++) l.fail('x', 2000 + i);
    expect(l.blocked('x', 3000)).toBe(true);
    expect(l.retryAfterMs('x', 3000)).toBe(2998 + 60_000 - 3000);
  });
});
