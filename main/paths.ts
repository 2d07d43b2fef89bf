/** Where the project's bundled resources live, for the CLI, browser mode and Electron alike. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  // From main/paths.ts in a checkout, or out/main/*.js in a build: walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the Labforge installation (package.json next to resources/)');
}

export const APP_ROOT = process.env['LABFORGE_ROOT'] ?? findRoot();
export const RESOURCES_DIR = join(APP_ROOT, 'resources');
export const EXAMPLES_DIR = join(RESOURCES_DIR, 'examples');
export const TEMPLATES_DIR = join(RESOURCES_DIR, 'templates');
