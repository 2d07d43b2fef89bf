// Bundles the Electron entry for Node (ESM), then the CLI (scripts/build-cli.mjs). The entry's
// dependencies stay external: they are installed next to the app (package.json "files"), and
// electron comes from the runtime.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { buildCli } from './build-cli.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), 'electron'];

await build({
  entryPoints: { index: 'main/index.ts' },
  outdir: 'out/main',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'info',
  // Bundled CommonJS code may still call require().
  banner: { js: "import { createRequire as __labforgeCreateRequire } from 'node:module'; const require = __labforgeCreateRequire(import.meta.url);" },
});

await buildCli();
