/**
 * Decoding a lab file: YAML (with positions) → version migration → strict schema → semantic
 * rules. Every problem comes back as a `LabIssue` with its YAML path and line:column; nothing
 * here throws on bad input.
 */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { admissionIssues } from '../compile/admission';
import { escapeControl, quoteInput } from './escape';
import { MAX_ISSUES, MAX_LAB_BYTES, MAX_YAML_DEPTH, MAX_YAML_ENTRIES, MAX_YAML_TOKENS } from './limits';
import { migrate, type Migration, MIGRATIONS } from './migrate';
import { labSchema, type Lab } from './schema';
import { checkSemantics, type LabPath } from './semantics';
import { excessiveShape, lexicalExcess } from './yaml-depth';
import { securityWarnings } from './pod-security';

export interface LabIssue {
  /** Path inside the document, e.g. ['nodes', 1, 'image']. */
  path: LabPath;
  message: string;
  /** 1-based position of the offending key or value, when the file has one. */
  line?: number;
  column?: number;
}

/** `warnings`: what is valid but will not work as written (e.g. an image that needs root on a node that is not), positioned like issues. */
export type ParseResult = { ok: true; lab: Lab; warnings?: LabIssue[] } | { ok: false; issues: LabIssue[] };

export interface ParseOptions {
  migrations?: readonly Migration[];
}

/** `nodes[1].image`, the way the CLI and the UI name a place in the file. */
export function formatPath(path: LabPath): string {
  let out = '';
  for (const p of path) {
    // Keys come from the file (an unknown field can be any string): quote any that is not a plain name.
    const part = typeof p === 'number' ? `[${p}]` : /^[A-Za-z0-9_-]{1,80}$/.test(p) ? p : quoteInput(p, 40);
    out += typeof p === 'number' || out === '' ? part : `.${part}`;
  }
  return out || '(document)';
}

/**
 * One line per issue: `file:line:col: path: message`. Control characters are escaped whatever
 * their source, so no file name, key or value can start a line or drive the terminal.
 */
export function formatIssue(issue: LabIssue, file = '<lab>'): string {
  const pos = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
  return escapeControl(`${pos}: ${formatPath(issue.path)}: ${issue.message}`);
}

/** At most MAX_ISSUES issues; the rest are counted in one last issue at the next one's place. */
function capped(issues: LabIssue[]): LabIssue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const rest = issues.length - MAX_ISSUES;
  const next = issues[MAX_ISSUES]!;
  return [...issues.slice(0, MAX_ISSUES), { ...next, message: `and ${rest} more error${rest === 1 ? '' : 's'} not shown; fix the ones above first` }];
}

/** Line and column of an offset, without building a line table for the whole text. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

export function parseLab(text: string, options: ParseOptions = {}): ParseResult {
  const r = parseLabUncapped(text, options);
  return r.ok ? r : { ok: false, issues: capped(r.issues) };
}

function parseLabUncapped(text: string, options: ParseOptions): ParseResult {
  if (text.length > MAX_LAB_BYTES) {
    const message = `the lab is larger than ${MAX_LAB_BYTES / 2 ** 20} MiB, the most a lab file may be; move large content into images or volumes`;
    return { ok: false, issues: [{ path: [], message, ...positionOf(text, MAX_LAB_BYTES) }] };
  }
  const lexical = lexicalExcess(text, MAX_YAML_TOKENS, MAX_YAML_DEPTH, MAX_YAML_ENTRIES);
  if (lexical !== undefined) {
    return { ok: false, issues: [{ path: [], message: shapeMessage(lexical.problem), ...positionOf(text, lexical.offset) }] };
  }
  const excess = excessiveShape(text, MAX_YAML_DEPTH, MAX_YAML_ENTRIES);
  if (excess) return { ok: false, issues: [{ path: [], message: shapeMessage(excess.problem), ...positionOf(text, excess.offset) }] };

  const lines = new LineCounter();
  // logLevel error: the yaml library would otherwise print a process warning for a collection
  // used as a key (stringified); the schema reports that key, positioned, like any other.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2', logLevel: 'error' });

  const position = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ path: [], message: yamlMessage(e.message), ...position(e.pos[0]) })),
    };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Aliases are resolved here: an alias to no anchor, or so many aliases that the document
    // would expand without bound (a "billion laughs" file).
    return { ok: false, issues: [aliasIssue(doc, err, position)] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: [], message: 'a lab file must be a YAML mapping with apiVersion, kind, metadata and nodes', line: 1, column: 1 }] };
  }

  const locate = (path: LabPath, key?: string): LabIssue => locateIn(doc, path, key, position);

  const migrated = migrate(raw as Record<string, unknown>, options.migrations ?? MIGRATIONS);
  if (!migrated.ok) return { ok: false, issues: [{ ...locate(['apiVersion']), message: migrated.message }] };

  const decoded = labSchema.safeParse(migrated.value);
  if (!decoded.success) {
    const value = migrated.value;
    return { ok: false, issues: sortIssues(decoded.error.issues.flatMap((i) => zodIssue(i, locate, value))) };
  }

  const semantic = checkSemantics(decoded.data);
  if (semantic.length > 0) {
    return { ok: false, issues: sortIssues(semantic.map((s) => ({ ...locate(s.path), message: s.message }))) };
  }
  const admission = admissionIssues(decoded.data);
  if (admission.length > 0) {
    return { ok: false, issues: sortIssues(admission.map((s) => ({ ...locate(s.path), message: s.message }))) };
  }
  const warnings = securityWarnings(decoded.data).map((s) => ({ ...locate(s.path), message: s.message }));
  return { ok: true, lab: decoded.data, ...(warnings.length ? { warnings } : {}) };
}

/** The same bounds as on YAML text, for a lab that arrives as a value: where it is passed, if anywhere. */
function oversizedPath(value: unknown): LabPath | undefined {
  const stack: { v: unknown; path: LabPath }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length > MAX_YAML_DEPTH) return path.slice(0, MAX_YAML_DEPTH);
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    if (entries.length > MAX_YAML_ENTRIES) return path;
    for (const [k, x] of entries) stack.push({ v: x, path: [...path, k] });
  }
  return undefined;
}

function shapeMessage(problem: 'tokens' | 'depth' | 'entries'): string {
  if (problem === 'tokens') return `the lab has more than ${MAX_YAML_TOKENS} YAML tokens (keys, values, brackets), far more than any lab needs`;
  if (problem === 'depth') return `the document nests deeper than ${MAX_YAML_DEPTH} levels; a lab needs far fewer`;
  return `a list or mapping here has more than ${MAX_YAML_ENTRIES} entries, more than any lab needs`;
}

/** An alias that cannot be resolved, or too many of them (a "billion laughs" file), at the alias. */
export function aliasIssue(doc: Document, err: unknown, position: (offset: number) => { line: number; column: number }): LabIssue {
  const text = err instanceof Error ? err.message : String(err);
  const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(text);
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (unresolved && node.source !== unresolved[1]) return undefined;
      at = node.range?.[0];
      return visit.BREAK;
    },
  });
  const message = unresolved
    ? `alias *${quoteInput(unresolved[1]!, 40).slice(1, -1)} refers to no anchor defined before it; define &${quoteInput(unresolved[1]!, 40).slice(1, -1)} first or remove the alias`
    : /alias count/i.test(text)
      ? 'the document uses too many aliases (it would expand to an enormous size); write the values out'
      : `the document cannot be read: ${quoteInput(text.split('\n')[0], 120)}`;
  return { path: [], message, ...(at !== undefined ? position(at) : { line: 1, column: 1 }) };
}

/** Validates an in-memory lab (from the editor) with the same rules; no positions. */
export function validateLab(value: unknown): ParseResult {
  const r = validateLabUncapped(value);
  return r.ok ? r : { ok: false, issues: capped(r.issues) };
}

function validateLabUncapped(value: unknown): ParseResult {
  const excess = oversizedPath(value);
  if (excess) return { ok: false, issues: [{ path: excess, message: `more than ${MAX_YAML_ENTRIES} entries or ${MAX_YAML_DEPTH} levels of nesting, more than any lab needs` }] };
  const decoded = labSchema.safeParse(value);
  if (!decoded.success) {
    return {
      ok: false,
      issues: decoded.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path.map(pathPart), k], message: unknownField(k) }))
          : // Record keys (env names): the useful message is the key schema's own, as in zodIssue.
            [{ path: i.path.map(pathPart), message: i.code === 'invalid_key' ? (i.issues[0]?.message ?? i.message) : i.message }],
      ),
    };
  }
  const semantic = checkSemantics(decoded.data);
  if (semantic.length > 0) return { ok: false, issues: semantic };
  const admission = admissionIssues(decoded.data);
  if (admission.length > 0) return { ok: false, issues: admission };
  const warnings = securityWarnings(decoded.data);
  return { ok: true, lab: decoded.data, ...(warnings.length ? { warnings } : {}) };
}

function zodIssue(issue: z.core.$ZodIssue, locate: (path: LabPath, key?: string) => LabIssue, raw: unknown): LabIssue[] {
  const path = issue.path.map(pathPart);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ ...locate(path, k), path: [...path, k], message: unknownField(k) }));
  }
  if (issue.code === 'invalid_type' && valueAt(raw, path) === undefined) {
    const field = path[path.length - 1];
    return [{ ...locate(path), message: `${String(field)} is required` }];
  }
  if (issue.code === 'invalid_key') {
    // Record keys (env names): the useful message is the key schema's own.
    return [{ ...locate(path), message: issue.issues[0]?.message ?? issue.message }];
  }
  return [{ ...locate(path), message: issue.message }];
}

function valueAt(root: unknown, path: LabPath): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function unknownField(key: string): string {
  return `unknown field ${quoteInput(key)}; check its spelling against \`labforge schema\` or remove it`;
}

function pathPart(p: PropertyKey): string | number {
  return typeof p === 'number' ? p : String(p);
}

/**
 * Finds the closest YAML node for a path: the key itself for unknown fields, the value for
 * bad values, and the nearest existing parent for missing fields.
 */
function locateIn(
  doc: Document,
  path: LabPath,
  key: string | undefined,
  position: (offset: number) => { line: number; column: number },
): LabIssue {
  let current: unknown = doc.contents;
  let found: Node | undefined = isNode(current) ? current : undefined;
  for (const part of path) {
    if (!isNode(current) || !('get' in current)) break;
    const next = (current as { get: (k: unknown, keep: boolean) => unknown }).get(part, true);
    if (next === undefined) {
      // Missing value: point at the key of the parent pair when there is one.
      break;
    }
    current = next;
    if (isNode(next)) found = next;
  }
  if (key !== undefined && isMap(found)) {
    const pair = found.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) found = pair.key;
  }
  const range = found?.range;
  return range ? { path, message: '', ...position(range[0]) } : { path, message: '' };
}

function sortIssues(issues: LabIssue[]): LabIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function yamlMessage(message: string): string {
  // The yaml library appends " at line N, column M" and a source excerpt; we print our own.
  return escapeControl(message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').slice(0, 300));
}
