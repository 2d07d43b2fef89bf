/**
 * The students of a class as the command line names them (--student, --students, --roster).
 * Apart from lab-input.ts so that `validate` does not load the roster and SSH-key parsers
 * (and node:crypto with them).
 */
import { numberedStudents, parseRoster, type Student } from '../class/roster';
import { escapeControl } from '../../common/lab/escape';
import { MAX_ROSTER_BYTES } from '../../common/lab/limits';
import { readLimited } from './lab-input';
import { InvalidInputError, UsageError } from './errors';

/** Students from --student/--students/--roster; at most one of the three. */
export function studentsFrom(opts: { student?: string[]; students?: number; roster?: string }): Student[] | undefined {
  const given = [opts.student?.length ? 1 : 0, opts.students ? 1 : 0, opts.roster ? 1 : 0].reduce((a, b) => a + b, 0);
  if (given > 1) throw new UsageError('use only one of --student, --students and --roster');
  if (opts.student?.length) return opts.student.map((id) => ({ id }));
  if (opts.students) return numberedStudents(opts.students);
  if (opts.roster) {
    const text = readLimited(opts.roster, { what: 'roster', maxBytes: MAX_ROSTER_BYTES });
    const r = parseRoster(text);
    if (!r.ok) throw new InvalidInputError(r.issues.map((i) => escapeControl(`${opts.roster}:${i.line}: ${i.message}`)));
    return r.students;
  }
  return undefined;
}
