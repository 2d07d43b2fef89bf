import { describe, expect, it } from 'vitest';
import { expiryState, formatRemaining, parseEndDate, parseSpan, tokenSeconds } from './expiry-time';

const NOW = Date.parse('2027-01-10T12:00:00Z');

describe('end dates', () => {
  it('takes durations from now and dates (a bare date keeps its whole day)', () => {
    expect(parseSpan('30d')).toBe(30 * 86_400);
    expect(parseSpan('2w')).toBe(14 * 86_400);
    expect(parseSpan('30')).toBeUndefined();
    expect(parseEndDate('90m', NOW)).toBe('2027-01-10T13:30:00.000Z');
    expect(parseEndDate('2027-01-31', NOW)).toBe('2027-01-31T23:59:59.000Z');
    expect(parseEndDate('2027-01-31T18:00:00Z', NOW)).toBe('2027-01-31T18:00:00.000Z');
  });

  it('refuses what is not a date, and dates already past', () => {
    expect(() => parseEndDate('next friday', NOW)).toThrow(/neither a date .* nor a duration/);
    expect(() => parseEndDate('2027-13-45', NOW)).toThrow(/neither a date/);
    expect(() => parseEndDate('2027-01-01', NOW)).toThrow(/already past/);
  });

  it('warns within the warning period and says when it ended', () => {
    expect(expiryState(undefined, 3600, NOW)).toEqual({ state: 'none' });
    expect(expiryState('2027-01-20T12:00:00Z', 3 * 86_400, NOW)).toMatchObject({ state: 'active', remainingSeconds: 10 * 86_400 });
    expect(expiryState('2027-01-12T12:00:00Z', 3 * 86_400, NOW)).toMatchObject({ state: 'warning', remainingSeconds: 2 * 86_400 });
    expect(expiryState('2027-01-10T11:59:00Z', 3 * 86_400, NOW)).toEqual({ state: 'expired', expiresAt: '2027-01-10T11:59:00Z' });
    expect(formatRemaining(2 * 86_400 + 3 * 3600)).toBe('2d 3h');
    expect(formatRemaining(125 * 60)).toBe('2h 5m');
  });

  it('cuts credentials at the end date and refuses them when too little is left', () => {
    expect(tokenSeconds(86_400, undefined, NOW)).toBe(86_400);
    expect(tokenSeconds(86_400, '2027-01-10T14:00:00Z', NOW)).toBe(7200);
    expect(tokenSeconds(3600, '2027-01-20T00:00:00Z', NOW)).toBe(3600);
    expect(() => tokenSeconds(3600, '2027-01-10T12:05:00Z', NOW)).toThrow(/too soon/);
  });
});
