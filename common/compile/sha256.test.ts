import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  it('agrees with node:crypto across padding boundaries and non-ASCII text', () => {
    const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(1000), 'Ann.Lee@uni.edu', 'étudiant\u0000x', '😀 lab'];
    for (const s of inputs) expect(sha256Hex(s), JSON.stringify(s).slice(0, 20)).toBe(createHash('sha256').update(s).digest('hex'));
  });
});
