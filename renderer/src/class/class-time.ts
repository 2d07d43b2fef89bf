/**
 * Class time in words for the class view: how long ago a lab was used, who suspended it, the
 * idle policy and where the class stands in its schedule. Pure functions of what main sends
 * (class.watch rows, class.health) and the clock, so they are tested without a browser.
 */
import type { WireClassHealth } from '../../../common/api/reconcile-schemas';
import type { ClassRow } from './store';

export type ClassSchedule = NonNullable<WireClassHealth['schedule']>;
export type IdlePolicy = NonNullable<WireClassHealth['idle']>;

/** "2 h", "90 min", "1 h 30 min", "45 s": a policy length, as short as it stays exact. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  if (h === 0) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** "just now", "12 min ago", "3 h ago", "2 days ago": a past instant relative to `now`. */
export function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const d = Math.floor(s / 86_400);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

/** The time of day in the viewer's zone ("14:05"), with the date when it is not today. */
export function clockTime(iso: string, now: number, timeZone?: string): string {
  const at = new Date(iso);
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) };
  const day = (d: Date) => d.toLocaleDateString('en-GB', timeZone ? { timeZone } : {});
  const time = at.toLocaleTimeString('en-GB', opts);
  return day(at) === day(new Date(now)) ? time : `${at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', ...(timeZone ? { timeZone } : {}) })} ${time}`;
}

const BY: Record<NonNullable<ClassRow['suspended']>['by'], string> = {
  instructor: 'by the instructor',
  idle: 'for idleness',
  schedule: 'by the schedule (outside class time)',
};

/** The suspended marker's tooltip: who, since when. */
export function suspendedTitle(s: NonNullable<ClassRow['suspended']>, now: number): string {
  return `Suspended ${BY[s.by]} at ${clockTime(s.at, now)} (${ago(s.at, now)}): nothing runs, volumes and files are kept. Resume brings the lab back as it was.`;
}

/** The marker's short text: why it is suspended when it was not the instructor. */
export const suspendedLabel = (s: NonNullable<ClassRow['suspended']>) => (s.by === 'instructor' ? 'suspended' : s.by === 'idle' ? 'idle' : 'off-hours');

/** The student cell's tooltip: namespace, zone, last use. */
export function studentTitle(r: ClassRow, now: number): string {
  return [r.namespace, r.zone ? `zone ${r.zone}` : '', r.lastActivity ? `last used ${ago(r.lastActivity, now)} (${clockTime(r.lastActivity, now)})` : 'not used since it was published or resumed'].filter(Boolean).join('\n');
}

/** "idle labs suspend after 2 h, warned 10 min before", or that they never do. */
export function idleText(idle: IdlePolicy | null): string {
  if (!idle) return 'idle labs keep running';
  return `idle labs suspend after ${duration(idle.afterSeconds)}${idle.warnSeconds ? `, warned ${duration(idle.warnSeconds)} before` : ''}`;
}

const sessionRange = (s: { start: string; end: string }, timeZone: string) => {
  const day = new Date(s.start).toLocaleDateString('en-GB', { weekday: 'short', timeZone });
  const t = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
  return `${day} ${t(s.start)}–${t(s.end)}`;
};

/**
 * Where the class stands: "in session now, until 11:00", "labs starting for Mon 09:00–11:00",
 * "next session Mon 09:00–11:00, labs start 15 min before"; times in the schedule's zone.
 */
export function scheduleText(s: ClassSchedule | null): string {
  if (!s) return 'no schedule';
  if (s.current) {
    if (s.current.warming) return `labs starting for the session ${sessionRange(s.current, s.timezone)}`;
    return `in session now, until ${new Date(s.current.end).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: s.timezone })}`;
  }
  if (!s.next) return 'no upcoming session';
  return `next session ${sessionRange(s.next, s.timezone)}, ${s.warmSeconds ? `labs start ${duration(s.warmSeconds)} before` : 'labs start as it begins'}`;
}
