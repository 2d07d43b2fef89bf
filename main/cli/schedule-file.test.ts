import { describe, expect, it } from 'vitest';
import { parseScheduleFile, ScheduleFileError } from './schedule-file';
import { classScheduleSchema } from '../engine/class-schedule';

describe('parseScheduleFile', () => {
  it('reads timezone, warm and sessions', () => {
    const s = parseScheduleFile("timezone: Europe/Paris\nwarm: 30m\nsessions:\n  - {days: [Mon, Wed], start: '09:00', end: '11:00'}\n  - date: 2026-12-14\n    start: 14:00\n    end: 16:00\n", 's.yaml');
    expect(s).toEqual({ timezone: 'Europe/Paris', warmSeconds: 1800, entries: [{ days: ['Mon', 'Wed'], start: '09:00', end: '11:00' }, { date: '2026-12-14', start: '14:00', end: '16:00' }] });
    expect(classScheduleSchema.safeParse(s).success).toBe(true);
  });

  it("defaults to this machine's zone and 15 minutes", () => {
    const s = parseScheduleFile('sessions:\n  - {days: Mon-Fri, start: "08:00", end: "09:00"}\n', 's.yaml');
    expect(s.timezone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(s.warmSeconds).toBe(900);
    expect(parseScheduleFile('timezone: america/new_york\nsessions: [{date: 2026-12-14, start: "09:00", end: "10:00"}]\n', 's.yaml').timezone).toBe('America/New_York');
  });

  const issues = (text: string) => {
    try {
      parseScheduleFile(text, 's.yaml');
      return [];
    } catch (err) {
      if (!(err instanceof ScheduleFileError)) throw err;
      return err.issues;
    }
  };

  it('positions every problem at file:line:column with its path', () => {
    expect(issues("timezone: Mars/Olympus\nwarm: 2d\nsessions:\n  - {days: [Mon], start: '09:00', end: '11:00'}\n  - days: [Mun]\n    start: '9'\n    end: '10:00'\n    room: B12\n")).toEqual([
      's.yaml:1:11: timezone: not a time zone this machine knows; use an IANA name such as Europe/Paris',
      's.yaml:2:7: warm: must be between 0 and 1d',
      's.yaml:8:5: sessions[1].room: unknown field; a session takes days, date, start, end',
      's.yaml:5:11: sessions[1].days: unknown day "Mun"; use Mon..Sun',
      's.yaml:6:12: sessions[1].start: "9" is not a time; write HH:MM, e.g. 09:00',
    ]);
    expect(issues("sessions:\n  - {date: 2026-12-14, start: '09:00', end: '11:00'}\n  - {days: [Mon], start: '10:00', end: '12:00'}\n")).toEqual([
      's.yaml:3:5: sessions[1]: "2026-12-14 09:00-11:00" and "Mon 10:00-12:00" overlap; make them one session or move one',
    ]);
    expect(issues('sessions: []\n')[0]).toMatch(/^s\.yaml:1:11: sessions: sessions must list at least one session/);
    expect(issues("sessions:\n  - {start: '09:00', end: '10:00'}\n")).toEqual(['s.yaml:2:5: sessions[0]: a session has either days (weekly) or a date (once)']);
    expect(issues('sessions: [\n')[0]).toMatch(/^s\.yaml:\d+:\d+: /);
    expect(issues('- a\n')).toEqual(['s.yaml:1:1: (document): a schedule file is a mapping with timezone, warm and sessions']);
  });
});
