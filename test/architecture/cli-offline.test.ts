/**
 * The offline build of the CLI (out/main/cli-offline.cjs, see scripts/build-cli.mjs): one
 * CommonJS file that bin/labforge.mjs runs with a V8 code cache for `--help` and the lab
 * commands. It leaves out every installed package and every other command's implementation;
 * these tests hold that the commands sent to it never reach what it leaves out, that bin's list
 * of them is exactly the lab commands and help, and that a missing, foreign or corrupt code
 * cache never changes what a command does.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { labCommands } from '../../main/cli/commands/lab';

const root = join(import.meta.dirname, '../..');
const BIN = join(root, 'bin/labforge.mjs');
const LEFT_OUT = 'not-offline:';

let meta: Metafile;

beforeAll(async () => {
  const { offlineBuildOptions } = (await import(join(root, 'scripts/build-cli.mjs'))) as { offlineBuildOptions: () => Record<string, unknown> };
  const r = await build({ ...offlineBuildOptions(), write: false, metafile: true, logLevel: 'silent' });
  meta = r.metafile;
}, 60_000);

/** Everything reachable from `from` through imports of the kinds given. */
function closure(from: string[], kinds: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of meta.inputs[file]?.imports ?? []) if (kinds.includes(i.kind)) todo.push(i.path);
  }
  return seen;
}

const STATIC = ['import-statement', 'require-call'];
const ALL = [...STATIC, 'dynamic-import'];
const dynamicTargets = (file: string) => (meta.inputs[file]?.imports ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
const leftOut = (files: Set<string>) => [...files].filter((f) => f.startsWith(LEFT_OUT)).sort();

describe('the offline build', () => {
  it('loads nothing it leaves out for --help or the lab commands, whatever their actions import', () => {
    const atStart = closure(['main/cli/main.ts'], STATIC);
    expect(atStart.has('main/cli/commands/engine.ts')).toBe(true);
    expect(leftOut(atStart)).toEqual([]);
    const actions = dynamicTargets('main/cli/commands/lab.ts');
    expect(actions).toEqual(expect.arrayContaining(['main/cli/lab-input.ts', 'common/compile/index.ts']));
    expect(leftOut(closure(actions, ALL))).toEqual([]);
  });

  it('leaves out the packages and the other commands\' implementations', () => {
    const inputs = Object.keys(meta.inputs);
    expect(inputs.some((f) => f.includes('node_modules/commander/'))).toBe(true);
    expect(inputs.filter((f) => f.includes('node_modules/') && !/node_modules\/(commander|yaml|zod)\//.test(f))).toEqual([]);
    // The engine commands' actions are replaced: reaching them from the build is what the check above would catch.
    const engineActions = dynamicTargets('main/cli/commands/engine.ts');
    expect(engineActions.length).toBeGreaterThan(0);
    expect(engineActions.every((f) => f.startsWith(LEFT_OUT))).toBe(true);
    expect(inputs.some((f) => f.includes('main/engine/publish'))).toBe(false);
  });

  it('is what bin/labforge.mjs sends exactly the lab commands and help to', () => {
    const program = new Command();
    labCommands(program, { stdout: () => undefined, stderr: () => undefined });
    const listed = /const OFFLINE = (\[[^\]]*\]);/.exec(readFileSync(BIN, 'utf8'))?.[1];
    expect(listed, 'bin/labforge.mjs declares const OFFLINE = [...]').toBeDefined();
    const offline = JSON.parse(listed!.replace(/'/g, '"')) as string[];
    expect([...offline].sort()).toEqual([...program.commands.map((c) => c.name()), 'help', '--help', '-h'].sort());
  });
});

describe('the code cache of the offline build', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LABFORGE_FROM_SOURCE: '' } });
  const cacheFile = join(root, 'out/main/cli-offline.cjs.schema.cache');
  let expected: string;

  beforeAll(() => {
    // Current bundles (bin rebuilds them if a source changed), and the schema from the ES-module build to compare with.
    expect(run('--help').status).toBe(0);
    const esm = spawnSync(process.execPath, [join(root, 'out/main/cli.js'), 'schema'], { cwd: root, encoding: 'utf8' });
    expect(esm.status, esm.stderr).toBe(0);
    expected = esm.stdout;
    expect(JSON.parse(expected)).toHaveProperty('title');
  }, 60_000);

  const header = () => {
    const code = readFileSync(join(root, 'out/main/cli-offline.cjs'), 'utf8');
    const id = /\/\/ labforge-build ([0-9a-f]+)\s*$/.exec(code)![1];
    return `labforge-code-cache ${id} ${process.version} ${process.arch}\n`;
  };

  it('is written after a run without one, for this build and this Node', () => {
    rmSync(cacheFile, { force: true });
    const r = run('schema');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
    const written = readFileSync(cacheFile);
    expect(written.subarray(0, header().length).toString()).toBe(header());
    expect(written.length).toBeGreaterThan(header().length + 1000);
    // With it the output is the same.
    expect(run('schema').stdout).toBe(expected);
  }, 30_000);

  it('is replaced when V8 rejects it (corrupt data under a valid header)', () => {
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(header()), Buffer.alloc(4096, 7)]));
    const r = run('schema');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
    const after = readFileSync(cacheFile);
    expect(after.subarray(header().length, header().length + 4096).equals(Buffer.alloc(4096, 7))).toBe(false);
  }, 30_000);

  it('is ignored and replaced when it names another build or Node', () => {
    const valid = readFileSync(cacheFile);
    const foreign = Buffer.concat([Buffer.from(header().replace(process.version, 'v0.0.0')), valid.subarray(header().length)]);
    writeFileSync(cacheFile, foreign);
    const r = run('schema');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(readFileSync(cacheFile).subarray(0, header().length).toString()).toBe(header());
  }, 30_000);
});

describe('an installed copy (the bundles without the sources)', () => {
  let dir: string;
  const example = join(root, 'resources/examples/web-db.yaml');
  const run = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'bin/labforge.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LABFORGE_FROM_SOURCE: '' } });

  beforeAll(() => {
    // Current bundles first (bin rebuilds them in the checkout if a source changed).
    expect(spawnSync(process.execPath, [BIN, '--help'], { cwd: root }).status).toBe(0);
    dir = mkdtempSync(join(tmpdir(), 'labforge-installed-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'out/main'), { recursive: true });
    cpSync(BIN, join(dir, 'bin/labforge.mjs'));
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(root, 'resources'), join(dir, 'resources'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    for (const f of ['cli.js', 'cli-offline.cjs']) cpSync(join(root, 'out/main', f), join(dir, 'out/main', f));
    cpSync(join(root, 'out/main/cli-chunks'), join(dir, 'out/main/cli-chunks'), { recursive: true });
    return () => rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs validate from the offline build and writes its code cache there', () => {
    const r = run('validate', example);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid lab "web-db"');
    expect(existsSync(join(dir, 'out/main/cli-offline.cjs.validate.cache'))).toBe(true);
    expect(run('validate', example).stdout).toBe(r.stdout);
  }, 30_000);

  it('runs the lab commands from the ES-module bundle when there is no offline build', () => {
    const offline = run('validate', example);
    rmSync(join(dir, 'out/main/cli-offline.cjs'));
    const r = run('validate', example);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(offline.stdout);
    const bad = run('create', 'vm', '--cpu', '1e40');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--cpu is above the maximum of 1000');
  }, 30_000);
});
