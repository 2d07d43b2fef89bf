/**
 * The variables a compose file is interpolated with, read the way compose finds them: the
 * `--env-file`s named on the command line (relative to the working directory, later ones win),
 * or else the `.env` beside the compose file when there is one. The shell's own environment is
 * deliberately not read, so an import gives the same lab whoever runs it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatEnvFileMessage, MAX_ENV_FILE_BYTES, parseEnvFiles } from '../../common/import/env-file';
import { InvalidInputError } from './errors';
import { readLimited } from './lab-input';

export interface ComposeEnv {
  vars: Record<string, string>;
  /** Positioned warnings from the env files, formatted like import warnings. */
  warnings: string[];
  /** The folder holding the compose file, compose's default project name. */
  directory: string;
}

export function readComposeEnv(composeFile: string, envFiles: readonly string[]): ComposeEnv {
  const folder = dirname(resolve(composeFile));
  const beside = join(folder, '.env');
  const names = envFiles.length > 0 ? envFiles : existsSync(beside) ? [join(dirname(composeFile), '.env')] : [];
  const files = names.map((name) => ({ name, text: readLimited(name, { what: 'env file', maxBytes: MAX_ENV_FILE_BYTES }) }));
  const parsed = parseEnvFiles(files);
  if (parsed.errors.length > 0) throw new InvalidInputError(parsed.errors.map(formatEnvFileMessage));
  return { vars: parsed.vars, warnings: parsed.warnings.map(formatEnvFileMessage), directory: basename(folder) };
}
