/**
 * Reading what the user names on the command line: lab files and the students of a class.
 * Loaded by command actions only (it brings the lab parser: yaml and zod).
 */
import { existsSync, readFileSync } from 'node:fs';
import { numberedStudents, parseRoster, type Student } from '../class/roster';
import { formatIssue, parseLab, type Lab } from '../../common/lab';
import { isDnsLabel } from '../../common/lab/dns-label';
import { InvalidInputError, UsageError } from './errors';

/** Reads and decodes a lab file; bad input becomes the list of positioned errors (exit 1). */
export function readLabFile(file: string): Lab {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InvalidInputError([`${file}: cannot read the lab file (${code ?? (err as Error).message})`]);
  }
  const r = parseLab(text);
  if (!r.ok) throw new InvalidInputError(r.issues.map((i) => formatIssue(i, file)));
  return r.lab;
}

/** `<lab>` may be a lab file or a lab name. */
export function labArg(value: string): { file?: Lab; name: string } {
  if (existsSync(value)) {
    const lab = readLabFile(value);
    return { file: lab, name: lab.metadata.name };
  }
  if (!isDnsLabel(value)) throw new UsageError(`"${value}" is neither a lab file nor a lab name`);
  return { name: value };
}

/** Students from --student/--students/--roster; at most one of the three. */
export function studentsFrom(opts: { student?: string[]; students?: number; roster?: string }): Student[] | undefined {
  const given = [opts.student?.length ? 1 : 0, opts.students ? 1 : 0, opts.roster ? 1 : 0].reduce((a, b) => a + b, 0);
  if (given > 1) throw new UsageError('use only one of --student, --students and --roster');
  if (opts.student?.length) return opts.student.map((id) => ({ id }));
  if (opts.students) return numberedStudents(opts.students);
  if (opts.roster) {
    let text: string;
    try {
      text = readFileSync(opts.roster, 'utf8');
    } catch (err) {
      throw new InvalidInputError([`${opts.roster}: cannot read the roster (${(err as NodeJS.ErrnoException).code})`]);
    }
    const r = parseRoster(text);
    if (!r.ok) throw new InvalidInputError(r.issues.map((i) => `${opts.roster}:${i.line}: ${i.message}`));
    return r.students;
  }
  return undefined;
}
