import { describe, expect, it } from 'vitest';
import { labelSelector, managedSelector } from '../../common/compile/labels';
import { parseFieldSelector, parseLabelSelector } from './label-selector';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'labforge.dev/class': 'c1' };

  it('matches equality, inequality, sets and existence like the API server', () => {
    const cases: [string, boolean][] = [
      ['', true],
      ['app=web', true],
      ['app==web', true],
      ['app=web,tier=front', true],
      ['app=web,tier=back', false],
      ['app!=db', true],
      ['app!=web', false],
      // An absent label satisfies != and notin, as in Kubernetes.
      ['zone!=eu', true],
      ['app in (db, web)', true],
      ['app notin (db,web)', false],
      ['tier in (back),app=web', false],
      ['labforge.dev/class=c1', true],
      ['tier', true],
      ['!tier', false],
      ['!zone', true],
    ];
    for (const [sel, want] of cases) expect(parseLabelSelector(sel)(labels), sel).toBe(want);
    expect(parseLabelSelector('app=web')(undefined)).toBe(false);
  });

  it('refuses what the API server refuses', () => {
    for (const bad of ['a b=c', 'app in (x', '=web', 'app=we b']) {
      expect(() => parseLabelSelector(bad)({}), bad).toThrow(/unable to parse/);
    }
  });

  it('are built from equality requirements, skipping undefined values', () => {
    expect(labelSelector({ a: '1', b: undefined, c: '3' })).toBe('a=1,c=3');
    expect(managedSelector({ 'labforge.dev/lab': 'web' })).toBe('app.kubernetes.io/managed-by=labforge,labforge.dev/lab=web');
    const sel = managedSelector({ 'labforge.dev/class': 'c1', 'labforge.dev/student': undefined });
    expect(parseLabelSelector(sel)({ 'app.kubernetes.io/managed-by': 'labforge', 'labforge.dev/class': 'c1' })).toBe(true);
    expect(parseLabelSelector(sel)({ 'labforge.dev/class': 'c1' })).toBe(false);
  });
});

describe('field selectors', () => {
  it('compares dotted paths', () => {
    const running = { metadata: { name: 'p' }, status: { phase: 'Running' } };
    const done = { metadata: { name: 'q' }, status: { phase: 'Succeeded' } };
    const active = parseFieldSelector('status.phase!=Succeeded,status.phase!=Failed');
    expect(active(running)).toBe(true);
    expect(active(done)).toBe(false);
    expect(parseFieldSelector('metadata.name=q')(done)).toBe(true);
  });
});
