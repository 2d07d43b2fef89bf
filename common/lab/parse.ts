/**
 * Decoding a lab file: YAML (with positions) → version migration → strict schema → semantic
 * rules. Every problem comes back as a `LabIssue` with its YAML path and line:column; nothing
 * here throws on bad input.
 */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { migrate, type Migration, MIGRATIONS } from './migrate';
import { labSchema, type Lab } from './schema';
import { checkSemantics, type LabPath } from './semantics';

export interface LabIssue {
  /** Path inside the document, e.g. ['nodes', 1, 'image']. */
  path: LabPath;
  message: string;
  /** 1-based position of the offending key or value, when the file has one. */
  line?: number;
  column?: number;
}

export type ParseResult = { ok: true; lab: Lab } | { ok: false; issues: LabIssue[] };

export interface ParseOptions {
  migrations?: readonly Migration[];
}

/** `nodes[1].image`, the way the CLI and the UI name a place in the file. */
export function formatPath(path: LabPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(document)';
}

/** One line per issue: `file:line:col: path: message`. */
export function formatIssue(issue: LabIssue, file = '<lab>'): string {
  const pos = issue.line !== undefined ? `${file}:${issue.line}:${issue.column ?? 1}` : file;
  return `${pos}: ${formatPath(issue.path)}: ${issue.message}`;
}

export function parseLab(text: string, options: ParseOptions = {}): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });

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

  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
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
  return { ok: true, lab: decoded.data };
}

/** Validates an in-memory lab (from the editor) with the same rules; no positions. */
export function validateLab(value: unknown): ParseResult {
  const decoded = labSchema.safeParse(value);
  if (!decoded.success) {
    return {
      ok: false,
      issues: decoded.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path.map(pathPart), k], message: unknownField(k) }))
          : [{ path: i.path.map(pathPart), message: i.message }],
      ),
    };
  }
  const semantic = checkSemantics(decoded.data);
  return semantic.length > 0 ? { ok: false, issues: semantic } : { ok: true, lab: decoded.data };
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
  return `unknown field "${key}"; check its spelling against \`labforge schema\` or remove it`;
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
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
