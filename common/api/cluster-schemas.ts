/**
 * Wire schemas for the cluster side of the contract: deploying, releases, publishing and
 * watching a class. contract.ts names the channels; the shapes they carry live here so the
 * contract stays readable. The renderer sees them only as types, through the contract.
 */
import { z } from 'zod';
import { DNS_LABEL, MAX_DNS_LABEL } from '../lab/dns-label';
import { MAX_ROSTER_BYTES, MAX_STUDENTS } from '../lab/limits';

/** Which kubeconfig context to use; null: the one picked in settings, else the kubeconfig's current. */
export const kubeTarget = { context: z.string().min(1).max(253).nullable().default(null) };

const dnsLabel = z.string().min(1).max(MAX_DNS_LABEL).regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-"');
export const className = dnsLabel.max(40).describe('A class name (becomes part of each student namespace)');
export const labName = dnsLabel;
/** Release tags name ConfigMaps and label values, so they are DNS labels too (v1, v2, fall-2026). */
export const tag = dnsLabel.max(40);

/** The states a canvas node or dashboard cell shows (`stopped`: the lab is suspended). */
const nodeState = z.enum(['pending', 'starting', 'ready', 'failed', 'stopped']);

const nodeStatus = z.object({
  node: z.string(),
  kind: z.enum(['container', 'vm']),
  state: nodeState,
  ready: z.boolean(),
  /** A short machine word: ImagePullBackOff, CrashLoopBackOff, Unschedulable, QuotaExceeded, ... */
  reason: z.string().optional(),
  message: z.string().optional(),
  /** The image the node could neither pull nor find. */
  image: z.string().optional(),
  restarts: z.number().int(),
});
export type WireNodeStatus = z.output<typeof nodeStatus>;
export type WireClassRow = z.output<typeof classRow>;

/** A preflight or dry-run refusal, placed on the lab element (and field, where known) it concerns. */
const placedProblem = z.object({
  /** Path into the lab: ['nodes', 2, 'image'], ['volumes', 0], or [] for the lab as a whole. */
  path: z.array(z.union([z.string(), z.number()])),
  /** The lab element in words: `node "db"`. */
  source: z.string(),
  object: z.string(),
  message: z.string(),
});

export const deployEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('phase'), phase: z.enum(['validate', 'preflight', 'apply', 'prune', 'wait']), message: z.string() }),
  z.object({ type: z.literal('applied'), done: z.number().int(), total: z.number().int() }),
  z.object({ type: z.literal('status'), statuses: z.array(nodeStatus) }),
]);

export const deployResult = z.object({
  namespace: z.string(),
  applied: z.number().int(),
  deleted: z.array(z.string()),
  keptVolumes: z.array(z.string()),
  ready: z.boolean(),
  statuses: z.array(nodeStatus),
  /** Refusals that stopped the deploy before any write; empty when it went ahead. */
  problems: z.array(placedProblem),
});

export const devWatchEvent = z.object({
  statuses: z.array(nodeStatus),
  /** The lab the namespace runs (its deploy record), for "changed since the last deploy" marks. */
  deployed: z.object({ lab: z.unknown(), at: z.string().nullable() }).nullable(),
});

export const pinnedImage = z.object({ node: z.string(), image: z.string(), pinned: z.string().optional() });

export const releaseSummary = z.object({
  labName: z.string(),
  tag: z.string(),
  createdAt: z.string(),
  author: z.string(),
  note: z.string(),
  images: z.array(pinnedImage),
});

const labChange = z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional(), text: z.string() });
const elementChange = z.object({ name: z.string(), change: z.enum(['added', 'removed', 'changed']) });

export const releaseDiff = z.object({
  from: z.object({ tag: z.string(), lab: z.unknown() }),
  to: z.object({ tag: z.string(), lab: z.unknown() }),
  changes: z.array(labChange),
  nodes: z.array(elementChange),
  networks: z.array(elementChange),
  volumes: z.array(elementChange),
});

/** Who to publish to: a count (student-01…) or a roster CSV the user dropped or picked. */
export const studentsSpec = z.union([
  // The same limits as the CLI's --students and --roster (common/lab/limits.ts).
  z.object({ count: z.number().int().min(1).max(MAX_STUDENTS) }),
  z.object({ roster: z.object({ text: z.string().max(MAX_ROSTER_BYTES), fileName: z.string().max(255) }) }),
  /** The students the class has now (an upgrade that adds nobody). */
  z.object({ current: z.literal(true) }),
]);

export const publishRequest = z.object({
  ...kubeTarget,
  labName,
  tag,
  className,
  students: studentsSpec,
  /** Publish even when the capacity preflight says the class does not fit. */
  force: z.boolean().default(false),
  /** Remove namespaces of students no longer in the roster. */
  prune: z.boolean().default(false),
});

const capacityRow = z.object({ resource: z.enum(['cpu', 'memory', 'pods']), needed: z.string(), free: z.string(), fits: z.boolean() });

export const publishPlan = z.object({
  students: z.array(z.string()),
  /** Roster rows that cannot be used, by line; when any exist nothing may be published. */
  rosterIssues: z.array(z.object({ line: z.number().int(), message: z.string() })),
  capacity: z.object({ fits: z.boolean(), newStudents: z.number().int(), rows: z.array(capacityRow) }).nullable(),
  existing: z.number().int(),
  /** When the class runs another release: what changes (volumes are kept). */
  upgrade: z.object({ from: z.array(z.string()), changes: z.array(z.string()) }).nullable(),
  /** Students with a namespace in the class but not in this roster. */
  leaving: z.array(z.string()),
});

export const studentResult = z.object({
  student: z.string(),
  namespace: z.string(),
  status: z.enum(['created', 'updated', 'failed']),
  objects: z.number().int(),
  retries: z.number().int(),
  error: z.string().optional(),
});

export const publishEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('phase'), phase: z.enum(['preflight', 'capacity', 'apply', 'prune']), message: z.string() }),
  z.object({ type: z.literal('start'), total: z.number().int() }),
  z.object({ type: z.literal('student'), done: z.number().int(), total: z.number().int(), result: studentResult }),
]);

export const publishResult = z.object({
  results: z.array(studentResult),
  left: z.array(z.object({ student: z.string(), namespace: z.string(), removed: z.boolean() })),
});

const quotaUse = z.object({ used: z.number(), hard: z.number() });

const classRow = z.object({
  student: z.string(),
  namespace: z.string(),
  release: z.string(),
  phase: z.enum(['Active', 'Terminating']),
  ready: z.number().int(),
  total: z.number().int(),
  nodes: z.record(z.string(), z.object({ state: nodeState, reason: z.string().optional(), image: z.string().optional() })),
  cpu: quotaUse,
  memory: quotaUse,
  pods: quotaUse,
  /** The cluster (zone) the student runs in, for a class spread over zones. */
  zone: z.string().optional(),
  /** The lab is suspended (nothing runs): since when (ISO 8601) and by whom. */
  suspended: z.object({ at: z.string(), by: z.enum(['instructor', 'idle', 'schedule']) }).optional(),
  /** When the lab was last used (a terminal, screen or SSH session), ISO 8601. */
  lastActivity: z.string().optional(),
  /** The student was warned that the idle lab will be suspended at this time (ISO 8601). */
  idleSuspendAt: z.string().optional(),
});

export const classWatchEvent = z.object({
  labNodes: z.array(z.string()),
  rows: z.array(classRow),
  /** Zones of the class that cannot be watched right now; their students are missing from rows. */
  unreachable: z.array(z.object({ zone: z.string(), error: z.string() })).optional(),
});

export const classSummary = z.object({ name: z.string(), labs: z.array(z.string()), releases: z.array(z.string()), students: z.number().int() });

export const opEvent = z.object({ type: z.literal('phase'), message: z.string() });

/** Student ids as the roster spells them (the same bounds as `class.reset`'s). */
const studentId = z.string().min(1).max(128);

/** Whose labs to suspend or resume: the ids picked in the class view, at least one. */
export const suspendRequest = z.object({ ...kubeTarget, className, students: z.array(studentId).min(1).max(MAX_STUDENTS) });

const suspension = z.object({ at: z.string(), by: z.enum(['instructor', 'idle', 'schedule']) });

/** What suspending or resuming did to one student's lab (`unchanged`: it already was as asked). */
export const suspendResult = z.object({
  student: z.string(),
  namespace: z.string(),
  status: z.enum(['suspended', 'resumed', 'unchanged', 'failed']),
  /** The suspension now on the lab (after a suspend, or one a failed resume left in place). */
  suspension: suspension.optional(),
  ready: z.boolean().optional(),
  error: z.string().optional(),
  zone: z.string().optional(),
});
export type WireSuspendResult = z.output<typeof suspendResult>;

export const suspendResponse = z.object({ results: z.array(suspendResult) });
