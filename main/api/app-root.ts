import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT } from '../paths';

/** The app's root folder (package.json, resources/, out/); one definition in main/paths.ts. */
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
