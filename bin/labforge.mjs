#!/usr/bin/env node
// The `labforge` command. It runs the bundle out/main/cli.js, built by `npm run build:cli`
// (which `npm ci` and `npm install` run as the prepare step). LABFORGE_FROM_SOURCE=1 runs the
// TypeScript sources through tsx instead: for development only, it starts in seconds.
//
// In a source checkout the bundle is first rebuilt if a file it was built from changed since
// (out/main/cli.inputs.json lists them), so a test, a script or a developer never runs stale
// code; an installed copy has no sources and skips the check.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'out', 'main', 'cli.js');
const source = join(root, 'main', 'cli', 'main.ts');
const builder = join(root, 'scripts', 'build-cli.mjs');

/** Whether a source file the bundle was built from is newer than the build (or gone). */
function stale() {
  let record;
  try {
    record = JSON.parse(readFileSync(join(root, 'out', 'main', 'cli.inputs.json'), 'utf8'));
    statSync(bundle);
  } catch {
    return true;
  }
  for (const input of record.inputs) {
    try {
      if (statSync(join(root, input)).mtimeMs > record.builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

if (process.env.LABFORGE_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  if (existsSync(source) && existsSync(builder) && stale()) {
    try {
      const { buildCli } = await import(pathToFileURL(builder).href);
      await buildCli({ quiet: true });
    } catch (err) {
      process.stderr.write(`labforge: cannot rebuild ${bundle} from the changed sources:\n${err instanceof Error ? err.message : String(err)}\n`);
      process.stderr.write('fix the sources, or run them directly with LABFORGE_FROM_SOURCE=1\n');
      process.exit(1);
    }
  }
  if (!existsSync(bundle)) {
    process.stderr.write(`labforge: ${bundle} is missing; build it with \`npm run build:cli\` (or run the sources with LABFORGE_FROM_SOURCE=1)\n`);
    process.exit(1);
  }
  await import(pathToFileURL(bundle).href);
}
