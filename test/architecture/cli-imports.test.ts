/**
 * What each `labforge` command loads before doing anything. Every command file is loaded for
 * every command (--help included), and an action loads what it `await import()`s. This test
 * walks the static import graph esbuild resolves (the same resolution as the bundle) and fails
 * if --help or the lab commands (validate, compile, create, schema) can reach the Kubernetes
 * client, kubernetes-models, ws or renderer code.
 */
import { build, type Metafile } from 'esbuild';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const FORBIDDEN = [/^@kubernetes\/client-node/, /^kubernetes-models/, /^ws$/, /^react(-dom)?(\/|$)/, /^@xyflow\//, /^zustand/, /^@xterm\//, /^@novnc\//, /^renderer\//];

let meta: Metafile;

beforeAll(async () => {
  // Packages stay external so their names show in the graph; only our sources are walked.
  const r = await build({ absWorkingDir: root, entryPoints: ['main/cli/main.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'silent', outdir: 'out/arch-check', splitting: true });
  meta = r.metafile;
}, 60_000);

/** Everything `from` loads before its code runs: static imports, followed transitively. */
function staticClosure(from: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of meta.inputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' || i.kind === 'require-call') todo.push(i.path);
    }
  }
  return seen;
}

/** The modules a file loads with `await import()` (its actions' implementations). */
function dynamicTargets(file: string): string[] {
  const inputs = meta.inputs[file];
  if (!inputs) throw new Error(`${file} is not in the CLI's import graph`);
  return inputs.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
}

const forbiddenIn = (closure: Set<string>) => [...closure].filter((m) => FORBIDDEN.some((re) => re.test(m))).sort();

/** For a forbidden module, one chain of static imports that reaches it, to say where to cut. */
function chainTo(from: string[], target: string): string[] {
  const prev = new Map<string, string | undefined>(from.map((f) => [f, undefined]));
  const queue = [...from];
  while (queue.length) {
    const file = queue.shift()!;
    if (file === target) {
      const chain: string[] = [];
      for (let f: string | undefined = file; f; f = prev.get(f)) chain.unshift(f);
      return chain;
    }
    for (const i of meta.inputs[file]?.imports ?? []) {
      if ((i.kind === 'import-statement' || i.kind === 'require-call') && !prev.has(i.path)) {
        prev.set(i.path, file);
        queue.push(i.path);
      }
    }
  }
  return [];
}

const explain = (from: string[]) => forbiddenIn(staticClosure(from)).map((m) => chainTo(from, m).join(' → '));

describe("the CLI's import graph", () => {
  it('--help (every command declaration) loads no Kubernetes client, models, ws or renderer code', () => {
    const start = ['main/cli/main.ts'];
    expect(staticClosure(start).has('main/cli/commands/engine.ts')).toBe(true);
    expect(explain(start)).toEqual([]);
  });

  it('validate, compile, create and schema load none of them either', () => {
    const actions = dynamicTargets('main/cli/commands/lab.ts');
    // The lab commands' implementations: the lab parser and the compiler at least.
    expect(actions).toEqual(expect.arrayContaining(['main/cli/lab-input.ts', 'common/compile/index.ts']));
    expect(explain(['main/cli/main.ts', ...actions])).toEqual([]);
  });

  it('does find them where they are used (the check command reaches the Kubernetes client)', () => {
    // check runs its checks through client-node's Exec; the engine commands reach the cluster
    // through kubeconfig-lite and load client-node only when a kubeconfig needs it.
    const actions = dynamicTargets('main/cli/commands/check.ts');
    const reached = forbiddenIn(staticClosure(actions));
    expect(reached).toContain('@kubernetes/client-node');
    expect(chainTo(actions, '@kubernetes/client-node').length).toBeGreaterThan(1);
  });
});
