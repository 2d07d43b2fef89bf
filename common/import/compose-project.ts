/**
 * The lab's name, chosen the way compose chooses a project name: `-p/--project-name`, then
 * COMPOSE_PROJECT_NAME (compose reads it from the env file too), then the top-level `name:`,
 * then the directory holding the compose file. The app, which is handed a file without its
 * folder, falls back to the file's name.
 */
import { toLabel } from './names';
import type { YamlSource } from './source';

export interface ProjectNameInputs {
  /** `-p/--project-name` on the command line. */
  projectName?: string | undefined;
  /** The base name of the directory holding the compose file, when the caller knows it. */
  directory?: string | undefined;
  fileName: string;
  vars: Readonly<Record<string, string>>;
}

const LAB_NAME_MAX = 40;

/** Compose's own normalisation: lowercase, only [a-z0-9_-], not starting with '_' or '-'. */
export function composeProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '')
    .replace(/^[_-]+/, '');
}

export function labName(src: YamlSource, inputs: ProjectNameInputs): string {
  const fromEnv = Object.hasOwn(inputs.vars, 'COMPOSE_PROJECT_NAME') ? inputs.vars['COMPOSE_PROJECT_NAME'] : undefined;
  const declared = src.value(['name']);
  const candidates: (string | undefined)[] = [
    inputs.projectName,
    fromEnv,
    typeof declared === 'string' || typeof declared === 'number' ? String(declared) : undefined,
    inputs.directory,
  ];
  for (const [i, raw] of candidates.entries()) {
    const project = raw === undefined ? '' : composeProjectName(raw);
    if (project === '') continue;
    const name = toLabel(project, LAB_NAME_MAX);
    if (i === 2 && name !== raw) src.warn(['name'], `the lab is named "${name}" (a DNS label)`);
    return name;
  }
  // Without a folder: the file's name, except for compose's default file names.
  const stem = inputs.fileName.replace(/^.*[\\/]/, '').replace(/\.(ya?ml)$/i, '').replace(/^(docker-)?compose$/i, 'compose');
  return toLabel(stem, LAB_NAME_MAX);
}
