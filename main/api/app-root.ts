import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The app's root folder (package.json, resources/, out/). Both the sources (main/<area>/x.ts)
 * and the bundles (out/main/x.js) sit two levels below it; in a packaged app it is the asar.
 */
export function appRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
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
