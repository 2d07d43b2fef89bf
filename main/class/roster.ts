/**
 * Class rosters: a CSV with the columns id, name, email and an optional ssh public key, or a
 * plain count of anonymous students. Parsing is strict and reports bad rows by line number.
 */
import { STUDENT_ID } from './student-id';
import { parsePublicKey } from './keys';

import { quoteInput } from '../../common/lab/escape';
import { MAX_ISSUES, MAX_ROSTER_BYTES, MAX_STUDENTS } from '../../common/lab/limits';

export interface Student {
  id: string;
  /** The roster line it came from, when it came from a roster (errors name it). */
  line?: number;
  name?: string;
  email?: string;
  sshKey?: string;
}

export interface RosterIssue {
  line: number;
  message: string;
}

export type RosterResult = { ok: true; students: Student[] } | { ok: false; issues: RosterIssue[] };

const ID = STUDENT_ID;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const COLUMNS = ['id', 'name', 'email', 'ssh_key'] as const;
/** Longest cell: an RSA-8192 public key with a comment is about 1,500 characters. */
const MAX_CELL = 4096;

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines). */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells.map((c) => c.trim());
}

export function parseRoster(text: string): RosterResult {
  // The roster may come as text over the API too, so the file limit is checked here as well.
  if (text.length > MAX_ROSTER_BYTES) {
    return { ok: false, issues: [{ line: 1, message: `the roster is larger than ${MAX_ROSTER_BYTES / 2 ** 20} MiB; a class has at most ${MAX_STUDENTS} students` }] };
  }
  const r = parseRosterLines(text);
  if (r.ok || r.issues.length <= MAX_ISSUES) return r;
  const rest = r.issues.length - MAX_ISSUES;
  return { ok: false, issues: [...r.issues.slice(0, MAX_ISSUES), { line: r.issues[MAX_ISSUES]!.line, message: `and ${rest} more error${rest === 1 ? '' : 's'} not shown; fix the ones above first` }] };
}

function parseRosterLines(text: string): RosterResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const issues: RosterIssue[] = [];
  const students: Student[] = [];
  const seen = new Map<string, number>();
  let header: string[] | undefined;

  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = splitCsvLine(raw);
    if (!cells) {
      issues.push({ line, message: 'unterminated quote' });
      continue;
    }
    if (!header) {
      header = cells.map((c) => c.toLowerCase().replace(/[\s-]+/g, '_'));
      const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h) && h !== 'ssh_public_key');
      if (!header.includes('id')) issues.push({ line, message: 'the header must name the columns: id,name,email[,ssh_key]' });
      for (const u of unknown) issues.push({ line, message: `unknown column ${quoteInput(u)}; expected id, name, email and optionally ssh_key` });
      continue;
    }
    if (students.length === MAX_STUDENTS) {
      issues.push({ line, message: `a class has at most ${MAX_STUDENTS} students (the same limit as a numbered class); split the roster` });
      break;
    }
    if (cells.length > header.length) {
      issues.push({ line, message: `${cells.length} cells but the header has ${header.length} columns` });
      continue;
    }
    // Bounded before any pattern runs on a cell: no field of a student needs more.
    if (cells.some((c) => c.length > MAX_CELL)) {
      issues.push({ line, message: `a cell has more than ${MAX_CELL} characters` });
      continue;
    }
    const get = (col: string) => {
      const idx = header!.indexOf(col);
      const v = idx >= 0 ? cells[idx] : undefined;
      return v === undefined || v === '' ? undefined : v;
    };
    const id = get('id');
    const email = get('email');
    const sshKey = get('ssh_key') ?? get('ssh_public_key');
    if (!id) issues.push({ line, message: 'id is empty' });
    else if (!ID.test(id)) issues.push({ line, message: `id ${quoteInput(id)} may only use letters, digits and . _ @ + - (at most 128)` });
    else if (seen.has(id)) issues.push({ line, message: `id "${id}" repeats line ${seen.get(id)}` });
    if (email !== undefined && (email.length > 254 || !EMAIL.test(email))) issues.push({ line, message: `email ${quoteInput(email)} is not an email address` });
    const name = get('name');
    if (name !== undefined && name.length > 256) issues.push({ line, message: 'name must be at most 256 characters' });
    if (sshKey !== undefined) {
      // The same check as `labforge keys add`: size, type and no private keys (main/class/keys.ts).
      const key = parsePublicKey(sshKey);
      if (!key.ok) issues.push({ line, message: `ssh_key: ${key.message}` });
    }
    if (id && ID.test(id) && !seen.has(id)) seen.set(id, line);
    students.push({ id: id ?? '', line, ...(name ? { name } : {}), ...(email ? { email } : {}), ...(sshKey ? { sshKey } : {}) });
  }

  if (!header) issues.push({ line: 1, message: 'the roster is empty; it needs a header line id,name,email[,ssh_key] and one line per student' });
  else if (students.length === 0 && issues.length === 0) issues.push({ line: 2, message: 'the roster has a header but no students' });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, students };
}

/** `--students N`: ids student-01 … student-N, zero-padded so they sort. */
export function numberedStudents(count: number): Student[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => ({ id: `student-${String(i + 1).padStart(width, '0')}` }));
}
