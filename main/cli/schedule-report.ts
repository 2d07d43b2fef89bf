/**
 * What `labforge schedule --class C` prints: the schedule as written, the session now and the
 * next ones, all on the class's clock (the instructor may sit in another zone than the class).
 */
import { formatSession, nextSessions, scheduleText, scheduleWindow, type ClassSchedule } from '../engine/class-schedule';
import { formatRemaining } from '../engine/expiry-time';
import { formatSeconds } from './args';

export function scheduleReport(className: string, s: ClassSchedule, now: Date, upcoming = 3): string {
  const lines = [`class ${className} meets ${scheduleText(s.entries)} (times in ${s.timezone}; labs resumed ${s.warmSeconds ? `${formatSeconds(s.warmSeconds)} before each session` : 'as each session starts'})`];
  const w = scheduleWindow(s, now);
  const until = (d: Date) => formatRemaining(Math.max(0, Math.floor((d.getTime() - now.getTime()) / 1000)));
  if (w.current?.warming) lines.push(`now: warming up for ${formatSession(w.current, s.timezone)} (starts in ${until(w.current.start)})`);
  else if (w.current) lines.push(`now: running ${formatSession(w.current, s.timezone)} (ends in ${until(w.current.end)})`);
  else lines.push(`now: no session${w.previous ? `; the last one was ${formatSession(w.previous, s.timezone)}` : ''}`);
  const next = nextSessions(s, now, upcoming);
  lines.push(next.length ? `next:\n${next.map((x) => `  ${formatSession(x, s.timezone)}`).join('\n')}` : 'next: none (every dated session is past)');
  return lines.join('\n');
}
