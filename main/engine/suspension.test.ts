import { describe, expect, it } from 'vitest';
import { ANNOTATION } from '../../common/compile/labels';
import { formatIdleWarning, idleDecision, lastActivityOf, standingWarning, suspensionOf } from './suspension';

const T0 = Date.parse('2026-12-07T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const min = 60_000;
const ns = (annotations: Record<string, string> = {}, created = iso(T0)) => ({ metadata: { creationTimestamp: created, annotations } });
const policy = { afterSeconds: 3600, warnSeconds: 600 };

describe('suspensionOf', () => {
  it('reads since when and by whom, and nothing for a running lab', () => {
    expect(suspensionOf(ns())).toBeUndefined();
    expect(suspensionOf(ns({ [ANNOTATION.suspendedAt]: iso(T0), [ANNOTATION.suspendedBy]: 'idle' }))).toEqual({ at: iso(T0), by: 'idle' });
  });
  it('reads an unknown suspender as the instructor, whom the schedule never overrides', () => {
    expect(suspensionOf(ns({ [ANNOTATION.suspendedAt]: iso(T0), [ANNOTATION.suspendedBy]: 'student-said-so' }))?.by).toBe('instructor');
  });
});

describe('idle clock', () => {
  it('runs from the last activity, not from creation', () => {
    const used = ns({ [ANNOTATION.lastActivity]: iso(T0 + 50 * min) });
    expect(lastActivityOf(used)).toBe(T0 + 50 * min);
    // 70 minutes after creation but 20 after the last use: nothing to do yet.
    expect(idleDecision(used, policy, T0 + 70 * min)).toEqual({ action: 'none', suspendAt: iso(T0 + 110 * min) });
  });
  it('starts at creation for a lab nobody has used, and ignores an activity stamp that is not a date', () => {
    expect(lastActivityOf(ns({ [ANNOTATION.lastActivity]: 'yesterday' }))).toBe(T0);
  });
  it('warns within the warning time, then suspends once the warning stood', () => {
    const fresh = ns();
    expect(idleDecision(fresh, policy, T0 + 49 * min).action).toBe('none');
    const warn = idleDecision(fresh, policy, T0 + 51 * min);
    expect(warn).toEqual({ action: 'warn', warning: { at: iso(T0 + 51 * min), suspendAt: iso(T0 + 61 * min) } });
    if (warn.action !== 'warn') throw new Error('expected a warning');
    const warned = ns({ [ANNOTATION.idleWarning]: formatIdleWarning(warn.warning) });
    expect(idleDecision(warned, policy, T0 + 60 * min)).toEqual({ action: 'none', suspendAt: iso(T0 + 61 * min) });
    expect(idleDecision(warned, policy, T0 + 61 * min)).toEqual({ action: 'suspend', idleSeconds: 61 * 60 });
  });
  it('any use after the warning cancels it and restarts the clock', () => {
    const warned = ns({ [ANNOTATION.idleWarning]: formatIdleWarning({ at: iso(T0 + 51 * min), suspendAt: iso(T0 + 61 * min) }), [ANNOTATION.lastActivity]: iso(T0 + 55 * min) });
    expect(standingWarning(warned)).toBeUndefined();
    expect(idleDecision(warned, policy, T0 + 62 * min)).toEqual({ action: 'none', suspendAt: iso(T0 + 115 * min) });
  });
  it('a controller that was down past the deadline warns first and gives the full warning time', () => {
    expect(idleDecision(ns(), policy, T0 + 300 * min)).toEqual({ action: 'warn', warning: { at: iso(T0 + 300 * min), suspendAt: iso(T0 + 310 * min) } });
  });
  it('without a warning time, suspends at the deadline', () => {
    expect(idleDecision(ns(), { afterSeconds: 3600, warnSeconds: 0 }, T0 + 60 * min)).toEqual({ action: 'suspend', idleSeconds: 3600 });
  });
  it('leaves a suspended lab alone, and a mangled warning counts as none', () => {
    expect(idleDecision(ns({ [ANNOTATION.suspendedAt]: iso(T0), [ANNOTATION.suspendedBy]: 'idle' }), policy, T0 + 999 * min)).toEqual({ action: 'none' });
    expect(idleDecision(ns({ [ANNOTATION.idleWarning]: '{"at":1}' }), policy, T0 + 55 * min).action).toBe('warn');
  });
});
