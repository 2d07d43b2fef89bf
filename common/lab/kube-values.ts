/**
 * Value rules the Kubernetes API server (or the container runtime after it) applies to fields a
 * lab value reaches, checked here so a lab that validates is a lab that runs.
 */
import { MAX_PATH, MAX_PATH_SEGMENT } from './limits';

/**
 * IANA_SVC_NAME, what container and Service port names must be: at most 15 characters of
 * lowercase letters, digits and '-', at least one letter, no '-' at either end or twice in a row.
 */
export function isIanaServiceName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) && /[a-z]/.test(name);
}

/**
 * What the API server accepts as an environment variable name (IsEnvVarName): letters, digits,
 * '_', '-' and '.', not starting with a digit, and not "." or ".." or starting with "..".
 * Dotted names are common (Elasticsearch's `discovery.type`, Spring's `spring.profiles.active`).
 */
// One pattern (lookaheads for "." and ".."), so the JSON Schema carries the whole rule.
export const ENV_VAR_NAME = /^(?!\.\.)(?!\.$)[-._a-zA-Z][-._a-zA-Z0-9]*$/;
export const isEnvVarName = (name: string): boolean => ENV_VAR_NAME.test(name);

// Linux owns these trees inside a container; runc refuses to mount over most of them.
const RUNTIME_TREES = new Set(['proc', 'sys', 'dev']);

/**
 * Why a path inside a node is unusable, or undefined. Paths are compared as written (two
 * spellings of one directory would mount twice), so only the canonical spelling is accepted.
 */
export function pathProblem(path: string, opts: { spaces: boolean; file?: boolean }): string | undefined {
  if (path.length > MAX_PATH) return `must be at most ${MAX_PATH} characters`;
  if (!path.startsWith('/')) return `must be an absolute ${opts.file ? 'file ' : ''}path`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  if (!opts.spaces && /\s/.test(path)) return 'must not contain spaces';
  if (path === '/') return 'must not be "/" itself';
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '')) return 'must not contain "//" or end with "/"';
  if (segments.some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." components';
  if (segments.some((s) => s.length > MAX_PATH_SEGMENT)) return `must not have a component longer than ${MAX_PATH_SEGMENT} characters`;
  if (RUNTIME_TREES.has(segments[0]!)) return `must not be under /${segments[0]}, which the container runtime provides`;
  return undefined;
}
