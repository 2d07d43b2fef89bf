import { describe, expect, it } from 'vitest';
import { humanQuantities } from './human-size';

describe('humanQuantities', () => {
  it('shows memory needed and free in one unit, the largest that fits', () => {
    expect(humanQuantities('memory', [23 * 2 ** 30, 492928 * 2 ** 20])).toEqual(['23 GiB', '481.4 GiB']);
    expect(humanQuantities('memory', [512 * 2 ** 20, 700 * 2 ** 20])).toEqual(['512 MiB', '700 MiB']);
  });

  it('shows CPUs as cores with one decimal, or thousandths below one core', () => {
    expect(humanQuantities('cpu', [13.2, 64])).toEqual(['13.2 CPUs', '64 CPUs']);
    expect(humanQuantities('cpu', [0.25, 0.5])).toEqual(['250 mCPU', '500 mCPU']);
    expect(humanQuantities('cpu', [1, 2])).toEqual(['1 CPU', '2 CPUs']);
  });

  it('counts pods, and never shows a negative free amount', () => {
    expect(humanQuantities('pods', [1, 110])).toEqual(['1 pod', '110 pods']);
    expect(humanQuantities('memory', [2 ** 30, -5])).toEqual(['1 GiB', '0 GiB']);
  });
});
