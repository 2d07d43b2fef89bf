/**
 * Schedule files (`labforge publish --schedule FILE`, `labforge schedule --set FILE`): YAML with
 * `timezone`, `warm` and `sessions`, checked into a ClassSchedule (main/engine/class-schedule.ts)
 * with every problem at its line and column. Here in the CLI, its only reader, so the engine
 * and the in-cluster reconciler never load a YAML parser for schedules.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { aliasIssue } from '../../common/lab/parse';
import { DEFAULT_WARM_SECONDS, findOverlap, MAX_ENTRIES, MAX_WARM_SECONDS, dateDay, parseDays, timeProblem, type ClassSchedule, type ScheduleEntry, type Weekday } from '../engine/class-schedule';
import { localTimezone, timezoneName } from '../engine/wall-time';
import { parseDuration } from './args';

/** Thrown by parseScheduleFile: every problem, as `file:line:column: path: message`. */
export class ScheduleFileError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('\n'));
  }
}

type Path = (string | number)[];
const pathText = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(document)';

/** The node at `path` (or the deepest one found on the way); at `key`'s key when given. */
function nodeAt(doc: Document, path: Path, key?: string): Node | undefined {
  let found: Node | undefined = doc.contents ?? undefined;
  for (const part of path) {
    const next = isMap(found) || isSeq(found) ? found.get(part, true) : undefined;
    if (!next || !(isMap(next) || isSeq(next) || isScalar(next))) break;
    found = next;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return found;
}

const FILE_KEYS = ['timezone', 'warm', 'sessions'];
const SESSION_KEYS = ['days', 'date', 'start', 'end'];

/** Seconds of a warm-up as a file writes it: 15m, 1h, 900 (seconds), 0; a message when it is not one. */
function warmSeconds(value: unknown): number | string {
  let s: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) s = value;
  // The CLI's own durations (--warm, --timeout), so a file and a flag read alike.
  else if (typeof value === 'string') s = parseDuration(value.trim());
  if (s === undefined) return 'must be a duration such as 15m, 1h or 0';
  if (s < 0 || s > MAX_WARM_SECONDS) return 'must be between 0 and 1d';
  return s;
}

/**
 * A schedule file (YAML): `timezone` (default: this machine's), `warm` (default 15m) and
 * `sessions`, each `{days: [Mon, Wed], start: '09:00', end: '11:00'}` or `{date: 2026-12-14, ...}`.
 * Throws ScheduleFileError with every problem at its line and column.
 */
export function parseScheduleFile(yamlText: string, file: string): ClassSchedule {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2', logLevel: 'error' });
  const position = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const at = (offset: number | undefined) => {
    const p = position(offset ?? 0);
    return `${file}:${p.line}:${p.column}`;
  };
  if (doc.errors.length) throw new ScheduleFileError(doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    const issue = aliasIssue(doc, err, position);
    throw new ScheduleFileError([`${file}:${issue.line ?? 1}:${issue.column ?? 1}: ${issue.message}`]);
  }

  const issues: string[] = [];
  const problem = (path: Path, message: string, key?: string) => issues.push(`${at(nodeAt(doc, path, key)?.range?.[0])}: ${pathText(key ? [...path, key] : path)}: ${message}`);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const unknownKeys = (v: Record<string, unknown>, path: Path, allowed: string[], what: string) => {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) problem(path, `unknown field; ${what} takes ${allowed.join(', ')}`, k);
  };

  if (!isObject(raw)) throw new ScheduleFileError([`${file}:1:1: (document): a schedule file is a mapping with timezone, warm and sessions`]);
  unknownKeys(raw, [], FILE_KEYS, 'a schedule file');

  let timezone = localTimezone();
  if (raw['timezone'] !== undefined) {
    const name = typeof raw['timezone'] === 'string' ? timezoneName(raw['timezone']) : undefined;
    if (name) timezone = name;
    else problem(['timezone'], 'not a time zone this machine knows; use an IANA name such as Europe/Paris');
  }
  let warm = DEFAULT_WARM_SECONDS;
  if (raw['warm'] !== undefined) {
    const w = warmSeconds(raw['warm']);
    if (typeof w === 'string') problem(['warm'], w);
    else warm = w;
  }

  const entries: ScheduleEntry[] = [];
  const sessions = raw['sessions'];
  if (!Array.isArray(sessions) || sessions.length === 0) problem(['sessions'], "sessions must list at least one session, e.g. - {days: [Mon, Wed], start: '09:00', end: '11:00'}");
  else if (sessions.length > MAX_ENTRIES) problem(['sessions'], `a schedule has at most ${MAX_ENTRIES} sessions`);
  else {
    sessions.forEach((s: unknown, i) => {
      const path: Path = ['sessions', i];
      if (!isObject(s)) return problem(path, "a session is a mapping: days or date, start and end, e.g. {days: [Mon], start: '09:00', end: '11:00'}");
      unknownKeys(s, path, SESSION_KEYS, 'a session');
      const before = issues.length;
      const time = (key: 'start' | 'end') => {
        const v = s[key];
        if (v === undefined) problem(path, `${key} is missing; write it as HH:MM, e.g. '09:00'`);
        else if (typeof v !== 'string') problem([...path, key], `write the time as a quoted HH:MM, e.g. '09:00'`);
        else {
          const p = timeProblem(v);
          if (p) problem([...path, key], p);
        }
        return String(v);
      };
      if ((s['days'] === undefined) === (s['date'] === undefined)) problem(path, 'a session has either days (weekly) or a date (once)');
      let days: Weekday[] | undefined;
      if (s['days'] !== undefined) {
        const d = s['days'];
        const parsed = typeof d === 'string' ? parseDays(d) : Array.isArray(d) && d.length > 0 && d.every((x) => typeof x === 'string') ? parseDays(d.join(',')) : 'days must list days, e.g. [Mon, Wed] or Mon-Fri';
        if (typeof parsed === 'string') problem([...path, 'days'], parsed);
        else days = parsed;
      }
      let date: string | undefined;
      if (s['date'] !== undefined) {
        if (typeof s['date'] === 'string' && dateDay(s['date']) !== undefined) date = s['date'];
        else problem([...path, 'date'], 'date must be a calendar date written YYYY-MM-DD, e.g. 2026-12-14');
      }
      const start = time('start');
      const end = time('end');
      if (issues.length === before) entries.push(days ? { days, start, end } : { date: date!, start, end });
    });
    // Overlaps only between well-formed sessions, whose indices then match the file's.
    if (issues.length === 0) {
      const o = findOverlap(entries);
      if (o) problem(['sessions', o.second], o.message);
    }
  }
  if (issues.length) throw new ScheduleFileError(issues);
  return { timezone, warmSeconds: warm, entries };
}
