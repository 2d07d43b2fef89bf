/**
 * What `status` and the app's class view show besides the table: the end date (a warning
 * within the warning period, what was kept once it passed), drift per student, and each
 * student's web links. The CLI words them (main/cli/tables.ts), the app shows them itself.
 */
import type { ExpiryState } from './expiry-time';
import type { Cluster } from '../kube/cluster';
import type { ReleaseReader } from './releases';
import { classLinks, reconcile, type StudentLinks } from './reconcile';
import type { StudentDrift } from './reconcile-diff';
import type { ClassSettings, KeptVolume } from './reconcile-settings';
import { readClassSettings } from './reconcile-settings';

export interface ClassHealth {
  expiry: ExpiryState;
  /** Set once the class ended. */
  ended?: { at: string; keptVolumes: KeptVolume[] };
  drift: StudentDrift[];
  links: StudentLinks[];
  /** Class time as the settings hold it (class-time.ts, class-schedule.ts); absent: none set. */
  idle?: NonNullable<ClassSettings['idle']>;
  schedule?: NonNullable<ClassSettings['schedule']>;
}

/** `releases`: where the releases are read, when not in `cluster` (a zone of a class over zones). */
export async function classHealth(cluster: Cluster, className: string, releases?: ReleaseReader): Promise<ClassHealth> {
  const [{ report }, links, settings] = await Promise.all([reconcile(cluster, className, releases ? { releases } : {}), classLinks(cluster, className, undefined, releases), readClassSettings(cluster, className)]);
  return {
    expiry: report.expiry,
    ...(settings?.expired ? { ended: settings.expired } : {}),
    drift: report.students,
    links,
    ...(settings?.idle ? { idle: settings.idle } : {}),
    ...(settings?.schedule ? { schedule: settings.schedule } : {}),
  };
}

