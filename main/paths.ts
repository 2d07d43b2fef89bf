/**
 * Where Labforge is installed: the one place that finds the app root (a checkout or a build), for
 * the CLI, browser mode, Electron and the local cluster's launcher alike.
 */
import { existsSync, readFileSync } from 'node:fs';
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
const RESOURCES_DIR = join(APP_ROOT, 'resources');
export const EXAMPLES_DIR = join(RESOURCES_DIR, 'examples');
export const TEMPLATES_DIR = join(RESOURCES_DIR, 'templates');

/** The app's root folder (package.json, resources/, out/). */
export function appRoot(): string {
  return APP_ROOT;
}

export function appVersion(root = appRoot()): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const examplesDir = (root = appRoot()) => join(root, 'resources', 'examples');
export const rendererDir = (root = appRoot()) => join(root, 'out', 'renderer');
