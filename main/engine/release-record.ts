/**
 * The release record: how a release is stored in the cluster (an immutable ConfigMap in
 * `labforge-system`). Any instructor's machine reads records that other machines — possibly
 * other Labforge versions — wrote, so the record is versioned, decoded strictly, and older
 * versions are lifted to the current one by a chain of migrations, as lab files are.
 *
 * Versions:
 * - v0 (no `recordVersion`): author and creation time in annotations, which anyone can edit.
 * - v1 (`recordVersion: labforge.dev/release-v1`): they move into the immutable data, next to
 *   the lab, the compiled template and the image table. The annotations are still written, for
 *   people reading with kubectl and for Labforge versions that read v0 only.
 */
import { z } from 'zod';
import { ANNOTATION, LABEL, managedSelector, MANAGED_BY } from '../../common/compile/labels';
import type { KubeObject } from '../../common/compile/types';
import { DNS_LABEL } from '../../common/lab/dns-label';
import { formatIssue, parseLab, serializeLab, type Lab } from '../../common/lab';
import { KubeError } from '../kube/errors';

export const SYSTEM_NAMESPACE = 'labforge-system';
const RELEASE_RECORD_V0 = 'labforge.dev/release-v0';
export const RELEASE_RECORD_V1 = 'labforge.dev/release-v1';
const RELEASE_RECORD_VERSION = RELEASE_RECORD_V1;
/** The value of LABEL.component on release records. */
const COMPONENT = 'release';

export interface PinnedImage {
  node: string;
  image: string;
  /** image@sha256:…, or undefined when the cluster reported no digest for it. */
  pinned?: string;
}

export interface Release {
  lab: Lab;
  labName: string;
  tag: string;
  createdAt: string;
  author: string;
  /** The instructor's words for the other instructors; '' when none. */
  note: string;
  images: PinnedImage[];
  template: string;
}

/** A release as a list shows it: everything but the lab and its template. */
export type ReleaseSummary = Omit<Release, 'lab' | 'template'>;

export const releaseName = (lab: string, tag: string) => `release-${lab}-${tag}`;

/** Release records, of every lab or of one. */
export const releaseSelector = (lab?: string) => managedSelector({ [LABEL.component]: COMPONENT, [LABEL.lab]: lab });

/** A record as stored: the ConfigMap's name, labels, annotations and data, in any version. */
export interface RecordDocument {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  data: Record<string, string>;
}

/** A migration found the record unusable: `field` names where. */
class RecordError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RecordMigration {
  from: string;
  to: string;
  up: (doc: RecordDocument) => RecordDocument;
}

const RECORD_MIGRATIONS: readonly RecordMigration[] = [
  {
    from: RELEASE_RECORD_V0,
    to: RELEASE_RECORD_V1,
    up: (doc) => {
      const moved: Record<string, string> = {};
      for (const [field, key] of [['createdAt', ANNOTATION.createdAt], ['author', ANNOTATION.author]] as const) {
        const value = doc.metadata.annotations[key];
        if (value === undefined) throw new RecordError(`metadata.annotations["${key}"]`, 'is missing (a record without recordVersion keeps it there)');
        moved[field] = value;
      }
      return { ...doc, data: { ...doc.data, ...moved, recordVersion: RELEASE_RECORD_V1 } };
    },
  },
];

/** The version of a stored record: its data's `recordVersion`, or v0 when it has none. */
const recordVersionOf = (doc: RecordDocument) => doc.data['recordVersion'] ?? RELEASE_RECORD_V0;

/** Lifts `doc` to the current version through `migrations`; throws RecordError when it cannot. */
export function migrateRecord(doc: RecordDocument, migrations: readonly RecordMigration[] = RECORD_MIGRATIONS): { doc: RecordDocument; applied: string[] } {
  let current = doc;
  const applied: string[] = [];
  // Bounded by the table size, so a cyclic table cannot loop forever.
  for (let step = 0; step <= migrations.length; step++) {
    const version = recordVersionOf(current);
    if (version === RELEASE_RECORD_VERSION) return { doc: current, applied };
    const m = migrations.find((x) => x.from === version);
    if (!m) {
      throw new RecordError('data.recordVersion', `is "${version}", which this Labforge cannot read (it reads up to "${RELEASE_RECORD_VERSION}"); upgrade Labforge`);
    }
    current = m.up(current);
    applied.push(`${m.from} → ${m.to}`);
  }
  throw new RecordError('data.recordVersion', 'the migration table has a cycle');
}

const tag = z.string().regex(DNS_LABEL, { error: 'must be a DNS-1123 label' });

const pinnedImage = z.strictObject({
  node: z.string().min(1),
  image: z.string().min(1),
  pinned: z.string().regex(/@sha256:[a-f0-9]{64}$/, { error: 'must end in @sha256:<64 hex digits>' }).optional(),
});

/** A data key holding JSON: parsed, then checked with `schema`. */
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `is not JSON: ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** The current version, strictly: unknown data keys are refused, labels and annotations may carry more. */
const recordV1 = z.object({
  metadata: z.object({
    name: z.string(),
    labels: z.looseObject({
      [LABEL.managedBy]: z.literal(MANAGED_BY),
      [LABEL.component]: z.literal(COMPONENT),
      [LABEL.lab]: tag,
      [LABEL.release]: tag,
    }),
    annotations: z.record(z.string(), z.string()),
  }),
  data: z.strictObject({
    recordVersion: z.literal(RELEASE_RECORD_V1),
    createdAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date and time' }),
    author: z.string().min(1, { error: 'must not be empty' }),
    // Optional within v1: records written before notes existed stay valid without a migration.
    note: z.string().max(2000).optional(),
    'lab.yaml': z.string(),
    'template.yaml': z.string(),
    'images.json': json(z.array(pinnedImage)),
  }),
});

/** What any version has in common: a named ConfigMap with string maps. */
const envelope = z.object({
  metadata: z.object({
    name: z.string(),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
  }),
  data: z.record(z.string(), z.string()).default({}),
});

/** `metadata.labels["labforge.dev/lab"]`: a zod path the way kubectl users read it. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    const s = String(p);
    out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? (out ? `.${s}` : s) : `["${s}"]`;
  }
  return out || '(record)';
}

/** Decodes a stored release, migrating older records; throws KubeError naming the release and the field. */
/** A release record checked and read, except its lab, which is parsed only when asked for. */
function decodeRecord(configMap: unknown): { summary: ReleaseSummary; labText: string; template: string; fail: (field: string, message: string) => KubeError } {
  const raw = configMap as { metadata?: { name?: unknown; labels?: Record<string, unknown> } } | undefined;
  const labels = raw?.metadata?.labels ?? {};
  const which = `release ${String(labels[LABEL.lab] ?? '?')}@${String(labels[LABEL.release] ?? '?')} (ConfigMap ${SYSTEM_NAMESPACE}/${String(raw?.metadata?.name ?? '?')})`;
  // Our own messages read on from the field ("data.author is missing"); zod's stand apart.
  const fail = (field: string, message: string) => new KubeError('invalid', `${which} cannot be read: ${field}${/^[a-z]/.test(message) ? ' ' : ': '}${message}`);

  const env = envelope.safeParse(configMap);
  if (!env.success) {
    const issue = env.error.issues[0]!;
    throw fail(fieldPath(issue.path), issue.message);
  }
  let doc: RecordDocument;
  try {
    doc = migrateRecord(env.data).doc;
  } catch (err) {
    if (err instanceof RecordError) throw fail(err.field, err.message);
    throw err;
  }
  const record = recordV1.safeParse(doc);
  if (!record.success) {
    const issue = record.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw fail(fieldPath(issue.path), `has unknown keys: ${issue.keys.join(', ')}`);
    const present = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), doc) !== undefined;
    throw fail(fieldPath(issue.path), present ? issue.message : 'is missing');
  }
  const r = record.data;
  return {
    summary: {
      labName: r.metadata.labels[LABEL.lab],
      tag: r.metadata.labels[LABEL.release],
      createdAt: r.data.createdAt,
      author: r.data.author,
      note: r.data.note ?? '',
      images: r.data['images.json'].map((i) => ({ node: i.node, image: i.image, ...(i.pinned ? { pinned: i.pinned } : {}) })),
    },
    labText: r.data['lab.yaml'],
    template: r.data['template.yaml'],
    fail,
  };
}

/**
 * What a list of releases shows (no lab): the record is checked as for a full read, but its lab
 * is not parsed, which is most of the cost of reading a record (a listing of 40 releases spent
 * over half a second parsing labs it did not show).
 */
export function decodeReleaseSummary(configMap: unknown): ReleaseSummary {
  return decodeRecord(configMap).summary;
}

export function decodeRelease(configMap: unknown): Release {
  const { summary, labText, template, fail } = decodeRecord(configMap);
  const lab = parseLab(labText);
  if (!lab.ok) throw fail('data["lab.yaml"]', `holds an invalid lab: ${formatIssue(lab.issues[0]!, 'lab.yaml')}`);
  return { lab: lab.lab, ...summary, template };
}

/** The ConfigMap that stores `release`, in the current record version. */
export function encodeRelease(release: Release): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: releaseName(release.labName, release.tag),
      namespace: SYSTEM_NAMESPACE,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: COMPONENT, [LABEL.lab]: release.labName, [LABEL.release]: release.tag },
      annotations: { [ANNOTATION.createdAt]: release.createdAt, [ANNOTATION.author]: release.author },
    },
    // The API server itself then refuses any change to the release.
    immutable: true,
    data: {
      recordVersion: RELEASE_RECORD_VERSION,
      createdAt: release.createdAt,
      author: release.author,
      ...(release.note ? { note: release.note } : {}),
      'lab.yaml': serializeLab(release.lab),
      'template.yaml': release.template,
      'images.json': JSON.stringify(release.images, null, 2),
    },
  };
}
