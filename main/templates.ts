/**
 * Built-in templates (resources/templates/*.yaml): ready labs for `labforge create` and the
 * canvas palette. A template is an ordinary lab file, parsed with the same strict rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES_DIR } from './paths';
import { templateNames } from './template-names';
import { parseLab } from '../common/lab/parse';
import type { Lab } from '../common/lab/schema';

export interface TemplateOptions {
  name?: string;
  cpu?: string;
  memory?: string;
  disk?: string;
}

export { templateNames };

export function loadTemplate(type: string, dir = TEMPLATES_DIR): Lab {
  if (!templateNames(dir).includes(type)) {
    throw new Error(`unknown template "${type}"; choose one of: ${templateNames(dir).join(', ')}`);
  }
  const r = parseLab(readFileSync(join(dir, `${type}.yaml`), 'utf8'));
  if (!r.ok) throw new Error(`built-in template ${type} is invalid: ${r.issues[0]?.message}`);
  return r.lab;
}

/** Every built-in template, by name: what `labforge create` offers and the canvas palette shows. */
export function loadTemplates(dir = TEMPLATES_DIR): { name: string; lab: Lab }[] {
  return templateNames(dir).map((name) => ({ name, lab: loadTemplate(name, dir) }));
}

/**
 * Applies `create`'s sizing flags: --cpu and --memory become every node's requests and
 * limits (a guaranteed size, what "give me a 2-CPU box" means); --disk sizes VM scratch disks.
 */
export function applyTemplateOptions(lab: Lab, opts: TemplateOptions): Lab {
  const out = structuredClone(lab);
  if (opts.name) out.metadata.name = opts.name;
  for (const node of out.nodes) {
    const set = (res: 'cpu' | 'memory', value: string | undefined) => {
      if (value === undefined) return;
      node.resources = node.resources ?? {};
      node.resources.requests = { ...node.resources.requests, [res]: value };
      node.resources.limits = { ...node.resources.limits, [res]: value };
    };
    set('cpu', opts.cpu);
    set('memory', opts.memory);
    if (opts.disk !== undefined && node.kind === 'vm') node.resources = { ...node.resources, disk: opts.disk };
  }
  return out;
}
