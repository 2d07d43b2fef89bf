import { describe, expect, it } from 'vitest';
import { classScheduleSchema, formatSession, nextSessions, parseScheduleText, scheduleText, scheduleWindow, type ClassSchedule } from './class-schedule';
import { isTimezone, timezoneName, wallToInstant } from './wall-time';

const at = (iso: string) => new Date(iso);
const paris = (entries: string, warmSeconds = 900): ClassSchedule => {
  const r = parseScheduleText(entries);
  if (!r.ok) throw new Error(r.message);
  return { timezone: 'Europe/Paris', warmSeconds, entries: r.entries };
};

describe('wall time', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimezone('Europe/Paris')).toBe(true);
    expect(isTimezone('UTC')).toBe(true);
    expect(isTimezone('Europe/Pari')).toBe(false);
    expect(isTimezone('')).toBe(false);
    expect(timezoneName('europe/paris')).toBe('Europe/Paris');
  });

  it('maps a skipped wall time to the jump and a repeated one to its first occurrence (Paris 2026)', () => {
    // 29 March: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(new Date(wallToInstant('Europe/Paris', Date.UTC(2026, 2, 29, 2, 30))).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(new Date(wallToInstant('Europe/Paris', Date.UTC(2026, 2, 29, 3, 0))).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 25 October: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
    expect(new Date(wallToInstant('Europe/Paris', Date.UTC(2026, 9, 25, 2, 30))).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(wallToInstant('Europe/Paris', Date.UTC(2026, 9, 25, 3, 30))).toISOString()).toBe('2026-10-25T02:30:00.000Z');
  });
});

describe('parseScheduleText', () => {
  it('reads days, ranges of days and dates', () => {
    const r = parseScheduleText(' Mon,Wed 09:00-11:00; tue-thu 13:00-14:00 ;2026-12-14 14:00-16:00; ');
    expect(r).toEqual({
      ok: true,
      entries: [
        { days: ['Mon', 'Wed'], start: '09:00', end: '11:00' },
        { days: ['Tue', 'Wed', 'Thu'], start: '13:00', end: '14:00' },
        { date: '2026-12-14', start: '14:00', end: '16:00' },
      ],
    });
    expect(r.ok && scheduleText(r.entries)).toBe('Mon,Wed 09:00-11:00; Tue,Wed,Thu 13:00-14:00; 2026-12-14 14:00-16:00');
  });

  it('takes spaces after commas and around dashes', () => {
    expect(parseScheduleText('Mon, Wed 09:00 - 11:00; Tue - Thu 13:00-14:00')).toEqual({
      ok: true,
      entries: [
        { days: ['Mon', 'Wed'], start: '09:00', end: '11:00' },
        { days: ['Tue', 'Wed', 'Thu'], start: '13:00', end: '14:00' },
      ],
    });
  });

  it('names the part and says what to do', () => {
    const bad = (text: string) => {
      const r = parseScheduleText(text);
      return r.ok ? 'ok' : r.message;
    };
    expect(bad('Mun 09:00-11:00')).toBe('"Mun 09:00-11:00": unknown day "Mun"; use Mon..Sun');
    expect(bad('Mon 09:00-11:00; Tue 9-11')).toMatch(/^"Tue 9-11": "9" is not a time; write HH:MM/);
    expect(bad('Mon 09:00-24:00')).toMatch(/24:00 is not a time of day/);
    expect(bad('2026-02-30 09:00-10:00')).toBe('"2026-02-30 09:00-10:00": 2026-02-30 is not a date');
    expect(bad('Mon,Mon 09:00-10:00')).toMatch(/Mon is named twice/);
    expect(bad('Fri-Mon 09:00-10:00')).toMatch(/runs backwards/);
    expect(bad('Mon')).toMatch(/expected days or a date, then a time range/);
    expect(bad(' ; ')).toMatch(/^no sessions/);
    const r = parseScheduleText('Mon 09:00-11:00;  Mun 09:00-11:00');
    expect(r.ok === false && r.offset).toBe(18);
  });

  it('refuses overlapping sessions, naming both, and allows touching ones', () => {
    const r = parseScheduleText('Mon,Wed 09:00-11:00; Wed 10:00-12:00');
    expect(r.ok ? '' : r.message).toBe('"Wed 10:00-12:00": "Mon,Wed 09:00-11:00" and "Wed 10:00-12:00" overlap on Wed; make them one session or move one');
    expect(parseScheduleText('Mon 09:00-11:00; Mon 11:00-12:00').ok).toBe(true);
    // Across midnight into the next day's session, and a Sunday night into Monday.
    expect(parseScheduleText('Mon 22:00-01:00; Tue 00:30-02:00').ok).toBe(false);
    expect(parseScheduleText('Sun 23:00-01:00; Mon 00:00-02:00').ok).toBe(false);
    // A dated session on a weekly day: 2026-12-14 is a Monday.
    expect(parseScheduleText('Mon 09:00-11:00; 2026-12-14 10:00-12:00').ok).toBe(false);
    expect(parseScheduleText('Tue 09:00-11:00; 2026-12-14 10:00-12:00').ok).toBe(true);
    // 24-hour sessions on consecutive days touch; a 24-hour one with a 25th hour would not.
    expect(parseScheduleText('Mon,Tue 08:00-08:00').ok).toBe(true);
    const self = parseScheduleText('Mon-Sun 20:00-20:00; 2026-12-14 20:00-21:00');
    expect(self.ok ? '' : self.message).toMatch(/overlap/);
  });
});

describe('scheduleWindow', () => {
  const s = paris('Mon,Wed 09:00-11:00');

  it('finds the session warming, running and next (Paris is UTC+1 in December)', () => {
    // Monday 2026-12-14.
    expect(scheduleWindow(s, at('2026-12-14T07:40:00Z'))).toMatchObject({ next: { id: '2026-12-14T08:00:00.000Z' } });
    expect(scheduleWindow(s, at('2026-12-14T07:40:00Z')).current).toBeUndefined();
    const warming = scheduleWindow(s, at('2026-12-14T07:45:00Z'));
    expect(warming.current).toMatchObject({ id: '2026-12-14T08:00:00.000Z', warming: true });
    expect(warming.next?.id).toBe('2026-12-16T08:00:00.000Z');
    expect(scheduleWindow(s, at('2026-12-14T08:00:00Z')).current).toMatchObject({ warming: false });
    const after = scheduleWindow(s, at('2026-12-14T10:00:00Z'));
    expect(after.current).toBeUndefined();
    expect(after.previous).toEqual({ start: at('2026-12-14T08:00:00Z'), end: at('2026-12-14T10:00:00Z'), id: '2026-12-14T08:00:00.000Z' });
  });

  it('looks back at most 14 days for the previous session', () => {
    const once = paris('2026-12-01 09:00-11:00');
    expect(scheduleWindow(once, at('2026-12-15T09:59:00Z')).previous?.id).toBe('2026-12-01T08:00:00.000Z');
    expect(scheduleWindow(once, at('2026-12-15T10:01:00Z'))).toEqual({});
    // A dated session far ahead is still the next one.
    expect(scheduleWindow(paris('2027-06-01 09:00-11:00'), at('2026-12-15T00:00:00Z')).next?.id).toBe('2027-06-01T07:00:00.000Z');
  });

  it('keeps 09:00 on the clock across the March and October changes', () => {
    const sun = paris('Sat,Sun,Mon 09:00-10:00', 0);
    const march = nextSessions(sun, at('2026-03-27T12:00:00Z'), 3).map((x) => x.id);
    expect(march).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    const october = nextSessions(sun, at('2026-10-23T12:00:00Z'), 3).map((x) => x.id);
    expect(october).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('gives a night across a change its real length', () => {
    // 01:00-04:00 on the night clocks go forward lasts 2 hours; going back, 4.
    const night = paris('Sun 01:00-04:00', 0);
    const [spring] = nextSessions(night, at('2026-03-28T00:00:00Z'), 1);
    expect((spring!.end.getTime() - spring!.start.getTime()) / 3_600_000).toBe(2);
    const [autumn] = nextSessions(night, at('2026-10-24T00:00:00Z'), 1);
    expect((autumn!.end.getTime() - autumn!.start.getTime()) / 3_600_000).toBe(4);
    // Wholly inside the skipped hour: no session that day.
    expect(nextSessions(paris('2026-03-29 02:10-02:50', 0), at('2026-03-01T00:00:00Z'), 1)).toEqual([]);
  });

  it('runs a session across midnight into the next day', () => {
    const late = paris('Fri 22:00-01:00', 0);
    // Saturday 2026-12-19 00:30 Paris = Friday 23:30 UTC.
    const w = scheduleWindow(late, at('2026-12-18T23:30:00Z'));
    expect(w.current).toMatchObject({ id: '2026-12-18T21:00:00.000Z', end: at('2026-12-19T00:00:00Z'), warming: false });
    expect(formatSession(w.current!, 'Europe/Paris')).toBe('Fri 2026-12-18 22:00-Sat 2026-12-19 01:00 Europe/Paris');
  });

  it('prefers the running session when the next one already warms', () => {
    const close = paris('Mon 09:00-11:00; Mon 11:00-12:00', 1800);
    const w = scheduleWindow(close, at('2026-12-14T09:45:00Z'));
    expect(w.current).toMatchObject({ id: '2026-12-14T08:00:00.000Z', warming: false });
    expect(scheduleWindow(close, at('2026-12-14T10:00:00Z')).current).toMatchObject({ id: '2026-12-14T10:00:00.000Z', warming: false });
  });
});

describe('formatSession', () => {
  it("writes a session on the class's clock", () => {
    const [x] = nextSessions(paris('Mon 09:00-11:00'), at('2026-12-10T00:00:00Z'), 1);
    expect(formatSession(x!, 'Europe/Paris')).toBe('Mon 2026-12-14 09:00-11:00 Europe/Paris');
    expect(formatSession(x!, 'America/New_York')).toBe('Mon 2026-12-14 03:00-05:00 America/New_York');
  });
});

