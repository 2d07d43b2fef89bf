/**
 * Deterministic Kubernetes names. Everything here is a pure function of its input, so the same
 * class and roster always give the same namespaces, on any machine.
 */
import { isDnsLabel, MAX_DNS_LABEL as MAX_LABEL } from '../lab/dns-label';
import { sha256Hex } from './sha256';

export { isDnsLabel };

export function shortHash(text: string, length = 8): string {
  return sha256Hex(text).slice(0, length);
}

/** Lowercases and replaces runs of characters Kubernetes refuses with '-'. May be empty. */
export function sanitizeLabel(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Cuts `base` so that `base-suffix` fits in `max`, never leaving a trailing '-'. */
function withSuffix(base: string, suffix: string, max = MAX_LABEL): string {
  const room = max - suffix.length - 1;
  const cut = base.slice(0, Math.max(0, room)).replace(/-+$/, '');
  return cut ? `${cut}-${suffix}` : suffix;
}

/**
 * A DNS-safe key for a student id from a roster ("Ann.Lee@uni.edu" → "ann-lee-uni-edu-1a2b3c4d").
 * Ids that already are DNS labels stay as they are; any other id gets a hash of the original,
 * so two ids that sanitize alike ("Ann.Lee", "ann-lee") still get different keys.
 */
export function studentKey(id: string): string {
  if (isDnsLabel(id)) return id;
  return withSuffix(sanitizeLabel(id), shortHash(`student:${id}`));
}

/** Hex digits of the hash that tells apart namespaces whose readable part was cut (64 bits). */
const CUT_NAMESPACE_HASH = 16;

/**
 * The namespace of one student of a class: `<class>-<student>-<hash>`. The hash covers the
 * class and the original id, so names stay unique whatever the separators inside the class and
 * student names ("a-b"+"c" vs "a"+"b-c").
 *
 * When `<class>-<student>` is too long for a DNS label it is cut, and the hash is then all that
 * tells two students apart (ids sharing their first 40-odd characters, or a long class name with
 * `student-0001` … `student-9999`): such names carry 16 hex digits, so an accidental collision
 * among 10,000 students has odds of about 3 in 10^12, and a deliberate one takes some 2^32
 * hashes. Names whose readable part is whole keep the 8 digits they always had (the readable part
 * already tells the students of a class apart), so no namespace published before changes name.
 * Namespaces cut with 8 digits by earlier versions keep theirs: publish and the other class
 * operations find a student's namespace by its labels and annotation first
 * (main/engine/student-namespace.ts). Publish refuses rosters whose names collide anyway
 * (main/class/name-clashes.ts).
 */
export function studentNamespace(className: string, studentId: string): string {
  const readable = sanitizeLabel(`${className}-${studentKey(studentId)}`);
  const short = withSuffix(readable, shortHash(`${className}\u0000${studentId}`));
  if (short.startsWith(`${readable}-`)) return short;
  return withSuffix(readable, shortHash(`${className}\u0000${studentId}`, CUT_NAMESPACE_HASH));
}

/** The instructor's dev namespace for a lab when none is given. */
export function devNamespace(labName: string): string {
  return withSuffix(sanitizeLabel(labName), 'dev');
}

/** Joins parts into one DNS label, shortened with a hash when it would be too long. */
export function joinLabel(...parts: string[]): string {
  const joined = parts.join('-');
  return joined.length <= MAX_LABEL ? joined : withSuffix(joined, shortHash(joined));
}
