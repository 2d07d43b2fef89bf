#!/usr/bin/env node
// Entry point of the `labforge` command. In a source checkout it runs the TypeScript directly
// (through tsx) so the CLI never lags behind the code; a packaged build runs the bundle in out/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'main', 'cli', 'main.ts');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
}
