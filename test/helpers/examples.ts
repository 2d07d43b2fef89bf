// The example labs shipped in resources/examples, parsed with the product's own decoder; shared
// by the integration and browser tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab, type Lab } from '../../common/lab';
import { APP_ROOT } from '../../main/paths';

export function exampleLab(file: string): Lab {
  const r = parseLab(readFileSync(join(APP_ROOT, 'resources', 'examples', file), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not parse: ${r.issues[0]?.message}`);
  return r.lab;
}
