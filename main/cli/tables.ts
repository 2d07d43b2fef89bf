/**
 * The tables and notes the `labforge` commands print: the class status table, the checks grid,
 * drift lines and the notes under the status table. The engine returns data; words for a
 * terminal, and the commands that act on them, are the CLI's.
 */
import { escapeControl } from '../../common/lab/escape';
import { progressOf, type StudentChecks } from '../engine/checks';
import type { StudentRow } from '../engine/class-ops';
import { keptVolumesHelp } from '../engine/expiry';
import { formatRemaining } from '../engine/expiry-time';
import type { StudentDrift } from '../engine/reconcile-diff';
import type { ClassHealth } from '../engine/reconcile-status';
import { formatSession, scheduleWindow } from '../engine/class-schedule';
import { formatSeconds } from './args';

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** The status table; a class over zones gets a ZONE column. */
export function formatRows(rows: (StudentRow & { zone?: string })[], withZone = false): string {
  const header = ['STUDENT', ...(withZone ? ['ZONE'] : []), 'NAMESPACE', 'RELEASE', 'READY', 'CPU (used/hard)', 'MEMORY (used/hard)', 'NOT READY'];
  // A suspended lab is one fact, not a list of stopped nodes; an idle warning is said where it stands.
  const notReady = (r: StudentRow) =>
    r.suspended
      ? `suspended by ${r.suspended.by} since ${r.suspended.at.slice(0, 16).replace('T', ' ')} UTC`
      : Object.entries(r.nodes)
      .filter(([, n]) => n.state !== 'ready')
      .map(([node, n]) => `${node}: ${n.reason ?? n.state}`)
      .join(', ') + (r.idleSuspendAt ? `${Object.values(r.nodes).some((n) => n.state !== 'ready') ? '; ' : ''}idle: suspends at ${r.idleSuspendAt.slice(11, 16)} UTC unless used` : '');
  const data = rows.map((r) => [r.student, ...(withZone ? [r.zone ?? ''] : []), r.namespace, r.release, `${r.ready}/${r.total}${r.phase === 'Terminating' ? ' (terminating)' : ''}`, `${r.cpu.used}/${r.cpu.hard}`, `${r.memory.used}/${r.memory.hard}`, notReady(r)]);
  return table([header, ...data]);
}

const CELL: Record<string, string> = { pass: 'pass', fail: 'FAIL', timeout: 'TIME', error: 'ERR' };

/**
 * The students × checks grid `labforge check` prints, then a line per failing check with its hint.
 * A FAIL: line is whatever the student's node printed, so every cell and note is shown with its
 * control characters escaped as `validate` shows a lab file's values: an OSC or CSI sequence in it
 * must not retitle, clear or write the clipboard of the instructor's terminal.
 */
export function formatCheckGrid(students: readonly StudentChecks[]): string {
  const ids = [...new Set(students.flatMap((s) => s.checks.map((c) => c.id)))];
  const header = ['STUDENT', ...ids, 'PASSED', 'POINTS', 'ACHIEVEMENTS'].map(escapeControl);
  const rows = students.map((s) => {
    const p = progressOf(s);
    return [s.student, ...ids.map((id) => (s.checks.some((c) => c.id === id) ? CELL[s.results.checks[id]?.status ?? ''] ?? '-' : '')), `${p.passed}/${p.total}`, `${p.points}/${p.maxPoints}`, p.achievements.join(', ')].map(escapeControl);
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const lines = [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  const notes: string[] = [];
  for (const s of students) {
    for (const c of s.checks) {
      const r = s.results.checks[c.id];
      if (!r || r.status === 'pass') continue;
      const why = r.failLine ?? r.message ?? (r.exitCode !== null ? `exit status ${r.exitCode}` : '');
      notes.push(escapeControl(`${s.student} ${c.id}: ${why}${c.hint ? ` (hint: ${c.hint})` : ''}`));
    }
    if (s.recordError) notes.push(escapeControl(`${s.student}: results not recorded: ${s.recordError}`));
    if (s.suspended) notes.push(escapeControl(`${s.student}: not checked: the lab is suspended; its recorded results are shown (\`labforge resume\` to check it again)`));
  }
  return `${lines.join('\n')}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}

const shown = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v).slice(0, 80));

/** One line per drifted object and field. */
export function formatDrift(drift: StudentDrift[]): string {
  const lines: string[] = [];
  for (const s of drift) {
    for (const o of s.objects) {
      const head = `${s.student} (${s.namespace}): ${o.kind}/${o.name}`;
      if (o.problem === 'missing') lines.push(`${head} is missing`);
      else if (o.problem === 'extra') lines.push(`${head} is not part of the release and the student may not create it`);
      else for (const f of o.fields) lines.push(`${head} ${f.path}: want ${shown(f.want)}, have ${shown(f.have)}${f.by.length ? ` (changed by ${f.by.join(', ')})` : ''}`);
    }
  }
  return lines.join('\n');
}

/** The command that brings an ended class back, for the kept-volumes note. */
export const publishAgain = (className: string) => `labforge publish <lab@tag> --class ${className} --expires 30d`;

/** Lines under the status table. */
export function formatHealth(className: string, h: ClassHealth): string {
  const lines: string[] = [];
  if (h.ended) lines.push(`class ${className} ended at ${h.ended.at}`, keptVolumesHelp(h.ended.keptVolumes, publishAgain(className)));
  else if (h.expiry.state === 'warning') lines.push(`WARNING: class ${className} ends at ${h.expiry.expiresAt}, in ${formatRemaining(h.expiry.remainingSeconds)}; move it with \`labforge expire --class ${className} <date>\``);
  else if (h.expiry.state === 'active') lines.push(`class ${className} ends at ${h.expiry.expiresAt}`);
  else if (h.expiry.state === 'expired') lines.push(`class ${className} reached its end date at ${h.expiry.expiresAt}; \`labforge reconcile --class ${className} --watch\` tears it down`);
  if (h.drift.length) {
    lines.push(`drift in ${h.drift.length} students (details: labforge reconcile --class ${className}):`);
    for (const s of h.drift) lines.push(`  ${s.student}: ${s.objects.map((o) => `${o.kind}/${o.name} ${o.problem}${o.fields.length ? ` (${o.fields.map((f) => f.path).join(', ')})` : ''}`).join('; ')}`);
  }
  // Class time: when the class meets and what idleness does (docs/reconcile.md, "Class time").
  if (h.schedule) {
    const w = scheduleWindow(h.schedule, new Date());
    const now = w.current ? `${w.current.warming ? 'warming up for' : 'in session'} ${formatSession(w.current, h.schedule.timezone)}` : w.next ? `next session ${formatSession(w.next, h.schedule.timezone)}` : 'no session ahead';
    lines.push(`class time: ${now} (\`labforge schedule --class ${className}\`)`);
  }
  if (h.idle) lines.push(`class time: idle labs are suspended after ${formatSeconds(h.idle.afterSeconds)}, the student warned ${formatSeconds(h.idle.warnSeconds)} before`);
  const withLinks = h.links.filter((l) => l.links.length);
  if (withLinks.length) {
    lines.push('web links:');
    for (const s of withLinks) lines.push(`  ${s.student}: ${s.links.map((l) => l.url).join('  ')}`);
  }
  return lines.join('\n');
}
