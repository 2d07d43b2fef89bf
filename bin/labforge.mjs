#!/usr/bin/env node
// The `labforge` command. It runs the bundles built by `npm run build:cli` (which `npm ci` and
// `npm install` run as the prepare step). LABFORGE_FROM_SOURCE=1 runs the TypeScript sources
// through tsx instead: for development only, it starts in seconds.
//
// Two builds of the same sources (scripts/build-cli.mjs): `--help` and the offline lab commands
// (OFFLINE below) run out/main/cli-offline.cjs, one script compiled with a V8 code cache, the
// fastest start Node 20 offers; every other command runs out/main/cli.js, ES modules split per
// command, which load the installed packages (the Kubernetes client, ws, ...) they need.
//
// In a source checkout the bundles are first rebuilt if a file they were built from changed
// since (out/main/cli.inputs.json lists them), so a test, a script or a developer never runs
// stale code; an installed copy has no sources and skips the check.

// Node's modules are taken as they are: an `import` of node:fs builds an ES-module facade of all
// its exports, which loads its streams too (milliseconds at every start). Before Node 20.16
// there is no process.getBuiltinModule; an import does the same there, only slower.
const builtin = async (name) => process.getBuiltinModule?.(name) ?? import(name);
const { readFileSync, renameSync, statSync, writeFileSync } = await builtin('node:fs');
const { createRequire } = await builtin('node:module');
const { join } = await builtin('node:path');
const { pathToFileURL } = await builtin('node:url');
const { Script } = await builtin('node:vm');

const root = join(import.meta.dirname, '..');
const out = join(root, 'out', 'main');
const bundle = join(out, 'cli.js');
const offlineBundle = join(out, 'cli-offline.cjs');
const source = join(root, 'main', 'cli', 'main.ts');
const builder = join(root, 'scripts', 'build-cli.mjs');

/**
 * First arguments served by the offline build: help, and the commands of
 * main/cli/commands/lab.ts, which need no installed package (test/architecture/cli-offline.test.ts
 * holds both). Any other command, or a new one not listed, runs from cli.js: slower, never wrong.
 */
const OFFLINE = ['validate', 'compile', 'create', 'schema', 'help', '--help', '-h'];

/** Whether a source file the bundles were built from is newer than the build (or gone). */
function stale() {
  let record;
  try {
    record = JSON.parse(readFileSync(join(out, 'cli.inputs.json'), 'utf8'));
    statSync(bundle);
  } catch {
    return true;
  }
  // Inputs are relative paths inside the checkout: a plain prefix, not path.join, which
  // normalizes each one (a measurable share of a 170-file check).
  const prefix = `${root}/`;
  for (const input of record.inputs) {
    const st = statSync(prefix + input, { throwIfNoEntry: false });
    if (st === undefined || st.mtimeMs > record.builtAt) return true;
  }
  return false;
}

/** A file name that exists, without throwing when it does not. */
const exists = (file) => statSync(file, { throwIfNoEntry: false }) !== undefined;

/**
 * Runs the offline build as a CommonJS script with a V8 code cache beside it. The cache is used
 * only if its header names this very build (the id the build appends to the file), this Node
 * version and architecture; V8 checks its own version and flags again and may still reject it.
 * A missing or rejected cache is written anew when the command ends (to a temporary name, then
 * renamed, so a concurrent start never reads half a cache); a read-only install just runs
 * without one. Returns false when there is no offline build.
 */
function runOffline(command) {
  let code;
  try {
    code = readFileSync(offlineBundle, 'utf8');
  } catch {
    return false;
  }
  const id = /\/\/ labforge-build ([0-9a-f]+)\s*$/.exec(code.slice(-80))?.[1];
  // One cache per command: each holds the functions its command compiled, no more to load.
  const cacheFile = `${offlineBundle}.${command}.cache`;
  const header = Buffer.from(`labforge-code-cache ${id} ${process.version} ${process.arch}\n`);
  let cachedData;
  if (id) {
    try {
      const data = readFileSync(cacheFile);
      if (data.subarray(0, header.length).equals(header)) cachedData = data.subarray(header.length);
    } catch {
      // no cache yet
    }
  }
  // The CommonJS wrapper, on the first line so the bundle's line numbers stay as they are.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: offlineBundle, cachedData });
  if (id && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit the functions the command ran are compiled too, so the cache holds them.
    process.once('exit', () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, Buffer.concat([header, script.createCachedData()]));
        renameSync(tmp, cacheFile);
      } catch {
        // read-only install: run without a cache
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(offlineBundle), module, offlineBundle, out);
  return true;
}

if (process.env.LABFORGE_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  if (exists(source) && exists(builder) && stale()) {
    try {
      const { buildCli } = await import(pathToFileURL(builder).href);
      await buildCli({ quiet: true });
    } catch (err) {
      process.stderr.write(`labforge: cannot rebuild ${bundle} from the changed sources:\n${err instanceof Error ? err.message : String(err)}\n`);
      process.stderr.write('fix the sources, or run them directly with LABFORGE_FROM_SOURCE=1\n');
      process.exit(1);
    }
  }
  const first = process.argv[2] ?? 'help';
  if (!(OFFLINE.includes(first) && runOffline(first.startsWith('-') ? 'help' : first))) {
    if (!exists(bundle)) {
      process.stderr.write(`labforge: ${bundle} is missing; build it with \`npm run build:cli\` (or run the sources with LABFORGE_FROM_SOURCE=1)\n`);
      process.exit(1);
    }
    await import(pathToFileURL(bundle).href);
  }
}
