/**
 * What `status` and the app's class view show besides the table: the end date (a warning
 * within the warning period, what was kept once it passed), drift per student, and each
 * student's web links.
 */
import { keptVolumesHelp } from './expiry';
import { formatRemaining, type ExpiryState } from './expiry-time';
import type { Cluster } from '../kube/cluster';
import type { ReleaseReader } from './releases';
import { classLinks, reconcile, type StudentLinks } from './reconcile';
import type { StudentDrift } from './reconcile-diff';
import type { KeptVolume } from './reconcile-settings';
import { readClassSettings } from './reconcile-settings';

export interface ClassHealth {
  expiry: ExpiryState;
  /** Set once the class ended. */
  ended?: { at: string; keptVolumes: KeptVolume[] };
  drift: StudentDrift[];
  links: StudentLinks[];
}

/** `releases`: where the releases are read, when not in `cluster` (a zone of a class over zones). */
export async function classHealth(cluster: Cluster, className: string, releases?: ReleaseReader): Promise<ClassHealth> {
  const [{ report }, links, settings] = await Promise.all([reconcile(cluster, className, releases ? { releases } : {}), classLinks(cluster, className, undefined, releases), readClassSettings(cluster, className)]);
  return { expiry: report.expiry, ...(settings?.expired ? { ended: settings.expired } : {}), drift: report.students, links };
}

/** Lines under the status table. */
export function formatHealth(className: string, h: ClassHealth): string {
  const lines: string[] = [];
  if (h.ended) lines.push(`class ${className} ended at ${h.ended.at}`, keptVolumesHelp(className, h.ended.keptVolumes));
  else if (h.expiry.state === 'warning') lines.push(`WARNING: class ${className} ends at ${h.expiry.expiresAt}, in ${formatRemaining(h.expiry.remainingSeconds)}; move it with \`labforge expire --class ${className} <date>\``);
  else if (h.expiry.state === 'active') lines.push(`class ${className} ends at ${h.expiry.expiresAt}`);
  else if (h.expiry.state === 'expired') lines.push(`class ${className} reached its end date at ${h.expiry.expiresAt}; \`labforge reconcile --class ${className} --watch\` tears it down`);
  if (h.drift.length) {
    lines.push(`drift in ${h.drift.length} students (details: labforge reconcile --class ${className}):`);
    for (const s of h.drift) lines.push(`  ${s.student}: ${s.objects.map((o) => `${o.kind}/${o.name} ${o.problem}${o.fields.length ? ` (${o.fields.map((f) => f.path).join(', ')})` : ''}`).join('; ')}`);
  }
  const withLinks = h.links.filter((l) => l.links.length);
  if (withLinks.length) {
    lines.push('web links:');
    for (const s of withLinks) lines.push(`  ${s.student}: ${s.links.map((l) => l.url).join('  ')}`);
  }
  return lines.join('\n');
}
