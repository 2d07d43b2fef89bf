/**
 * Wall-clock time in an IANA time zone, converted with Intl only (no time-zone library): a
 * class's sessions are written as the times on the classroom's clock, and the controller acts on
 * instants. Import-free, so the CLI can check `--timezone` while parsing its flags.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY_MS = 24 * HOUR;

/** The machine's own zone: what a schedule without a timezone means. */
export const localTimezone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

// Building a formatter costs far more than using one; a schedule asks for one zone many times.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * The zone's name as Intl spells it (`europe/paris` is `Europe/Paris`), or undefined when Intl
 * does not know it; stored names are these, so two spellings never make two zones.
 */
export function timezoneName(timezone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timezone)) return undefined;
  try {
    return formatter(timezone).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Whether Intl knows `timezone` as an IANA zone name (or UTC). */
export const isTimezone = (timezone: string): boolean => timezoneName(timezone) !== undefined;

/** Wall-clock fields of `instant` in `timezone`, as if they were UTC (ms); the difference is the offset. */
export function wallOf(timezone: string, instant: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  // Seconds are floored by the formatter; keep the instant's milliseconds so round trips are exact.
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) + (((instant % 1000) + 1000) % 1000);
}

const offsetAt = (timezone: string, instant: number) => wallOf(timezone, instant) - instant;

/**
 * The instant at which the clocks in `timezone` show `wall` (wall-clock fields as UTC ms).
 * A wall time shown twice (the hour repeated when clocks go back) is its first occurrence; one
 * never shown (the hour skipped when clocks go forward) is the moment the clocks jump, so a
 * session starting in the skipped hour starts when it ends, and the mapping never goes backwards.
 */
export function wallToInstant(timezone: string, wall: number): number {
  // Offsets in use around the wall time: a transition is at most one per day in practice.
  const offsets = new Set([offsetAt(timezone, wall - DAY_MS), offsetAt(timezone, wall), offsetAt(timezone, wall + DAY_MS)]);
  const candidates = [...offsets].map((o) => wall - o).filter((t) => offsetAt(timezone, t) === wall - t);
  if (candidates.length) return Math.min(...candidates);
  // In a gap: the jump is between the instants the wall time would be under either offset.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  const before = offsetAt(timezone, lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(timezone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi - (hi % 1000);
}

/** The calendar day (days since 1970-01-01) that `instant` falls on in `timezone`. */
export const dayOf = (timezone: string, instant: number): number => Math.floor(wallOf(timezone, instant) / DAY_MS);

/** `YYYY-MM-DD` of a day number. */
export const dayText = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
