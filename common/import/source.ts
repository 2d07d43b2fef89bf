/**
 * A foreign YAML file (docker-compose, containerlab) read with positions, so every warning and
 * error an import produces can say `file:line:col`. Values are read through `at()`, which keeps
 * the YAML node so a field that cannot be represented is reported where it is written.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

const MERGE_KEY = '<<';
/** With `merge: true` the yaml library gives `<<` keys a symbol value. */
const keyText = (value: unknown): string => (typeof value === 'symbol' ? MERGE_KEY : String(value));
import type { LabInput } from '../lab/schema';

export interface ImportMessage {
  /** Path in the foreign file, e.g. `services.web.build`. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** An imported lab always lists its nodes and networks (possibly empty). */
export type ImportedLab = LabInput & { nodes: NonNullable<LabInput['nodes']>; networks: NonNullable<LabInput['networks']> };

export type ImportResult =
  | { ok: true; lab: ImportedLab; warnings: ImportMessage[] }
  | { ok: false; errors: ImportMessage[]; warnings: ImportMessage[] };

/** One line per message: `file:line:col: path: message`, with control characters escaped. */
export function formatImportMessage(m: ImportMessage, file = '<input>'): string {
  const pos = m.line !== undefined ? `${file}:${m.line}:${m.column ?? 1}` : file;
  return `${pos}: ${escapeControl(m.path || '(document)')}: ${escapeControl(m.message)}`;
}

/** Keeps a hostile file from moving the cursor or forging lines in a terminal. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Foreign files are small; a cap keeps a pasted binary or an alias bomb from eating memory. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

export class YamlSource {
  readonly warnings: ImportMessage[] = [];
  readonly errors: ImportMessage[] = [];
  private constructor(
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static parse(text: string): YamlSource | ImportMessage[] {
    if (text.length > MAX_IMPORT_BYTES) {
      return [{ path: '', message: `the file is over ${MAX_IMPORT_BYTES / 1024 / 1024} MiB; split it or remove what is not part of the lab`, line: 1, column: 1 }];
    }
    const lines = new LineCounter();
    // `merge` because compose files share settings with `<<: *anchor`.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2', merge: true, logLevel: 'error' });
    if (doc.errors.length > 0) {
      return doc.errors.slice(0, 20).map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { path: '', message: e.message.split('\n')[0] ?? e.message, line, column: col };
      });
    }
    const source = new YamlSource(doc, lines);
    // Aliases are legal in compose files (x- extension fields); expanding them is bounded so a
    // billion-laughs file is an error, not an out-of-memory crash.
    try {
      doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      return [{ path: '', message: `${(err as Error).message}; the file expands to too much data`, line: 1, column: 1 }];
    }
    return source;
  }

  position(node: Node | undefined): { line?: number; column?: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** The YAML node at `path` (keys and indices), resolving aliases. */
  node(path: readonly (string | number)[]): Node | undefined {
    let cur: unknown = this.doc.contents;
    for (const key of path) {
      cur = this.deref(cur);
      if (isMap(cur)) {
        cur = this.pair(cur, String(key))?.value ?? undefined;
      } else if (isSeq(cur) && typeof key === 'number') {
        cur = cur.items[key];
      } else return undefined;
    }
    return this.deref(cur) as Node | undefined;
  }

  /** The key node of the last path element, where a warning about the whole field points. */
  keyNode(path: readonly (string | number)[]): Node | undefined {
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (isMap(parent)) return (this.pair(parent, String(last))?.key as Node | undefined) ?? undefined;
    if (isSeq(parent) && typeof last === 'number') return parent.items[last] as Node | undefined;
    return undefined;
  }

  value(path: readonly (string | number)[]): unknown {
    const n = this.node(path);
    return n === undefined ? undefined : (n as { toJS(doc: Document, opts?: { maxAliasCount?: number }): unknown }).toJS(this.doc, { maxAliasCount: 1000 });
  }

  /** Keys of the mapping at `path`, in file order; [] if it is not a mapping. */
  keys(path: readonly (string | number)[]): string[] {
    const n = this.node(path);
    if (!isMap(n)) return [];
    const out: string[] = [];
    const visit = (map: YAMLMap, depth: number) => {
      for (const p of map.items) {
        if (!isPair(p) || !isScalar(p.key)) continue;
        const key = keyText(p.key.value);
        if (key === MERGE_KEY && depth < 8) {
          for (const source of this.mergeSources(p.value)) visit(source, depth + 1);
        } else if (!out.includes(key)) out.push(key);
      }
    };
    visit(n, 0);
    return out;
  }

  /** The pair for `key` in a mapping: its own first, then what it merges with `<<`. */
  private pair(map: YAMLMap, key: string, depth = 0): Pair | undefined {
    const own = map.items.find((p) => isPair(p) && isScalar(p.key) && keyText(p.key.value) === key && key !== MERGE_KEY);
    if (own || depth >= 8) return own as Pair | undefined;
    for (const p of map.items) {
      if (!isPair(p) || !isScalar(p.key) || keyText(p.key.value) !== MERGE_KEY) continue;
      for (const source of this.mergeSources(p.value)) {
        const found = this.pair(source, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  private mergeSources(value: unknown): YAMLMap[] {
    const v = this.deref(value);
    if (isMap(v)) return [v];
    if (isSeq(v)) return v.items.map((i) => this.deref(i)).filter((i): i is YAMLMap => isMap(i));
    return [];
  }

  isMap(path: readonly (string | number)[]): boolean {
    return isMap(this.node(path));
  }

  isSeq(path: readonly (string | number)[]): boolean {
    return isSeq(this.node(path));
  }

  length(path: readonly (string | number)[]): number {
    const n = this.node(path);
    return isSeq(n) ? n.items.length : 0;
  }

  warn(path: readonly (string | number)[], message: string): void {
    this.warnings.push({ path: dotted(path), message, ...this.position(this.keyNode(path) ?? this.node(path)) });
  }

  error(path: readonly (string | number)[], message: string): void {
    this.errors.push({ path: dotted(path), message, ...this.position(this.keyNode(path) ?? this.node(path)) });
  }

  /** Like warn, at a node found by walking the document (a path through `<<` does not resolve). */
  warnAt(path: readonly (string | number)[], node: Node, message: string): void {
    this.warnings.push({ path: dotted(path), message, ...this.position(node) });
  }

  errorAt(path: readonly (string | number)[], node: Node, message: string): void {
    this.errors.push({ path: dotted(path), message, ...this.position(node) });
  }

  /** The line a field is written on, for messages that point at several places. */
  line(path: readonly (string | number)[]): number | undefined {
    return this.position(this.keyNode(path) ?? this.node(path)).line;
  }

  result(lab: ImportedLab): ImportResult {
    const byPosition = (a: ImportMessage, b: ImportMessage) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
    this.warnings.sort(byPosition);
    if (this.errors.length > 0) return { ok: false, errors: this.errors.sort(byPosition), warnings: this.warnings };
    return { ok: true, lab, warnings: this.warnings };
  }

  private deref(n: unknown): unknown {
    let cur = n;
    for (let i = 0; i < 32 && isAlias(cur); i++) cur = cur.resolve(this.doc);
    return cur;
  }
}

export function dotted(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}
