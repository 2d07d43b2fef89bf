import { describe, expect, it } from 'vitest';
import { holdingBack, notReadyIn, type HoldingRow, type ReadinessRow } from './readiness';

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

describe('holdingBack', () => {
  const cell = (state: string, reason?: string) => ({ state, ...(reason ? { reason } : {}) });
  it('names the node that holds students back, how many and why, most students first', () => {
    const rows = [
      { release: 'v1', phase: 'Active' as const, nodes: { web: cell('ready'), vm: cell('starting', 'Scheduling') } },
      { release: 'v1', phase: 'Active' as const, nodes: { web: cell('failed', 'ImagePullBackOff'), vm: cell('starting', 'Scheduling') } },
      { release: 'v1', phase: 'Active' as const, nodes: { web: cell('ready'), vm: cell('ready') } },
    ];
    expect(holdingBack(rows, ['web', 'vm'])).toEqual(['vm: 2 students, starting (Scheduling)', 'web: 1 student, failed (ImagePullBackOff)']);
  });

  it('says nothing when every student is ready, and counts namespaces being deleted', () => {
    const ready = { release: 'v1', phase: 'Active' as const, nodes: { web: cell('ready') } };
    expect(holdingBack([ready], ['web'])).toEqual([]);
    expect(holdingBack([ready, { ...ready, phase: 'Terminating' as const }], ['web'])).toEqual(['1 student being deleted']);
  });

  it('a node a namespace does not show yet is "not created yet"', () => {
    const rows: HoldingRow[] = [{ release: 'v1', phase: 'Active', nodes: { web: cell('ready') } }, { release: 'v1', phase: 'Active', nodes: {} }];
    expect(holdingBack(rows, ['web'])).toEqual(['web: 1 student, not created yet']);
  });

  it('leaves suspended labs out of what holds the class back', () => {
    const rows = [
      { release: 'v1', phase: 'Active' as const, nodes: { box: { state: 'stopped', reason: 'Suspended' } }, suspended: { at: '2026-12-07T10:00:00Z', by: 'instructor' } },
      { release: 'v1', phase: 'Active' as const, nodes: { box: { state: 'ready' } } },
    ];
    expect(holdingBack(rows, ['box'])).toEqual([]);
    expect(holdingBack([{ ...rows[0]!, suspended: undefined }, rows[1]!], ['box'])).toEqual(['box: 1 student, stopped (Suspended)']);
  });
});
