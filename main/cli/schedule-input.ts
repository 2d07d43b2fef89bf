/**
 * `--schedule <text|file.yaml>` (publish) and `schedule --set` read alike: a value naming an
 * existing file, or ending in .yaml/.yml, is a schedule file; anything else is the one-line text.
 * A wrong text is a wrong flag value (exit 2); a wrong file is invalid input (exit 1), each
 * problem at its line, as for lab and zones files.
 */
import { statSync } from 'node:fs';
import type { ClassSchedule } from '../engine/class-schedule';
import { InvalidInputError, UsageError } from './errors';

export interface ScheduleFlags {
  /** --timezone: wins over the file's, else the file's, else this machine's zone. */
  timezone?: string;
  /** --warm in seconds: wins over the file's, else the file's, else 15m. */
  warm?: number;
}

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

export async function readScheduleArg(value: string, flags: ScheduleFlags, what = '--schedule'): Promise<ClassSchedule> {
  const [{ parseScheduleText, DEFAULT_WARM_SECONDS }, { parseScheduleFile, ScheduleFileError }, { localTimezone }, { escapeControl }] = await Promise.all([
    import('../engine/class-schedule'),
    import('./schedule-file'),
    import('../engine/wall-time'),
    import('../../common/lab/escape'),
  ]);
  if (isFile(value) || /\.ya?ml$/i.test(value)) {
    const { readLimited } = await import('./lab-input');
    const text = readLimited(value, { what: 'schedule file', maxBytes: 256 * 1024 });
    try {
      const s = parseScheduleFile(text, value);
      return { ...s, ...(flags.timezone ? { timezone: flags.timezone } : {}), ...(flags.warm !== undefined ? { warmSeconds: flags.warm } : {}) };
    } catch (err) {
      if (err instanceof ScheduleFileError) throw new InvalidInputError(err.issues.map(escapeControl));
      throw err;
    }
  }
  const r = parseScheduleText(value);
  if (!r.ok) throw new UsageError(escapeControl(`${what}: ${r.message}`));
  return { timezone: flags.timezone ?? localTimezone(), warmSeconds: flags.warm ?? DEFAULT_WARM_SECONDS, entries: r.entries };
}
