/**
 * A class's standing settings, kept in the cluster so every instructor machine and the
 * in-cluster reconciler read the same: the domain and kind of its web links, its end date and
 * what happens to volumes then, when it meets (its schedule), and — once it ended — what was kept.
 *
 * - Settings: ConfigMap `labforge-system/labforge-class-<class>` (JSON, checked on read).
 * - Link key: Secret `labforge-system/labforge-links-<class>`, created once with 256 random bits.
 *   Random subdomains are a keyed hash of it, so they are stable across publishes and
 *   unguessable to anyone who cannot read that Secret (students cannot).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { LABEL, MANAGED_BY } from '../../common/compile/labels';
import { kindOf, type Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { CONFIG_MAP, NAMESPACE, SECRET } from '../kube/kinds';
import { classScheduleSchema, type ClassSchedule } from './class-schedule';
import { SYSTEM_NAMESPACE } from './release-record';


const keptVolume = z.object({ student: z.string(), namespace: z.string(), volume: z.string() });

const settingsSchema = z.object({
  domain: z.string().optional(),
  links: z.enum(['readable', 'random']).default('readable'),
  /** ISO 8601 end date; absent: the class never ends by itself. */
  expiresAt: z.string().optional(),
  /** How long before the end date status warns. */
  warnSeconds: z.number().int().nonnegative().default(7 * 86_400),
  /** At the end date: keep the volumes (their namespaces stay, holding only them) or delete everything. */
  volumes: z.enum(['keep', 'delete']).default('keep'),
  /** Idle labs are suspended after `afterSeconds` without use, the student warned `warnSeconds` before (class-time.ts); absent: never. */
  idle: z.object({ afterSeconds: z.number().int().positive(), warnSeconds: z.number().int().nonnegative() }).optional(),
  /** When the class meets (class-schedule.ts); absent: labs are never suspended or resumed by time. */
  schedule: classScheduleSchema.optional(),
  /** Set when the class was torn down at its end date. */
  expired: z.object({ at: z.string(), keptVolumes: z.array(keptVolume) }).optional(),
});

export type ClassSettings = z.infer<typeof settingsSchema>;
export type KeptVolume = z.infer<typeof keptVolume>;

export const settingsName = (className: string) => `labforge-class-${className}`;
export const linkKeyName = (className: string) => `labforge-links-${className}`;
const DEFAULT_SETTINGS: ClassSettings = settingsSchema.parse({});

const recordLabels = (className: string, record: string) => ({ [LABEL.managedBy]: MANAGED_BY, [LABEL.class]: className, 'labforge.dev/record': record });

export async function readClassSettings(cluster: Cluster, className: string): Promise<ClassSettings | undefined> {
  const cm = await cluster.read(CONFIG_MAP, settingsName(className), SYSTEM_NAMESPACE);
  const text = cm?.data?.['settings.json'];
  if (text === undefined) return undefined;
  const where = `the settings of class ${className} (ConfigMap ${SYSTEM_NAMESPACE}/${settingsName(className)})`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KubeError('invalid', `${where} are not JSON; fix or delete the ConfigMap, then publish again`);
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KubeError('invalid', `${where}: ${issue.path.join('.') || '(top)'}: ${issue.message}; fix or delete the ConfigMap, then publish again`);
  }
  return parsed.data;
}

/** The system namespace, as snapshot makes it (a class may be published from a release made elsewhere). */
export async function ensureSystemNamespace(cluster: Cluster): Promise<void> {
  if (await cluster.read(NAMESPACE, SYSTEM_NAMESPACE)) return;
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: { [LABEL.managedBy]: MANAGED_BY } } });
}

export async function writeClassSettings(cluster: Cluster, className: string, settings: ClassSettings): Promise<void> {
  await ensureSystemNamespace(cluster);
  await cluster.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: settingsName(className), namespace: SYSTEM_NAMESPACE, labels: recordLabels(className, 'class') },
    data: { 'settings.json': JSON.stringify(settingsSchema.parse(settings)) },
  });
}

/** Merges `change` into the stored settings (or the defaults) and stores the result. */
export async function updateClassSettings(cluster: Cluster, className: string, change: (s: ClassSettings) => ClassSettings): Promise<ClassSettings> {
  const next = change((await readClassSettings(cluster, className)) ?? DEFAULT_SETTINGS);
  await writeClassSettings(cluster, className, next);
  return next;
}

export async function readLinkKey(cluster: Cluster, className: string): Promise<string | undefined> {
  const secret = await cluster.read(SECRET, linkKeyName(className), SYSTEM_NAMESPACE);
  const b64 = secret?.data?.['key'];
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/** The class's link key, created on first use; a concurrent creator's key wins (create, never overwrite). */
async function ensureLinkKey(cluster: Cluster, className: string): Promise<string> {
  const existing = await readLinkKey(cluster, className);
  if (existing) return existing;
  const key = randomBytes(32).toString('hex');
  try {
    await cluster.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: linkKeyName(className), namespace: SYSTEM_NAMESPACE, labels: recordLabels(className, 'links') },
      type: 'Opaque',
      data: { key: Buffer.from(key, 'utf8').toString('base64') },
    });
    return key;
  } catch (err) {
    if (err instanceof KubeError && err.kind === 'conflict') {
      const winner = await readLinkKey(cluster, className);
      if (winner) return winner;
    }
    throw err instanceof KubeError ? err.in(`creating the link key of class ${className}`) : err;
  }
}

export interface PublishSettingsChange {
  domain?: string;
  links?: 'readable' | 'random';
  expiresAt?: string;
  volumes?: 'keep' | 'delete';
  /** A new schedule; null removes the class's schedule; absent keeps it. */
  schedule?: ClassSchedule | null;
}

/**
 * What a publish compiles with: the given options over the stored ones (a reset or a later
 * publish without flags keeps the class's domain and links), stored for the next one. A new
 * end date also clears an earlier expiry, so publishing again brings an ended class back.
 */
export async function settingsForPublish(cluster: Cluster, className: string, change: PublishSettingsChange): Promise<{ settings: ClassSettings; linkKey?: string }> {
  const settings = await updateClassSettings(cluster, className, (s) => {
    const { expired, ...rest } = s;
    const { schedule, ...others } = change;
    const next: ClassSettings = { ...rest, ...definedOnly(others) };
    if (schedule === null) delete next.schedule;
    else if (schedule) next.schedule = schedule;
    if (expired && !(change.expiresAt && Date.parse(change.expiresAt) > Date.now())) next.expired = expired;
    return next;
  });
  if (settings.expired) throw new KubeError('invalid', `class ${className} ended at ${settings.expired.at}; publish with a later end date to bring it back`, { hint: 'later-end-date' });
  return { settings, ...(settings.links === 'random' ? { linkKey: await ensureLinkKey(cluster, className) } : {}) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Deletes the settings and link key (the class is gone for good). */
export async function deleteClassSettings(cluster: Cluster, className: string): Promise<void> {
  await cluster.delete(CONFIG_MAP, settingsName(className), SYSTEM_NAMESPACE);
  await cluster.delete(SECRET, linkKeyName(className), SYSTEM_NAMESPACE);
}
