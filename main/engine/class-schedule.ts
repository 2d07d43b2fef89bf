/**
 * Class schedules (issue 31, "Class time"): when a class meets, as weekly times or dates on the
 * classroom's clock, so labs can be resumed `warm` before a session and suspended after it.
 * This module is the schedule's format and its evaluation; it does no I/O and loads no YAML
 * parser (the settings and the in-cluster reconciler import it): schedule files are read by
 * the CLI (main/cli/schedule-file.ts). The controller that
 * acts on it reads `scheduleWindow`. docs/reconcile.md, "Schedules", is the user's side of it.
 *
 * - Times are wall-clock HH:MM in the schedule's IANA time zone; wall-time.ts turns them into
 *   instants, so a 09:00 session stays at 09:00 across daylight-saving changes.
 * - A session whose end is not after its start crosses midnight (22:00-01:00 ends the next day;
 *   09:00-09:00 lasts 24 hours).
 * - Overlapping sessions are refused rather than merged: merging would make a session's id (its
 *   start) depend on another entry, and an instructor who wrote two overlapping times most
 *   likely mistyped one. Sessions that only touch (one ends as the next starts) are allowed.
 */
import { z } from 'zod';
import { dayOf, dayText, DAY_MS, isTimezone, wallToInstant } from './wall-time';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** How far `scheduleWindow` looks back for the session that ended last. */
export const LOOK_BACK_DAYS = 14;
/** The longest warm-up: resuming a class more than a day early is a mistake, not a plan. */
export const MAX_WARM_SECONDS = 86_400;
export const DEFAULT_WARM_SECONDS = 15 * 60;
/** Entries per schedule; a term of dated sessions fits with room to spare. */
export const MAX_ENTRIES = 400;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why `text` is not an HH:MM time of day, or undefined when it is one. */
export function timeProblem(text: string): string | undefined {
  if (TIME.test(text)) return undefined;
  if (/^\d:\d{2}$/.test(text)) return `write the hour with two digits: 0${text}`;
  return /^\d{2}:\d{2}$/.test(text) ? `${text} is not a time of day; use 00:00 to 23:59` : `"${text.slice(0, 20)}" is not a time; write HH:MM, e.g. 09:00`;
}

/** The day number of a YYYY-MM-DD date, or undefined when it is no calendar date. */
export function dateDay(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayText(ms / DAY_MS) === text ? ms / DAY_MS : undefined;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** A session's length in minutes: an end not after the start is on the next day. */
const lengthOf = (e: { start: string; end: string }) => ((minutes(e.end) - minutes(e.start) + 1439) % 1440) + 1;

const entrySchema = z.union([
  z.strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).refine((d) => new Set(d).size === d.length, { error: 'a day is named twice' }),
    start: z.string().regex(TIME),
    end: z.string().regex(TIME),
  }),
  z.strictObject({
    date: z.string().refine((d) => dateDay(d) !== undefined, { error: 'not a YYYY-MM-DD date' }),
    start: z.string().regex(TIME),
    end: z.string().regex(TIME),
  }),
]);

/** A schedule as the class settings store it; the TS types below are derived from it. */
export const classScheduleSchema = z
  .strictObject({
    timezone: z.string().refine(isTimezone, { error: 'not an IANA time zone' }),
    warmSeconds: z.number().int().min(0).max(MAX_WARM_SECONDS),
    entries: z.array(entrySchema).min(1).max(MAX_ENTRIES),
  })
  .superRefine((s, ctx) => {
    const o = findOverlap(s.entries);
    if (o) ctx.addIssue({ code: 'custom', path: ['entries', o.second], message: o.message });
  });

export type ScheduleEntry = z.infer<typeof entrySchema>;
export type ClassSchedule = z.infer<typeof classScheduleSchema>;

export interface ScheduleSession {
  start: Date;
  end: Date;
  /** stable id: start as ISO UTC */
  id: string;
}

// ---------------------------------------------------------------------------------------------
// Overlaps, checked on the wall clock (the conversion to instants never reorders wall times).

/** Every [start, end) in wall minutes an entry covers, weekly entries within one week, dates absolute. */
function wallIntervals(e: ScheduleEntry): { from: number; to: number; weekly: boolean; day: string }[] {
  const len = lengthOf(e);
  if ('date' in e) {
    const from = dateDay(e.date)! * 1440 + minutes(e.start);
    return [{ from, to: from + len, weekly: false, day: e.date }];
  }
  return e.days.map((d) => {
    const from = WEEKDAYS.indexOf(d) * 1440 + minutes(e.start);
    return { from, to: from + len, weekly: true, day: d };
  });
}

const WEEK_MIN = 7 * 1440;
// 1970-01-01 was a Thursday: day numbers shifted by this many days start on a Monday.
const MONDAY_SHIFT = 3;

/** Whether [a, b) and [c, d) overlap; `period` makes both repeat (weekly), else they are absolute. */
function overlaps(a: number, b: number, c: number, d: number, period?: number): boolean {
  if (period === undefined) return a < d && c < b;
  // Shift the second by whole periods to each place it could meet the first.
  const k = Math.floor((a - c) / period);
  return [k - 1, k, k + 1].some((n) => a < d + n * period && c + n * period < b);
}

const describe = (e: ScheduleEntry) => `${'date' in e ? e.date : e.days.join(',')} ${e.start}-${e.end}`;

/** The first pair of entries whose sessions overlap (a weekly entry counts with itself, across its days). */
export function findOverlap(entries: readonly ScheduleEntry[]): { first: number; second: number; message: string } | undefined {
  const spans = entries.map(wallIntervals);
  for (let j = 0; j < entries.length; j++) {
    for (let i = 0; i <= j; i++) {
      for (const [x, a] of spans[i]!.entries()) {
        for (const [y, b] of spans[j]!.entries()) {
          if (i === j && y <= x) continue;
          let hit: boolean;
          if (a.weekly && b.weekly) hit = overlaps(a.from, a.to, b.from, b.to, WEEK_MIN);
          else if (!a.weekly && !b.weekly) hit = overlaps(a.from, a.to, b.from, b.to);
          else {
            // A weekly time against a date: put the week on the date's own week.
            const [w, d] = a.weekly ? [a, b] : [b, a];
            const weekStart = (Math.floor((d.from / 1440 + MONDAY_SHIFT) / 7) * 7 - MONDAY_SHIFT) * 1440;
            hit = overlaps(d.from, d.to, weekStart + w.from, weekStart + w.to, WEEK_MIN);
          }
          if (hit) {
            const what = i === j ? `"${describe(entries[i]!)}" overlaps itself (${a.day} runs into ${b.day})` : `"${describe(entries[i]!)}" and "${describe(entries[j]!)}" overlap${a.weekly && b.weekly ? ` on ${b.day}` : ''}`;
            return { first: i, second: j, message: `${what}; make them one session or move one` };
          }
        }
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Text: "Mon,Wed 09:00-11:00; 2026-12-14 14:00-16:00".

const DAY_NAMES = new Map(WEEKDAYS.map((d) => [d.toLowerCase(), d]));

/** Days as written in a schedule: "Mon,Wed", "Mon-Fri", "mon"; a message when they are not. */
export function parseDays(text: string): Weekday[] | string {
  const days: Weekday[] = [];
  for (const item of text.split(',')) {
    const range = item.trim().split('-');
    const ends = range.map((r) => DAY_NAMES.get(r.trim().toLowerCase()));
    const bad = range.find((r, n) => ends[n] === undefined);
    if (bad !== undefined) return `unknown day "${bad.trim().slice(0, 20)}"; use Mon..Sun`;
    if (ends.length > 2) return `"${item.trim()}" is not a day or a range of days such as Mon-Fri`;
    const from = WEEKDAYS.indexOf(ends[0]!);
    const to = WEEKDAYS.indexOf(ends[ends.length - 1]!);
    if (to < from) return `"${item.trim()}" runs backwards; write days from Mon to Sun, e.g. Mon-Fri`;
    for (const d of WEEKDAYS.slice(from, to + 1)) {
      if (days.includes(d)) return `${d} is named twice`;
      days.push(d);
    }
  }
  return days;
}

/** Why a `start`-`end` pair is wrong, else undefined. */
const rangeProblem = (start: string, end: string) => timeProblem(start) ?? timeProblem(end);

export type ScheduleTextResult = { ok: true; entries: ScheduleEntry[] } | { ok: false; /** the part at fault, as written */ part: string; /** where it starts in the text */ offset: number; message: string };

/**
 * Parses schedule entries written on one line, parts separated by ';': days or a date, then
 * HH:MM-HH:MM. The error names the part, e.g. `"Mun 09:00-11:00": unknown day "Mun"; use Mon..Sun`.
 */
export function parseScheduleText(text: string): ScheduleTextResult {
  const entries: ScheduleEntry[] = [];
  const parts: { part: string; offset: number }[] = [];
  let offset = 0;
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part) parts.push({ part, offset: offset + raw.indexOf(part) });
    offset += raw.length + 1;
  }
  const fail = (p: { part: string; offset: number }, message: string): ScheduleTextResult => ({ ok: false, part: p.part, offset: p.offset, message: `"${p.part.slice(0, 60)}": ${message}` });
  if (parts.length === 0) return { ok: false, part: text, offset: 0, message: 'no sessions; write e.g. "Mon,Wed 09:00-11:00; 2026-12-14 14:00-16:00"' };
  if (parts.length > MAX_ENTRIES) return fail(parts[MAX_ENTRIES]!, `a schedule has at most ${MAX_ENTRIES} entries`);
  for (const p of parts) {
    // No entry is this long; the bound also keeps the pattern below from backtracking at length.
    if (p.part.length > 200) return fail(p, 'too long for one entry; separate entries with ";"');
    // The time range is the last word starting with a digit; before it, days ("Mon, Wed", "Mon - Fri") or a date.
    const m = /^(.+?)\s+(\d\S*?)\s*-\s*(\S+)$/.exec(p.part);
    if (!m) return fail(p, 'expected days or a date, then a time range, e.g. "Mon,Wed 09:00-11:00" or "2026-12-14 14:00-16:00"');
    const [, written, start, end] = m as unknown as [string, string, string, string];
    const when = written.trim();
    if (DATE.test(when)) {
      if (dateDay(when) === undefined) return fail(p, `${when} is not a date`);
      const problem = rangeProblem(start, end);
      if (problem) return fail(p, problem);
      entries.push({ date: when, start, end });
    } else {
      const days = parseDays(when);
      if (typeof days === 'string') return fail(p, days);
      const problem = rangeProblem(start, end);
      if (problem) return fail(p, problem);
      entries.push({ days, start, end });
    }
  }
  const o = findOverlap(entries);
  if (o) return fail(parts[o.second]!, o.message);
  return { ok: true, entries };
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

function session(start: number, end: number): ScheduleSession {
  return { start: new Date(start), end: new Date(end), id: new Date(start).toISOString() };
}

/** One occurrence of an entry starting on `day` (a day number in the schedule's zone). */
function occurrence(timezone: string, e: ScheduleEntry, day: number): ScheduleSession | undefined {
  const startWall = day * DAY_MS + minutes(e.start) * 60_000;
  const start = wallToInstant(timezone, startWall);
  const end = wallToInstant(timezone, startWall + lengthOf(e) * 60_000);
  // Wholly inside an hour the clocks skip: the session never shows on the clock.
  return end > start ? session(start, end) : undefined;
}

/**
 * Every session of weekly entries starting on days `fromDay`..`toDay` (the zone's calendar
 * days), and every dated session wherever it falls, by start.
 */
function occurrences(s: ClassSchedule, fromDay: number, toDay: number): ScheduleSession[] {
  const out: ScheduleSession[] = [];
  for (const e of s.entries) {
    if ('date' in e) {
      const o = occurrence(s.timezone, e, dateDay(e.date)!);
      if (o) out.push(o);
      continue;
    }
    for (let day = fromDay; day <= toDay; day++) {
      if (!e.days.includes(WEEKDAYS[(((day + MONDAY_SHIFT) % 7) + 7) % 7]!)) continue;
      const o = occurrence(s.timezone, e, day);
      if (o) out.push(o);
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

const warmDays = (s: ClassSchedule) => Math.ceil(s.warmSeconds / 86_400);

/**
 * The session being warmed or running now (start - warm <= now < end), the latest one that ended
 * (end <= now, looking back at most 14 days), and the next one whose warm-up has not begun.
 * When a session is running while the next one already warms (they are close), `current` is the
 * running one.
 */
export function scheduleWindow(s: ClassSchedule, now: Date): { current?: ScheduleSession & { warming: boolean }; previous?: ScheduleSession; next?: ScheduleSession } {
  const t = now.getTime();
  const today = dayOf(s.timezone, t);
  const all = occurrences(s, today - LOOK_BACK_DAYS - 2, today + 8 + warmDays(s));
  const warm = s.warmSeconds * 1000;
  const live = all.filter((x) => x.start.getTime() - warm <= t && t < x.end.getTime());
  const running = live.find((x) => x.start.getTime() <= t);
  const cur = running ?? live[0];
  const ended = all.filter((x) => x.end.getTime() <= t && x.end.getTime() >= t - LOOK_BACK_DAYS * DAY_MS);
  const previous = ended.reduce<ScheduleSession | undefined>((best, x) => (!best || x.end > best.end ? x : best), undefined);
  const next = all.find((x) => x.start.getTime() - warm > t);
  return {
    ...(cur ? { current: { ...cur, warming: cur.start.getTime() > t } } : {}),
    ...(previous ? { previous } : {}),
    ...(next ? { next } : {}),
  };
}

/** The next `count` sessions whose warm-up has not begun at `now`, by start. */
export function nextSessions(s: ClassSchedule, now: Date, count: number): ScheduleSession[] {
  const t = now.getTime();
  const today = dayOf(s.timezone, t);
  // Every weekly entry meets at least once a week: count + 1 weeks hold `count` sessions.
  return occurrences(s, today - 1, today + 7 * (count + 1) + warmDays(s))
    .filter((x) => x.start.getTime() - s.warmSeconds * 1000 > t)
    .slice(0, count);
}

const clock = (timezone: string, instant: Date) => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return { day: `${p['weekday']} ${p['year']}-${p['month']}-${p['day']}`, time: `${p['hour']}:${p['minute']}` };
};

/** "Mon 2026-12-14 09:00-11:00 Europe/Paris"; a session into the next day names its end day too. */
export function formatSession(s: ScheduleSession, timezone: string): string {
  const a = clock(timezone, s.start);
  const b = clock(timezone, s.end);
  return `${a.day} ${a.time}-${b.day === a.day ? '' : `${b.day} `}${b.time} ${timezone}`;
}

/** One line per entry, as `parseScheduleText` reads them back. */
export function scheduleText(entries: readonly ScheduleEntry[]): string {
  return entries.map(describe).join('; ');
}
