/**
 * The names of the built-in templates (resources/templates/*.yaml), apart from their loading so
 * that listing them (`labforge create --help`) does not load the lab parser.
 */
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { TEMPLATES_DIR } from './paths';

export function templateNames(dir = TEMPLATES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}
