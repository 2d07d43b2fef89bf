import { describe, expect, it } from 'vitest';
import { ago, duration, idleText, scheduleText, studentTitle, suspendedLabel } from './class-time';
import type { ClassRow } from './store';

const NOW = Date.parse('2026-12-07T10:30:00Z');
const base = { timezone: 'Europe/Paris', warmSeconds: 900, text: 'Mon 11:00-13:00' };

describe('class time in words', () => {
  it('says policy lengths as short as they stay exact', () => {
    expect(duration(7200)).toBe('2 h');
    expect(duration(5400)).toBe('1 h 30 min');
    expect(duration(600)).toBe('10 min');
    expect(duration(30)).toBe('30 s');
  });

  it('says how long ago a lab was used', () => {
    expect(ago('2026-12-07T10:29:40Z', NOW)).toBe('just now');
    expect(ago('2026-12-07T10:18:00Z', NOW)).toBe('12 min ago');
    expect(ago('2026-12-07T07:00:00Z', NOW)).toBe('3 h ago');
    expect(ago('2026-12-05T10:00:00Z', NOW)).toBe('2 days ago');
    // A clock ahead of ours is not "in the future" on a row.
    expect(ago('2026-12-07T10:31:00Z', NOW)).toBe('just now');
  });

  it('words the idle policy, or its absence', () => {
    expect(idleText({ afterSeconds: 7200, warnSeconds: 600 })).toBe('idle labs suspend after 2 h, warned 10 min before');
    expect(idleText({ afterSeconds: 3600, warnSeconds: 0 })).toBe('idle labs suspend after 1 h');
    expect(idleText(null)).toBe('idle labs keep running');
  });

  it('words where the class stands in its schedule, in the schedule time zone', () => {
    expect(scheduleText(null)).toBe('no schedule');
    // 2026-12-07 is a Monday; Paris is UTC+1 in December.
    expect(scheduleText({ ...base, next: { start: '2026-12-07T10:00:00Z', end: '2026-12-07T12:00:00Z' } })).toBe('next session Mon 11:00–13:00, labs start 15 min before');
    expect(scheduleText({ ...base, warmSeconds: 0, next: { start: '2026-12-07T10:00:00Z', end: '2026-12-07T12:00:00Z' } })).toBe('next session Mon 11:00–13:00, labs start as it begins');
    expect(scheduleText({ ...base, current: { start: '2026-12-07T10:00:00Z', end: '2026-12-07T12:00:00Z', warming: false } })).toBe('in session now, until 13:00');
    expect(scheduleText({ ...base, current: { start: '2026-12-07T10:00:00Z', end: '2026-12-07T12:00:00Z', warming: true } })).toBe('labs starting for the session Mon 11:00–13:00');
    expect(scheduleText({ ...base })).toBe('no upcoming session');
  });

  it('labels suspended rows by who suspended them, and puts the last use in the student tooltip', () => {
    expect(suspendedLabel({ at: '2026-12-07T10:00:00Z', by: 'instructor' })).toBe('suspended');
    expect(suspendedLabel({ at: '2026-12-07T10:00:00Z', by: 'idle' })).toBe('idle');
    expect(suspendedLabel({ at: '2026-12-07T10:00:00Z', by: 'schedule' })).toBe('off-hours');
    const row = { student: 's1', namespace: 'c-s1', lastActivity: '2026-12-07T10:18:00Z' } as ClassRow;
    expect(studentTitle(row, NOW)).toMatch(/^c-s1\nlast used 12 min ago \(\d\d:\d\d\)$/);
    expect(studentTitle({ ...row, lastActivity: undefined } as ClassRow, NOW)).toBe('c-s1\nnot used since it was published or resumed');
  });
});
