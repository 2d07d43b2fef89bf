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

/**
 * The namespace of one student of a class: `<class>-<student>-<hash>`. The hash covers the
 * class and the original id, so names stay unique after truncation and whatever the
 * separators inside the class and student names ("a-b"+"c" vs "a"+"b-c").
 */
export function studentNamespace(className: string, studentId: string): string {
  const readable = sanitizeLabel(`${className}-${studentKey(studentId)}`);
  return withSuffix(readable, shortHash(`${className}\u0000${studentId}`));
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
