import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, isQuantity, parseQuantity } from './quantity';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['2e3', 2000],
    ['.5', 0.5],
  ])('%s = %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'abc', '1 Gi', '1GiB', '10mb', '1..2', 'm'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(isQuantity(text)).toBe(false);
  });

  it('rejects negative quantities as resources', () => {
    expect(isQuantity('-1')).toBe(false);
  });
});

describe('format', () => {
  it('formats cpu canonically', () => {
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(3)).toBe('3');
    expect(formatCpu(1.0001)).toBe('1001m');
  });
  it('formats bytes in binary units', () => {
    expect(formatBytes(2 ** 30)).toBe('1Gi');
    expect(formatBytes(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatBytes(1e9)).toBe('954Mi');
  });
});
