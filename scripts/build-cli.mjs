// Bundles the `labforge` command: out/main/cli.js plus chunks that commands load on demand
// (esbuild code splitting: each `await import()` in a command's action becomes a chunk, so
// `--help` or `validate` never read the Kubernetes client). Run by `npm run build:cli`, by
// `npm ci`/`npm install` through the prepare script, and by bin/labforge.mjs itself when a
// source file listed in out/main/cli.inputs.json changed since the last build.
//
// commander, yaml and zod are bundled: one file to read instead of hundreds of modules to
// resolve at every start. The other dependencies stay external (installed next to the app).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'out', 'main');
export const CLI_BUNDLE = join(OUT, 'cli.js');
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
    plugins: [zodEnglishOnly],
    // Bundled CommonJS code may still call require().
    banner: { js: "import { createRequire as __labforgeCreateRequire } from 'node:module'; const require = __labforgeCreateRequire(import.meta.url);" },
  };
}

/**
 * Builds the CLI bundle. Files are written to a temporary name and renamed into place, chunks
 * before the entry, so a process starting at the same moment (tests run in parallel) sees
 * either the old bundle or the new one, never half a file. Chunks of older builds are removed
 * only once they are an hour old: a long-running command may still load one.
 */
export async function buildCli({ quiet = false } = {}) {
  const started = Date.now();
  const result = await build({ ...cliBuildOptions(), write: false, logLevel: quiet ? 'error' : 'warning' });
  const entry = result.outputFiles.filter((f) => f.path === CLI_BUNDLE || f.path === `${CLI_BUNDLE}.map`);
  const rest = result.outputFiles.filter((f) => !entry.includes(f));
  mkdirSync(join(OUT, CHUNKS), { recursive: true });
  for (const f of [...rest, ...entry]) {
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
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/'));
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
