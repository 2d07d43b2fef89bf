// Bundles the `labforge` command, twice from the same sources (main/cli/main.ts):
//
// - out/main/cli.js plus chunks that commands load on demand (ES modules, esbuild code
//   splitting: each `await import()` in a command's action becomes a chunk, so `--help` or
//   `validate` never read the Kubernetes client). Every command runs from it.
// - out/main/cli-offline.cjs, one CommonJS file with no installed package at all (commander, yaml
//   and zod inside; any other package is replaced by a module that throws). bin/labforge.mjs
//   runs `--help` and the offline lab commands from it through node:vm with a V8 code cache
//   (out/main/cli-offline.cjs.cache), which Node 20 offers for scripts but not for ES modules:
//   the cache saves parsing and compiling at every start.
//
// Run by `npm run build:cli`, by `npm ci`/`npm install` through the prepare script, and by
// bin/labforge.mjs itself when a source file listed in out/main/cli.inputs.json changed since
// the last build.
//
// commander, yaml and zod are bundled: one file to read instead of hundreds of modules to
// resolve at every start. The other dependencies stay external (installed next to the app).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'out', 'main');
export const CLI_BUNDLE = join(OUT, 'cli.js');
/** The single-file CommonJS build for the offline commands (see bin/labforge.mjs). */
export const CLI_OFFLINE = join(OUT, 'cli-offline.cjs');
/** The source files the bundle was built from, for the staleness check. */
export const CLI_INPUTS = join(OUT, 'cli.inputs.json');
const CHUNKS = 'cli-chunks';
const BUNDLED = new Set(['commander', 'yaml', 'zod']);

/**
 * zod carries message translations for ~40 languages, half of its size, all loaded with it;
 * Labforge words its own messages (in English), so the CLI bundles only zod's English one.
 * The others become a function that says so if anything ever calls it.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/][^\\/]+\.js$/ }, (args) => {
      if (/[\\/](en|index)\.js$/.test(args.path)) return undefined;
      return { contents: "export default function locale() { throw new Error('only the English zod locale is bundled into the labforge CLI'); }", loader: 'js' };
    });
  },
};

/**
 * commander loads node:child_process when it is loaded (milliseconds at every start: it brings
 * net, dgram and more), for one rare feature, subcommands that are separate executables, which
 * Labforge does not use. The bundled copy loads it when that feature spawns, if ever.
 */
const commanderLazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      // Another commander version: bundle it as it is.
      if (!text.includes(eager)) return undefined;
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** The esbuild options of the CLI bundle. */
export function cliBuildOptions() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return {
    absWorkingDir: ROOT,
    entryPoints: { cli: 'main/cli/main.ts' },
    outdir: 'out/main',
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.has(d)), 'electron'],
    sourcemap: true,
    metafile: true,
    plugins: [zodEnglishOnly, commanderLazyChildProcess],
    // Bundled CommonJS code may still call require().
    banner: { js: "import { createRequire as __labforgeCreateRequire } from 'node:module'; const require = __labforgeCreateRequire(import.meta.url);" },
  };
}

/** The command file whose commands (validate, compile, create, schema) the offline build serves. */
const OFFLINE_COMMANDS = 'main/cli/commands/lab.ts';

/**
 * What the offline build leaves out, replaced by a module that throws when it is loaded:
 * - every package left external, so the file runs with nothing from node_modules;
 * - what the other command files, and the helpers they share (main/cli/engine-command.ts),
 *   import in their actions (the engine, the Kubernetes client code, the UI server): their
 *   declarations stay, so `--help` is the same, but the file is
 *   half the size, and so is its code cache.
 * A command routed here by mistake fails clearly instead of half-running. bin/labforge.mjs
 * sends only help and the commands of OFFLINE_COMMANDS here; test/architecture holds that
 * they reach no package.
 */
/** The engine commands' shared helpers: their imports are the engine's, as the commands' are. */
const ENGINE_COMMAND_HELPERS = 'main/cli/engine-command.ts';

const offlineOnly = (packages) => ({
  name: 'offline-only',
  setup(b) {
    const names = packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    b.onResolve({ filter: new RegExp(`^(${names})(/.*)?$`) }, (args) => ({ path: args.path, namespace: 'not-offline' }));
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.path.startsWith('node:')) return undefined;
      const from = relative(ROOT, args.importer).split('\\').join('/');
      if (!(from.startsWith('main/cli/commands/') || from === ENGINE_COMMAND_HELPERS) || from === OFFLINE_COMMANDS) return undefined;
      return { path: `${from}: ${args.path}`, namespace: 'not-offline' };
    });
    b.onLoad({ filter: /.*/, namespace: 'not-offline' }, (args) => ({
      // CommonJS (it names `module`), so importers take any name from it without a warning.
      contents: `module.exports = {}; throw new Error(${JSON.stringify(`${args.path} is not part of out/main/cli-offline.cjs: bin/labforge.mjs must run this command from out/main/cli.js`)});`,
      loader: 'js',
    }));
  },
});

/** The esbuild options of the offline build: CommonJS, one file, no package loaded at run time. */
export function offlineBuildOptions() {
  const esm = cliBuildOptions();
  return {
    ...esm,
    entryPoints: { 'cli-offline': 'main/cli/main.ts' },
    format: 'cjs',
    splitting: false,
    chunkNames: undefined,
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    // Less to read and to hash at every start; names are kept, so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [...esm.plugins, offlineOnly(esm.external.filter((d) => d !== 'electron'))],
    // A script has no import.meta; the bundle's own file URL stands in for it.
    define: { 'import.meta.url': '__labforgeImportMetaUrl' },
    banner: { js: "const __labforgeImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
}

/** Appended to the offline build: the code cache is used only with the build it was made from. */
export const BUILD_ID_MARK = '// labforge-build ';

/**
 * Builds the CLI bundle. Files are written to a temporary name and renamed into place, chunks
 * before the entry, so a process starting at the same moment (tests run in parallel) sees
 * either the old bundle or the new one, never half a file. Chunks of older builds are removed
 * only once they are an hour old: a long-running command may still load one.
 */
export async function buildCli({ quiet = false } = {}) {
  const started = Date.now();
  const logLevel = quiet ? 'error' : 'warning';
  const [result, offline] = await Promise.all([
    build({ ...cliBuildOptions(), write: false, logLevel }),
    build({ ...offlineBuildOptions(), write: false, logLevel }),
  ]);
  const entry = result.outputFiles.filter((f) => f.path === CLI_BUNDLE || f.path === `${CLI_BUNDLE}.map`);
  const rest = result.outputFiles.filter((f) => !entry.includes(f));
  const offlineFiles = offline.outputFiles.map((f) => {
    if (f.path !== CLI_OFFLINE) return { path: f.path, contents: f.contents };
    const id = createHash('sha256').update(f.contents).digest('hex').slice(0, 32);
    return { path: f.path, contents: Buffer.concat([f.contents, Buffer.from(`${BUILD_ID_MARK}${id}\n`)]) };
  });
  mkdirSync(join(OUT, CHUNKS), { recursive: true });
  for (const f of [...rest, ...offlineFiles, ...entry]) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  const current = new Set(result.outputFiles.map((f) => f.path));
  for (const name of readdirSync(join(OUT, CHUNKS))) {
    const file = join(OUT, CHUNKS, name);
    if (!current.has(file) && Date.now() - statSync(file).mtimeMs > 3_600_000) unlinkSync(file);
  }
  const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(offline.metafile.inputs)])].filter((p) => !p.includes('node_modules/') && !p.startsWith('not-offline:'));
  inputs.push(relative(ROOT, fileURLToPath(import.meta.url)));
  const tmp = `${CLI_INPUTS}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ builtAt: started, inputs }, null, 1)}\n`);
  renameSync(tmp, CLI_INPUTS);
  if (!quiet) {
    const size = result.outputFiles.filter((f) => f.path.endsWith('.js')).reduce((n, f) => n + f.contents.length, 0);
    process.stderr.write(`built ${relative(ROOT, CLI_BUNDLE)} and ${rest.filter((f) => f.path.endsWith('.js')).length} chunks (${Math.round(size / 1024)} KiB) in ${Date.now() - started} ms\n`);
  }
  return result.metafile;
}

/**
 * Runs each offline command once through bin/labforge.mjs so that its code cache exists before
 * the first real call, also where out/ is read-only later (an installed copy). Best effort: a
 * command that fails here only leaves its cache to be written by its first run.
 */
export function warmCodeCaches() {
  const bin = join(ROOT, 'bin', 'labforge.mjs');
  const lab = 'resources/examples/web-db.yaml';
  for (const args of [['--help'], ['validate', lab], ['compile', lab, '--students', '2'], ['create', 'vm'], ['schema']]) {
    spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, stdio: 'ignore', env: { ...process.env, LABFORGE_FROM_SOURCE: '' } });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
  warmCodeCaches();
}
