/**
 * Where students' SSH keys live: one labelled Secret per key, in the student's own namespace.
 * The student's Role grants nothing on Secrets (common/compile/rbac.ts), so a student can
 * neither read nor change their keys; the gateway finds the whole class's keys with one
 * label-selected list+watch (key-index.ts).
 *
 * The Secret's name comes from the key's fingerprint, so adding the same key again updates it
 * (a new expiry) instead of making a second one. Revoking deletes the Secret: a key that is not
 * there cannot log in, and live sessions on it are ended by the gateway when it sees the delete.
 */
import { createHash } from 'node:crypto';
import { ANNOTATION, LABEL, MANAGED_BY, managedSelector } from '../../common/compile/labels';
import { studentKey, studentNamespace } from '../../common/compile/names';
import type { KubeObject } from '../../common/compile/types';
import { isExpired, parseExpiry, parsePublicKey, type PublicKey } from '../class/keys';
import { kindOf, type Cluster } from '../kube/cluster';
import { KubeError } from '../kube/errors';
import { NAMESPACE } from '../kube/kinds';
import { studentNamespaceIn } from '../engine/student-namespace';

export interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

export const SECRET = kindOf<SecretObject>('v1', 'Secret');

/** `app.kubernetes.io/component` of key Secrets. */
const KEY_COMPONENT = 'ssh-key';
const KEY_ANNOTATION = {
  fingerprint: 'labforge.dev/ssh-fingerprint',
  expiresAt: 'labforge.dev/ssh-expires-at',
  comment: 'labforge.dev/ssh-comment',
  type: 'labforge.dev/ssh-key-type',
} as const;
/** The data field holding the public key line. */
const KEY_DATA = 'authorized_key';

/** The key Secrets of a class, or of one student in it. */
export const keySelector = (className: string, student?: string) =>
  managedSelector({ [LABEL.component]: KEY_COMPONENT, [LABEL.class]: className, [LABEL.student]: student !== undefined ? studentKey(student) : undefined });

export interface StoredKey {
  student: string;
  namespace: string;
  /** The Secret's name. */
  name: string;
  type: string;
  fingerprint: string;
  comment: string;
  /** ISO 8601, or undefined when the key does not expire. */
  expiresAt?: string;
  addedAt: string;
  expired: boolean;
  /** The decoded public key (what a client must present). */
  blob: Buffer;
}

const keySecretName = (key: PublicKey) => `ssh-key-${createHash('sha256').update(key.blob).digest('hex').slice(0, 20)}`;

export function keySecret(className: string, student: string, key: PublicKey, expiresAt: string | undefined, now = new Date(), namespace = studentNamespace(className, student)): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: keySecretName(key),
      namespace,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.component]: KEY_COMPONENT, [LABEL.class]: className, [LABEL.student]: studentKey(student) },
      annotations: {
        [ANNOTATION.studentId]: student,
        [ANNOTATION.createdAt]: now.toISOString(),
        [KEY_ANNOTATION.fingerprint]: key.fingerprint,
        [KEY_ANNOTATION.type]: key.type,
        ...(key.comment ? { [KEY_ANNOTATION.comment]: key.comment } : {}),
        ...(expiresAt ? { [KEY_ANNOTATION.expiresAt]: expiresAt } : {}),
      },
    },
    type: 'Opaque',
    data: { [KEY_DATA]: Buffer.from(key.line).toString('base64') },
  };
}

/** A key Secret as the gateway and the listings see it; undefined when it is not a usable key Secret. */
export function storedKey(secret: SecretObject, now = Date.now()): StoredKey | undefined {
  const meta = secret.metadata;
  const line = secret.data?.[KEY_DATA];
  if (!meta?.name || !meta.namespace || !line || meta.labels?.[LABEL.component] !== KEY_COMPONENT) return undefined;
  const parsed = parsePublicKey(Buffer.from(line, 'base64').toString('utf8'));
  if (!parsed.ok) return undefined;
  const expiresAt = meta.annotations?.[KEY_ANNOTATION.expiresAt];
  const valid = expiresAt === undefined || !Number.isNaN(Date.parse(expiresAt));
  return {
    student: meta.annotations?.[ANNOTATION.studentId] ?? meta.labels?.[LABEL.student] ?? '',
    namespace: meta.namespace,
    name: meta.name,
    type: parsed.key.type,
    fingerprint: parsed.key.fingerprint,
    comment: parsed.key.comment,
    ...(expiresAt ? { expiresAt } : {}),
    addedAt: meta.annotations?.[ANNOTATION.createdAt] ?? meta.creationTimestamp ?? '',
    // An expiry that does not parse counts as expired: a key is never valid by accident.
    expired: !valid || isExpired(expiresAt, now),
    blob: parsed.key.blob,
  };
}

export interface AddKeyRequest {
  className: string;
  student: string;
  /** The public key text (a .pub file's line). */
  key: string;
  /** A duration (14d) or a date; none: the key does not expire. */
  expires?: string;
}

/** Checks the key and the expiry, then stores the Secret; nothing is written when either is bad. */
export async function addKey(cluster: Cluster, req: AddKeyRequest, now = new Date()): Promise<StoredKey> {
  const parsed = parsePublicKey(req.key);
  if (!parsed.ok) throw new KubeError('invalid', `the key for ${req.student}: ${parsed.message}`);
  let expiresAt: string | undefined;
  if (req.expires !== undefined && req.expires !== '') {
    const e = parseExpiry(req.expires, now);
    if (!e.ok) throw new KubeError('invalid', `the key's expiry: ${e.message}`);
    expiresAt = e.at;
  }
  const namespace = await studentNamespaceIn(cluster, req.className, req.student);
  if (!(await cluster.read(NAMESPACE, namespace))) {
    throw new KubeError('not-found', `student ${req.student} has no namespace in class ${req.className}; publish to them first, then add their key`, { hint: 'publish-first' });
  }
  const secret = keySecret(req.className, req.student, parsed.key, expiresAt, now, namespace);
  try {
    // Re-adding a key keeps its first added-at and takes the new expiry.
    const existing = await cluster.read(SECRET, secret.metadata.name, namespace);
    const addedAt = existing?.metadata?.annotations?.[ANNOTATION.createdAt];
    if (addedAt) secret.metadata.annotations![ANNOTATION.createdAt] = addedAt;
    // Server-side apply drops fields our manager set before and leaves out now: re-adding without
    // --expires removes the old expiry.
    const stored = storedKey(await cluster.apply(secret), now.getTime());
    if (!stored) throw new KubeError('server', `the key Secret ${namespace}/${secret.metadata.name} came back unreadable`);
    return stored;
  } catch (err) {
    throw err instanceof KubeError ? err.in(`storing the key of ${req.student}`) : err;
  }
}

/** The keys of a class (or of one student), sorted by student then added-at. */
export async function listKeys(cluster: Cluster, className: string, student?: string, now = Date.now()): Promise<StoredKey[]> {
  let items: SecretObject[];
  try {
    items = (await cluster.list(SECRET, { labelSelector: keySelector(className, student) })).items;
  } catch (err) {
    throw err instanceof KubeError ? err.in(`listing the SSH keys of class ${className}`) : err;
  }
  return items
    .map((s) => storedKey(s, now))
    .filter((k): k is StoredKey => k !== undefined && (student === undefined || k.student === student))
    .sort((a, b) => a.student.localeCompare(b.student) || a.addedAt.localeCompare(b.addedAt));
}

/**
 * Revokes keys of a student: the one whose fingerprint is given (`SHA256:…`, or a unique
 * prefix of it), or all of them. Returns the revoked keys; an unknown fingerprint is an error.
 */
export async function revokeKeys(cluster: Cluster, className: string, student: string, which: { fingerprint: string } | { all: true }): Promise<StoredKey[]> {
  const keys = await listKeys(cluster, className, student);
  let chosen = keys;
  if ('fingerprint' in which) {
    const want = which.fingerprint.startsWith('SHA256:') ? which.fingerprint : `SHA256:${which.fingerprint}`;
    chosen = keys.filter((k) => k.fingerprint === want);
    if (chosen.length === 0) chosen = keys.filter((k) => k.fingerprint.startsWith(want));
    if (chosen.length === 0) throw new KubeError('not-found', `student ${student} of class ${className} has no key ${which.fingerprint}`, { hint: 'list-keys' });
    if (chosen.length > 1) throw new KubeError('invalid', `${which.fingerprint} matches ${chosen.length} keys of ${student}; give more of the fingerprint`);
  }
  for (const k of chosen) {
    try {
      await cluster.delete(SECRET, k.name, k.namespace);
    } catch (err) {
      throw err instanceof KubeError ? err.in(`revoking key ${k.fingerprint} of ${student}`) : err;
    }
  }
  return chosen;
}

/** The keys as the listings print them (no key material: type, fingerprint, comment and dates). */
export function formatKeys(keys: StoredKey[]): string {
  if (keys.length === 0) return 'no keys';
  const rows = [['STUDENT', 'TYPE', 'FINGERPRINT', 'COMMENT', 'ADDED', 'EXPIRES']];
  for (const k of keys) rows.push([k.student, k.type, k.fingerprint, k.comment, k.addedAt.slice(0, 16).replace('T', ' '), k.expiresAt ? `${k.expiresAt.slice(0, 16).replace('T', ' ')}${k.expired ? ' (expired)' : ''}` : 'never']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/**
 * The roster's `ssh_key` column, stored after a publish for the students whose namespace is
 * there now (a key needs its student's namespace). Keys from the roster do not expire; the
 * roster was checked when it was read, so a failure here is the cluster's, reported per student.
 */
export async function storeRosterKeys(cluster: Cluster, className: string, students: { id: string; sshKey?: string }[], published: { student: string; status: string }[]): Promise<{ stored: number; errors: string[] }> {
  const ok = new Set(published.filter((r) => r.status !== 'failed').map((r) => r.student));
  let stored = 0;
  const errors: string[] = [];
  for (const s of students) {
    if (!s.sshKey || !ok.has(s.id)) continue;
    try {
      await addKey(cluster, { className, student: s.id, key: s.sshKey });
      stored++;
    } catch (err) {
      errors.push(`${s.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { stored, errors };
}
