/**
 * A class's recorded check results as CSV, for a gradebook or a spreadsheet (`labforge grades`,
 * the class view's "Download CSV"). Pure and browser-safe, so the CLI and the renderer write the
 * same bytes from the same data: the engine's StudentChecks and the wire's both fit GradesStudent.
 *
 * One row per student × check of the student's release, after a header row:
 *
 *   student,check,passed,points,time,status,max_points,title
 *
 * - `passed`: `true` when the check's latest recorded run passed, else `false`. It is the latest
 *   run, not "ever passed", so the rows add up to the points the grid and the class view show.
 * - `points`: the check's points when passed, else 0; `max_points`: what the check is worth.
 * - `time`: ISO 8601 UTC. When passed, when the check first passed (the record keeps the earliest
 *   pass across runs and machines); otherwise when it last ran; empty when it never ran.
 * - `status`: pass, fail, timeout, error, or `not run`.
 * - `title`: the check's title from the lab.
 *
 * The check's output is not exported: it is whatever the student's node printed.
 *
 * Quoting is RFC 4180: a cell with a comma, a double quote, CR or LF is enclosed in double
 * quotes, with its quotes doubled; records end with CRLF. Student ids and titles come from rosters
 * and lab files, and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula
 * (and some strip a leading tab or CR first), so such a cell gets a leading `'`, which spreadsheets
 * show as text; the value after it is unchanged.
 */
import { checkPoints } from '../lab/checks';

export type GradeStatus = 'pass' | 'fail' | 'timeout' | 'error';

/** What the export reads of a student's checks: the engine's StudentChecks and the wire's fit. */
export interface GradesStudent {
  student: string;
  /** The checks of the student's release, in run order (the order of the rows). */
  checks: readonly { id: string; title: string; points?: number | undefined }[];
  results: { checks: Readonly<Record<string, { status: GradeStatus; lastRunAt: string; firstPassAt?: string | undefined } | undefined>> };
}

export const GRADES_CSV_HEADER = ['student', 'check', 'passed', 'points', 'time', 'status', 'max_points', 'title'] as const;

/** Characters a spreadsheet may take as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Characters that make RFC 4180 quoting necessary. */
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: neutralised against formula injection, then quoted when RFC 4180 requires it. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A recorded time as ISO 8601 UTC; empty when missing or not a time (a record is data, not code). */
function utc(iso: string | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/**
 * The CSV of the students' recorded results, header first. Students are ordered by id (the grid's
 * order, whatever order they are given in), each student's rows in their checks' order. A student
 * without results has a `not run` row for every check; a release without checks has no rows.
 */
export function gradesCsv(students: readonly GradesStudent[]): string {
  const rows: string[][] = [[...GRADES_CSV_HEADER]];
  // A fixed locale, so the CLI and every browser order the same students the same way; sort is stable.
  const ordered = [...students].sort((a, b) => a.student.localeCompare(b.student, 'en'));
  for (const s of ordered) {
    for (const c of s.checks) {
      const r = s.results.checks[c.id];
      const passed = r?.status === 'pass';
      const max = checkPoints(c);
      const time = passed ? utc(r.firstPassAt ?? r.lastRunAt) : utc(r?.lastRunAt);
      rows.push([s.student, c.id, String(passed), String(passed ? max : 0), time, r?.status ?? 'not run', String(max), c.title]);
    }
  }
  return rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}
