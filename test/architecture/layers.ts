/**
 * The layer rule, as data: which folder may import which. docs/architecture.md explains it in
 * prose; this file is what the test enforces. A folder's name says which runtime its code may use:
 * common/ runs anywhere (Node and the browser), renderer/ only in a browser, main/ only in Node,
 * and only main/electron/, main/index.ts and preload/ may load Electron.
 */
import ts from 'typescript';

export interface Layer {
  /** Path prefix relative to the repository root (a folder with trailing '/', or a file). */
  prefix: string;
  /** Layers (by prefix) whose values this layer may import. Its own folder is always allowed. */
  values: string[];
  /** Layers this layer may import with `import type` only (erased at build time). */
  types?: string[];
  /** Node built-ins (`node:*`) allowed? */
  node: boolean;
  /** May it load `electron` (values)? `import type` from electron is allowed wherever `node` is. */
  electron?: boolean;
}

/** Most specific prefix wins, so e.g. main/electron/ overrides main/. */
export const LAYERS: Layer[] = [
  { prefix: 'common/', values: [], node: false },
  { prefix: 'renderer/', values: ['common/'], node: false },
  { prefix: 'preload/', values: ['common/'], node: false, electron: true },
  { prefix: 'main/kube/', values: ['common/'], node: true },
  { prefix: 'main/class/', values: ['common/'], node: true },
  { prefix: 'main/engine/', values: ['common/', 'main/kube/', 'main/class/'], node: true },
  { prefix: 'main/streams/', values: ['common/', 'main/kube/'], node: true },
  { prefix: 'main/cluster/', values: ['common/', 'main/kube/', 'main/paths.ts'], node: true },
  { prefix: 'main/gateway/', values: ['common/', 'main/kube/', 'main/class/', 'main/engine/', 'main/streams/'], node: true },
  { prefix: 'main/api/', values: ['common/', 'main/kube/', 'main/class/', 'main/engine/', 'main/streams/', 'main/gateway/', 'main/templates.ts', 'main/paths.ts'], node: true },
  { prefix: 'main/transport/', values: ['common/', 'main/api/'], node: true },
  { prefix: 'main/ui-server/', values: ['common/', 'main/api/', 'main/transport/', 'main/kube/', 'main/streams/', 'main/paths.ts'], node: true },
  { prefix: 'main/cli/', values: ['common/', 'main/kube/', 'main/class/', 'main/engine/', 'main/gateway/', 'main/cluster/', 'main/ui-server/', 'main/api/', 'main/streams/', 'main/templates.ts', 'main/template-names.ts', 'main/paths.ts'], node: true },
  { prefix: 'main/templates.ts', values: ['common/', 'main/paths.ts', 'main/template-names.ts'], node: true },
  { prefix: 'main/template-names.ts', values: ['main/paths.ts'], node: true },
  { prefix: 'main/paths.ts', values: [], node: true },
  { prefix: 'main/electron/', values: ['common/', 'main/'], node: true, electron: true },
  { prefix: 'main/index.ts', values: ['common/', 'main/'], node: true, electron: true },
];

export function layerOf(file: string): Layer | undefined {
  return LAYERS.filter((l) => file === l.prefix || file.startsWith(l.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

export interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

/** Every static import/export-from and dynamic import() in a TypeScript source. */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n: ts.Node) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const clause = n.importClause;
      // `import type {…}` or `import { type A, type B }` with every binding type-only is erased too.
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allTypeNames = !!clause && !clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly);
      out.push({ specifier: n.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || allTypeNames, line: line(n) });
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push({ specifier: n.moduleSpecifier.text, typeOnly: n.isTypeOnly, line: line(n) });
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      out.push({ specifier: n.arguments[0].text, typeOnly: false, line: line(n) });
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push({ specifier: n.argument.literal.text, typeOnly: true, line: line(n) });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Resolves a relative specifier to a repository-relative path (extension-less is fine for prefixes). */
export function resolveRelative(file: string, specifier: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const seg of specifier.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process', 'url', 'stream', 'events', 'util', 'tls', 'zlib', 'buffer', 'module', 'worker_threads', 'readline', 'dns', 'process', 'assert', 'timers', 'v8']);

/** Packages that only work in Node (they open sockets or files); forbidden where `node` is false. */
const NODE_ONLY_PACKAGES = ['@kubernetes/client-node', 'ws', 'commander', 'cli-progress', 'electron-store', 'tsx', 'esbuild', 'electron-builder'];

/**
 * Packages whose values only some folders may load; everywhere else may name their types only.
 * The Kubernetes client stays behind main/kube's narrow interfaces (the Cluster, one exec
 * function), so the engine, streams, gateway and agent never grow a second path to the API.
 */
export const PACKAGE_HOMES: Record<string, string[]> = {
  '@kubernetes/client-node': ['main/kube/'],
};

const homeOf = (spec: string) => Object.entries(PACKAGE_HOMES).find(([p]) => spec === p || spec.startsWith(`${p}/`));

/** The rule violations of one file's imports; empty when it keeps to its layer. */
export function violations(file: string, imports: ImportRef[]): string[] {
  const layer = layerOf(file);
  if (!layer) return [];
  const problems: string[] = [];
  for (const imp of imports) {
    const at = `${file}:${imp.line}: imports ${imp.specifier}`;
    const spec = imp.specifier;
    if (spec === 'electron' || spec.startsWith('electron/')) {
      if (!imp.typeOnly && !layer.electron) problems.push(`${at}: only main/electron/, main/index.ts and preload/ may load Electron`);
      if (imp.typeOnly && !layer.node && !layer.electron) problems.push(`${at}: ${layer.prefix} runs in a browser`);
      continue;
    }
    if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!)) {
      if (!layer.node && !imp.typeOnly) problems.push(`${at}: ${layer.prefix} must run in a browser, so no Node built-ins`);
      continue;
    }
    if (!spec.startsWith('.')) {
      if (!layer.node && !imp.typeOnly && NODE_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) {
        problems.push(`${at}: ${spec} needs Node; ${layer.prefix} must run in a browser`);
        continue;
      }
      const home = homeOf(spec);
      if (home && !imp.typeOnly && !home[1].some((h) => file.startsWith(h))) problems.push(`${at}: ${spec}'s values belong in ${home[1].join(', ')}; import its types only`);
      continue;
    }
    const target = resolveRelative(file, spec);
    // `../cluster` names a folder's index, so it belongs to the `main/cluster/` layer.
    const own = (p: string) => target === p || target.startsWith(p) || `${target}.ts` === p || `${target}/` === p;
    if (own(layer.prefix)) continue;
    if (layer.values.some(own)) continue;
    if (imp.typeOnly && (layer.types ?? []).some(own)) continue;
    const targetLayer = layerOf(target) ?? layerOf(`${target}.ts`) ?? layerOf(`${target}/`);
    problems.push(`${at}: ${layer.prefix} may not import ${imp.typeOnly ? 'types from ' : ''}${targetLayer?.prefix ?? target}`);
  }
  return problems;
}
