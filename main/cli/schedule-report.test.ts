import { describe, expect, it } from 'vitest';
import { scheduleReport } from './schedule-report';

const s = { timezone: 'Europe/Paris', warmSeconds: 900, entries: [{ days: ['Mon' as const, 'Wed' as const], start: '09:00', end: '11:00' }, { date: '2026-12-15', start: '22:00', end: '01:00' }] };

describe('scheduleReport', () => {
  it('says what runs now and lists the next sessions on the class clock', () => {
    expect(scheduleReport('cs1', s, new Date('2026-12-14T07:50:00Z'))).toBe(
      [
        'class cs1 meets Mon,Wed 09:00-11:00; 2026-12-15 22:00-01:00 (times in Europe/Paris; labs resumed 15m before each session)',
        'now: warming up for Mon 2026-12-14 09:00-11:00 Europe/Paris (starts in 10m)',
        'next:',
        '  Tue 2026-12-15 22:00-Wed 2026-12-16 01:00 Europe/Paris',
        '  Wed 2026-12-16 09:00-11:00 Europe/Paris',
        '  Mon 2026-12-21 09:00-11:00 Europe/Paris',
      ].join('\n'),
    );
    expect(scheduleReport('cs1', s, new Date('2026-12-14T09:00:00Z'))).toContain('now: running Mon 2026-12-14 09:00-11:00 Europe/Paris (ends in 1h)');
    expect(scheduleReport('cs1', s, new Date('2026-12-14T12:00:00Z'))).toContain('now: no session; the last one was Mon 2026-12-14 09:00-11:00 Europe/Paris');
  });

  it('says when labs are resumed without a warm-up', () => {
    expect(scheduleReport('cs1', { ...s, warmSeconds: 0 }, new Date('2026-12-14T07:50:00Z'))).toMatch(/labs resumed as each session starts\)\nnow: no session/);
  });

  it('says when no session is ahead', () => {
    const once = { ...s, entries: [{ date: '2026-12-15', start: '09:00', end: '10:00' }] };
    expect(scheduleReport('cs1', once, new Date('2027-01-10T00:00:00Z'))).toMatch(/now: no session\nnext: none \(every dated session is past\)$/);
  });
});
