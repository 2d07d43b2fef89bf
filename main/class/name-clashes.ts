/**
 * Students of one roster who would share a name in the cluster: the same namespace, or the same
 * `labforge.dev/student` label value (which selects a student's objects). Either would put two
 * students in one namespace, or hand one student's credentials and results to the other. Names
 * are hashes of the ids where ids are long or not DNS labels (common/compile/names.ts), so a
 * collision is rare by accident but can be searched for; publish and `compile -o` refuse the
 * roster before writing anything, naming the roster lines.
 */
import { studentKey, studentNamespace } from '../../common/compile/names';
import { quoteInput } from '../../common/lab/escape';
import type { Student } from './roster';

export interface NameClash {
  what: 'namespace' | 'student label';
  value: string;
  students: Student[];
}

function groupsOf(students: readonly Student[], nameOf: (s: Student) => string): [string, Student[]][] {
  const by = new Map<string, Student[]>();
  for (const s of students) by.set(nameOf(s), [...(by.get(nameOf(s)) ?? []), s]);
  return [...by].filter(([, group]) => group.length > 1);
}

export function nameClashes(className: string, students: readonly Student[]): NameClash[] {
  return [
    ...groupsOf(students, (s) => studentNamespace(className, s.id)).map(([value, group]) => ({ what: 'namespace' as const, value, students: group })),
    ...groupsOf(students, (s) => studentKey(s.id)).map(([value, group]) => ({ what: 'student label' as const, value, students: group })),
  ];
}

/** A student as errors name them: `line 3 (id "…")` for a roster line, else `id "…"`. */
export const rosterRef = (s: Student) => (s.line !== undefined ? `line ${s.line} (id ${quoteInput(s.id, 140)})` : `id ${quoteInput(s.id, 140)}`);

/** `line 3 (id "…") and line 7 (id "…") would share namespace x`: by roster line where there is one. */
export function formatClash(c: NameClash): string {
  const who = c.students.map(rosterRef);
  return `${who.slice(0, -1).join(', ')} and ${who.at(-1)} would share ${c.what} ${c.value}; change one of the ids`;
}
