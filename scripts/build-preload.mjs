// The preload runs sandboxed, where only CommonJS and a restricted `require('electron')` work.
import { build } from 'esbuild';

await build({
  entryPoints: ['preload/index.ts'],
  outfile: 'out/preload/index.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  sourcemap: false,
  logLevel: 'info',
});
