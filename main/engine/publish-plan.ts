/**
 * What a publish would do, without writing: which students are new, whether they fit the
 * cluster, what an upgrade changes for students on another release, and who is in the class
 * but not in this roster. The app shows it before the instructor confirms; the numbers are the
 * ones publish itself checks.
 */
import { LABEL, ANNOTATION } from '../../common/compile';
import { diffLabs, formatChange } from '../../common/lab/diff';
import { humanQuantities } from '../../common/lab/human-size';
import type { Student } from '../class/roster';
import type { Cluster } from '../kube/cluster';
import { classCapacity } from './capacity';
import { classNamespaces } from './publish';
import { getRelease, type Release } from './releases';
import { namespaceResolver } from './student-namespace';

export interface PublishPlan {
  existing: number;
  capacity: { fits: boolean; newStudents: number; rows: { resource: 'cpu' | 'memory' | 'pods'; needed: string; free: string; fits: boolean }[] };
  /** Students on other releases of this lab are upgraded in place; their volumes are kept. */
  upgrade: { from: string[]; changes: string[] } | null;
  leaving: string[];
}

export async function planPublish(cluster: Cluster, opts: { className: string; release: Release; students: Student[] }): Promise<PublishPlan> {
  const { className, release, students } = opts;
  const existing = await classNamespaces(cluster, className);
  const existingNames = new Set(existing.map((n) => n.metadata?.name ?? ''));
  const namespaceOf = namespaceResolver(className, existing);
  const wanted = new Set(students.map((s) => namespaceOf(s.id)));
  const fresh = [...wanted].filter((n) => !existingNames.has(n)).length;
  const report = await classCapacity(cluster, release.lab, fresh);

  const otherTags = [...new Set(existing.filter((n) => wanted.has(n.metadata?.name ?? '')).map((n) => n.metadata?.labels?.[LABEL.release]).filter((t): t is string => !!t && t !== release.tag))].sort();
  let upgrade: PublishPlan['upgrade'] = null;
  if (otherTags.length > 0) {
    const changes: string[] = [];
    for (const tag of otherTags) {
      const old = await getRelease(cluster, release.labName, tag);
      const lines = diffLabs(old.lab, release.lab).map(formatChange);
      changes.push(...(otherTags.length > 1 ? lines.map((l) => `${tag}: ${l}`) : lines));
    }
    upgrade = { from: otherTags, changes };
  }
  const leaving = existing
    .filter((n) => !wanted.has(n.metadata?.name ?? ''))
    .map((n) => n.metadata?.annotations?.[ANNOTATION.studentId] ?? n.metadata?.labels?.[LABEL.student] ?? n.metadata?.name ?? '');
  return {
    existing: existing.length - leaving.length,
    capacity: { fits: report.fits, newStudents: fresh, rows: report.rows.map((r) => {
        // Needed and free side by side in one unit, so they can be compared at a glance.
        const [needed, free] = humanQuantities(r.resource, [r.needed, r.free]) as [string, string];
        return { resource: r.resource, needed, free, fits: r.fits };
      }) },
    upgrade,
    leaving,
  };
}
