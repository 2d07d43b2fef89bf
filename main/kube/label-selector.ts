/**
 * Label and field selectors as the API server reads them, for code that must match objects
 * itself (the in-memory cluster). Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x,y)`, `a`, `!a`, joined by commas (all must hold). Field selectors: `path=value`,
 * `path==value`, `path!=value` on dotted paths such as `status.phase`.
 */
import { KubeError } from './errors';

type Requirement =
  | { op: 'exists' | 'absent'; key: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> };

export type Matcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function invalid(selector: string, part: string): KubeError {
  return new KubeError('invalid', `unable to parse requirement "${part}" of label selector "${selector}"`, { status: 400 });
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function requirement(selector: string, part: string): Requirement {
  let m = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(part);
  if (m) {
    const [key, op, value] = [m[1]!, m[2]!, m[3]!];
    if (!KEY.test(key) || !VALUE.test(value)) throw invalid(selector, part);
    return { op: op === '!=' ? 'notin' : 'in', key, values: new Set([value]) };
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (m) {
    const key = m[1]!;
    const values = m[3]!.split(',').map((v) => v.trim());
    if (!KEY.test(key) || values.some((v) => !VALUE.test(v))) throw invalid(selector, part);
    return { op: m[2] === 'in' ? 'in' : 'notin', key, values: new Set(values) };
  }
  m = /^(!?)\s*(\S+)$/.exec(part);
  if (m && KEY.test(m[2]!)) return { op: m[1] ? 'absent' : 'exists', key: m[2]! };
  throw invalid(selector, part);
}

/** A matcher for a label selector; the empty selector matches everything. */
export function parseLabelSelector(selector: string | undefined): Matcher {
  const reqs = selector ? splitTop(selector).map((p) => requirement(selector, p)) : [];
  return (labels) =>
    reqs.every((r) => {
      const v = labels?.[r.key];
      switch (r.op) {
        case 'exists':
          return v !== undefined;
        case 'absent':
          return v === undefined;
        case 'in':
          return v !== undefined && r.values.has(v);
        case 'notin':
          // As in Kubernetes: `a!=b` and `a notin (b)` also match objects without label a.
          return v === undefined || !r.values.has(v);
      }
    });
}

/** A matcher for a field selector over an object's dotted paths. */
export function parseFieldSelector(selector: string | undefined): (obj: unknown) => boolean {
  const reqs = (selector ? splitTop(selector) : []).map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw new KubeError('invalid', `invalid field selector "${selector}"`, { status: 400 });
    return { path: m[1]!.split('.'), negate: m[2] === '!=', value: m[3]! };
  });
  return (obj) =>
    reqs.every((r) => {
      let v: unknown = obj;
      for (const p of r.path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
      const equal = String(v ?? '') === r.value;
      return r.negate ? !equal : equal;
    });
}
