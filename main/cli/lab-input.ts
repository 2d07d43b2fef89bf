/**
 * Reading the lab files the user names on the command line (the students of a class are read
 * by students-input.ts). Loaded by command actions only (it brings the lab parser: yaml and zod).
 */
import './zod-jitless';
import { existsSync } from 'node:fs';
// The parser itself, not the common/lab index, which also builds the editor's shape schema.
import { formatIssue, parseLab } from '../../common/lab/parse';
import type { Lab } from '../../common/lab/schema';
import { isDnsLabel } from '../../common/lab/dns-label';
import { escapeControl, quoteInput } from '../../common/lab/escape';
import { MAX_LAB_BYTES } from '../../common/lab/limits';
import { InputFileError, readInputFileSync, type InputLimit } from '../kube/input-file';
import { shown } from './args';
import { InvalidInputError, UsageError } from './errors';

/**
 * Reads and decodes a lab file; bad input becomes the list of positioned errors (exit 1). What is
 * valid but will not work as written goes to `warnings`, positioned the same way, when asked.
 */
export function readLabFile(file: string, warnings?: string[]): Lab {
  const text = readLimited(file, { what: 'lab file', maxBytes: MAX_LAB_BYTES });
  const r = parseLab(text);
  if (!r.ok) throw new InvalidInputError(r.issues.map((i) => formatIssue(i, file)));
  for (const w of r.warnings ?? []) warnings?.push(formatIssue({ ...w, message: `warning: ${w.message}` }, file));
  return r.lab;
}

/**
 * A named input file through the one bounded reader the API uses too (regular files only, up to
 * a size limit); a refusal is an input error naming the file.
 */
export function readLimited(file: string, limit: InputLimit): string {
  try {
    return readInputFileSync(file, limit);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    // Too large: point at where the limit is passed, like any other error in the file.
    const at = err.head !== undefined ? endPosition(err.head) : '';
    throw new InvalidInputError([escapeControl(`${file}${at}: ${err.message}`)]);
  }
}

function endPosition(text: string): string {
  const lines = text.split('\n');
  return `:${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

/** `<lab>` may be a lab file or a lab name. */
export function labArg(value: string): { file?: Lab; name: string } {
  if (existsSync(value)) {
    const lab = readLabFile(value);
    return { file: lab, name: lab.metadata.name };
  }
  if (!isDnsLabel(value)) throw new UsageError(`${quoteInput(value)} is neither a lab file nor a lab name`);
  return { name: value };
}
