import { describe, expect, it } from 'vitest';
import { gridColumns } from './grid-columns';

describe('gridColumns', () => {
  it('repeats one column per item between the fixed ones', () => {
    expect(gridColumns(['200px', { count: 3, size: 'minmax(64px, 1fr)' }, '150px'])).toBe('200px repeat(3, minmax(64px, 1fr)) 150px');
  });

  it('leaves out a run of zero items, which the browser would reject with the whole template', () => {
    const value = gridColumns(['160px', '70px', { count: 0, size: 'minmax(28px, 1fr)' }, '60px']);
    expect(value).toBe('160px 70px 60px');
    expect(value).not.toContain('repeat(0');
  });
});
