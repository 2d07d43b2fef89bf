import { describe, expect, it } from 'vitest';
import { notReadyIn, type ReadinessRow } from './readiness';

const row = (release: string, nodes: Record<string, string>, phase: ReadinessRow['phase'] = 'Active'): ReadinessRow => ({
  release,
  phase,
  nodes: Object.fromEntries(Object.entries(nodes).map(([n, state]) => [n, { state }])),
});

describe('notReadyIn', () => {
  it('counts a namespace that shows no node yet, or only some of its release’s nodes, as not ready', () => {
    const rows = [row('v1', { a: 'ready', b: 'ready' }), row('v1', {}), row('v1', { a: 'ready' })];
    const notReady = notReadyIn(rows);
    expect(rows.map(notReady)).toEqual([false, true, true]);
  });

  it('a class where no namespace shows a node yet is not ready', () => {
    const rows = [row('v1', {}), row('v1', {})];
    expect(rows.map(notReadyIn(rows))).toEqual([true, true]);
  });

  it('compares within a release: students on a smaller lab are ready with their own nodes', () => {
    const rows = [row('v1', { a: 'ready' }), row('v2', { a: 'ready', b: 'ready' }), row('v2', { a: 'ready', b: 'pending' })];
    expect(rows.map(notReadyIn(rows))).toEqual([false, false, true]);
  });

  it('a terminating namespace is not ready', () => {
    const rows = [row('v1', { a: 'ready' }, 'Terminating'), row('v1', { a: 'ready' })];
    expect(rows.map(notReadyIn(rows))).toEqual([true, false]);
  });
});
