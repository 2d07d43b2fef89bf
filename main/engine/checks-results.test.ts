import { describe, expect, it } from 'vitest';
import { decodeResults, encodeResults, lastChange, mergeRuns, STORED_OUTPUT, type CheckRun } from './checks-results';

const run = (check: string, status: CheckRun['status'], at: string, output = ''): CheckRun => ({ check, status, exitCode: status === 'pass' ? 0 : 1, at, durationMs: 5, output });
const achievements = [{ name: 'both', checks: ['a', 'b'] }];

describe('mergeRuns', () => {
  it('counts attempts, keeps the first pass and when the status last changed', () => {
    let r = mergeRuns(null, [run('a', 'fail', 't1')], achievements, 'n1');
    expect(r.checks['a']).toMatchObject({ status: 'fail', attempts: 1, changedAt: 't1' });
    r = mergeRuns(r, [run('a', 'fail', 't2')], achievements, 'n2');
    expect(r.checks['a']).toMatchObject({ attempts: 2, changedAt: 't1', lastRunAt: 't2' });
    r = mergeRuns(r, [run('a', 'pass', 't3')], achievements, 'n3');
    r = mergeRuns(r, [run('a', 'fail', 't4'), run('a', 'pass', 't5')], achievements, 'n4');
    expect(r.checks['a']).toMatchObject({ status: 'pass', attempts: 5, firstPassAt: 't3', changedAt: 't5' });
    expect(r.updatedAt).toBe('n4');
  });

  it('earns an achievement when all its checks have first passed, at the last of those times, and keeps it', () => {
    let r = mergeRuns(null, [run('a', 'pass', 't1'), run('b', 'fail', 't1')], achievements, 'n');
    expect(r.achievements).toEqual({});
    r = mergeRuns(r, [run('a', 'fail', 't2'), run('b', 'pass', 't3')], achievements, 'n');
    // "a" fails now, but it did pass: the achievement counts first passes.
    expect(r.achievements).toEqual({ both: 't3' });
    r = mergeRuns(r, [run('b', 'fail', 't4')], achievements, 'n');
    expect(r.achievements).toEqual({ both: 't3' });
    expect(lastChange(r)).toBe('t4');
  });

  it('an older run (from a slower machine) adds an attempt and may move the first pass earlier, not the latest result', () => {
    let r = mergeRuns(null, [run('a', 'pass', 't5')], [], 'n');
    r = mergeRuns(r, [run('a', 'pass', 't2'), run('a', 'fail', 't3')], [], 'n');
    expect(r.checks['a']).toMatchObject({ status: 'pass', lastRunAt: 't5', attempts: 3, firstPassAt: 't2' });
  });

  it('stores only the end of long output', () => {
    const r = mergeRuns(null, [run('a', 'fail', 't', `${'x'.repeat(10_000)}END`)], [], 'n');
    expect(r.checks['a']!.output.length).toBe(STORED_OUTPUT);
    expect(r.checks['a']!.output.endsWith('END')).toBe(true);
  });
});

describe('encode/decode', () => {
  it('round-trips through the ConfigMap, and reads a damaged one as empty with the reason', () => {
    const r = mergeRuns(null, [run('a', 'pass', 't')], [], 'n');
    const cm = encodeResults('ns', { class: 'c', student: 's' }, r, '42') as unknown as { metadata: { resourceVersion?: string; labels: Record<string, string> }; data: Record<string, string> };
    expect(cm.metadata.resourceVersion).toBe('42');
    expect(cm.metadata.labels['labforge.dev/lab']).toBeUndefined();
    expect(decodeResults(cm).results).toEqual(r);
    expect(decodeResults({ data: { 'results.json': '{' } }).problem).toMatch(/not valid JSON/);
    expect(decodeResults(undefined).results.checks).toEqual({});
  });

  it('decodes with a schema: a record of another version or shape is read as empty, with the reason', () => {
    expect(decodeResults({ data: { 'results.json': '{"version":2}' } }).problem).toMatch(/version 2 are not readable/);
    const bad = decodeResults({ data: { 'results.json': JSON.stringify({ version: 1, checks: { a: { status: 'passed', attempts: 'many' } } }) } });
    expect(bad.problem).toMatch(/malformed/);
    expect(bad.results).toEqual({ checks: {}, achievements: {}, updatedAt: '' });
    expect(decodeResults({ data: { 'results.json': '{"version":1}' } })).toEqual({ results: { checks: {}, achievements: {}, updatedAt: '' } });
  });
});
