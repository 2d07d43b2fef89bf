/**
 * YAML text for compiled objects: plain JSON data (objects, arrays, strings, finite numbers,
 * booleans, null) in block style. Written for `compile` and publish's release templates,
 * where the general `yaml` stringifier (which first builds a document tree) took most of the
 * time of `labforge compile --students 30`.
 *
 * Readers differ (kubectl reads YAML 1.1-ish through sigs.k8s.io/yaml, our tools YAML 1.2), so a
 * string is written plain only when it reads as that same string under both: it starts with a
 * letter, '/' or '_', uses a small safe alphabet, and is not one of YAML 1.1's booleans or
 * nulls. Everything else is double-quoted with JSON's escapes (a JSON string is a valid YAML
 * double-quoted scalar), except multi-line text, which is a literal block when it can be one.
 */

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+=-]*(?::[A-Za-z0-9_./@+=-]+)*$/;
/** Words YAML 1.1 or 1.2 read as booleans, nulls or special floats. */
const RESERVED = /^(?:y|yes|n|no|true|false|on|off|null|nan|inf)$/i;
/** What a literal block cannot hold, or would change: CR, other line breaks, non-printables. */
// eslint-disable-next-line no-control-regex
const NOT_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const ESCAPE_TOO = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

function quoted(s: string): string {
  // JSON leaves DEL, C1 controls, U+2028/9 and the BOM raw; YAML wants them escaped.
  return JSON.stringify(s).replace(ESCAPE_TOO, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalarKey(key: string): string {
  return PLAIN.test(key) && !RESERVED.test(key) ? key : quoted(key);
}

/** A literal block (`|`) for multi-line text, or undefined when it cannot be one exactly. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || NOT_IN_BLOCK.test(s)) return undefined;
  const lines = s.split('\n');
  // Chomping: "-" no final line break, "" exactly one, "+" keep them all.
  let chomp = '-';
  if (s.endsWith('\n')) {
    lines.pop();
    chomp = s.endsWith('\n\n') ? '+' : '';
  }
  // A line of only spaces or tabs is easily misread (as indentation, or as an empty line):
  // quote such text instead.
  if (lines.some((l) => l.length > 0 && l.trim() === '')) return undefined;
  // Only line breaks: a block with no content line reads as "".
  if (lines.every((l) => l === '')) return undefined;
  // The first line decides the indentation unless an indicator says it; give one when the
  // text starts with a space or a blank line.
  const indicator = lines[0] === '' || lines[0]!.startsWith(' ') ? '2' : '';
  const body = lines.map((l) => (l === '' ? '' : `${indent}  ${l}`)).join('\n');
  return `|${indicator}${chomp}\n${body}`;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  const s = String(value);
  return PLAIN.test(s) && !RESERVED.test(s) ? s : quoted(s);
}

const isCollection = (v: unknown): v is object => typeof v === 'object' && v !== null;
const isEmpty = (v: object) => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);

/** Lines for `value` at `indent`; `out` collects them. */
function write(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === undefined) continue;
      if (isCollection(item) && !isEmpty(item)) {
        // "- " then the collection's first line on the same line, the rest indented under it.
        const inner: string[] = [];
        write(item, `${indent}  `, inner);
        out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
      } else out.push(`${indent}- ${inline(item, indent)}`);
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const k = scalarKey(key);
    if (isCollection(item) && !isEmpty(item)) {
      out.push(`${indent}${k}:`);
      // Sequences under a key sit at the key's own indentation (as kubectl writes them).
      write(item, Array.isArray(item) ? indent : `${indent}  `, out);
    } else out.push(`${indent}${k}: ${inline(item, indent)}`);
  }
}

/** A value that fits after "key: " or "- ": a scalar, an empty collection or a literal block. */
function inline(value: unknown, indent: string): string {
  if (isCollection(value)) return Array.isArray(value) ? '[]' : '{}';
  if (typeof value === 'string') return literalBlock(value, indent) ?? scalar(value);
  return scalar(value);
}

/** One YAML document (no `---`) for a JSON-compatible value, ending with a line break. */
export function toYaml(value: unknown): string {
  if (!isCollection(value) || isEmpty(value)) return `${inline(value, '')}\n`;
  const out: string[] = [];
  write(value, '', out);
  return `${out.join('\n')}\n`;
}
