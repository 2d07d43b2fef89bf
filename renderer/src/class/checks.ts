/**
 * The class's check results in the app: loaded from what the cluster recorded (so every
 * instructor machine shows the same), refreshed while the class view is open, and "Run checks
 * now" for the class or one student. The engine runs the checks and computes the progress;
 * this only holds what main answers.
 */
import { create } from 'zustand';
import type { Request, Response } from '../../../common/api/contract';
import { gradesCsv } from '../../../common/export/grades-csv';
import { invoke } from '../api/client';
import { useUi } from '../store/ui';

export type StudentChecks = Response<'checks.results'>['students'][number];
export type CheckRun = Response<'checks.try'>;

export interface ChecksState {
  className: string | null;
  students: StudentChecks[];
  /** Who is being checked now: '*' for the whole class, else a student id. */
  running: string[];
  error: string | null;
  /** The cell shown in the detail panel. */
  selected: { student: string; check: string } | null;
}

export const useChecks = create<ChecksState>()(() => ({ className: null, students: [], running: [], error: null, selected: null }));

const context = () => useUi.getState().kubeContext;

/** Reads the recorded results of a class (no checks run). */
export async function loadCheckResults(className: string): Promise<void> {
  if (useChecks.getState().className !== className) useChecks.setState({ className, students: [], error: null, selected: null });
  const r = await invoke('checks.results', { context: context(), className });
  if (useChecks.getState().className !== className) return;
  if (r.ok) useChecks.setState({ students: r.value.students, error: null });
  else useChecks.setState({ error: r.error.message });
}

/** Runs the checks now, for the whole class or one student, and shows the recorded results. */
export async function runChecksNow(className: string, student?: string): Promise<void> {
  const who = student ?? '*';
  if (useChecks.getState().running.includes(who)) return;
  useChecks.setState((s) => ({ running: [...s.running, who] }));
  try {
    const r = await invoke('checks.run', { context: context(), className, ...(student !== undefined ? { student } : {}) });
    if (useChecks.getState().className !== className) return;
    if (r.ok) {
      useChecks.setState({ students: r.value.students, error: null });
      const unrecorded = r.value.students.filter((s) => s.recordError);
      if (unrecorded.length) useUi.getState().notify('error', `results of ${unrecorded.map((s) => s.student).join(', ')} could not be recorded: ${unrecorded[0]!.recordError}`);
    } else {
      useChecks.setState({ error: r.error.message });
      useUi.getState().notify('error', r.error.message);
    }
  } finally {
    useChecks.setState((s) => ({ running: s.running.filter((x) => x !== who) }));
  }
}

/**
 * Downloads the class's recorded results as `<class>-grades.csv` (common/export/grades-csv.ts,
 * the same bytes as `labforge grades`). The results are read again first: the view's copy may be
 * up to a refresh old, and a grade export should hold what the cluster has recorded now.
 */
export async function downloadGrades(className: string): Promise<void> {
  const r = await invoke('checks.results', { context: context(), className });
  if (!r.ok) return useUi.getState().notify('error', `grades not exported: ${r.error.message}`);
  if (useChecks.getState().className === className) useChecks.setState({ students: r.value.students, error: null });
  const blob = new Blob([gradesCsv(r.value.students)], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${className}-grades.csv`;
  a.click();
  URL.revokeObjectURL(a.href);
}

/** Runs one check of the open lab against its dev namespace; nothing is recorded. */
export async function tryCheckOnDev(lab: Request<'checks.try'>['lab'], check: string): Promise<{ run: CheckRun } | { error: string }> {
  const r = await invoke('checks.try', { context: context(), lab, check });
  return r.ok ? { run: r.value } : { error: r.error.message };
}
