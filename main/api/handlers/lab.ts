import { importCompose, importContainerlab, formatImportMessage } from '../../../common/import';
import { formatEnvFileMessage, parseEnvFiles } from '../../../common/import/env-file';
import { formatIssue, parseLab, serializeLab, validateLab } from '../../../common/lab';
import type { Handler } from '../dispatch';

export const labParse: Handler<'lab.parse'> = ({ text }) => {
  const result = parseLab(text);
  return result.ok ? { lab: result.lab, issues: [] } : { lab: null, issues: result.issues };
};

export const labValidate: Handler<'lab.validate'> = ({ lab }) => {
  const result = validateLab(lab);
  return { issues: result.ok ? [] : result.issues };
};

/**
 * Serialises what the editor holds. A lab with invalid values (a bad image name being typed)
 * still serialises, so the YAML view never loses the user's work; the contract has already
 * refused anything that is not shaped like a lab.
 */
export const labSerialize: Handler<'lab.serialize'> = ({ lab }) => {
  const result = validateLab(lab);
  return { text: serializeLab(result.ok ? result.lab : lab) };
};

/** File › Import: the same import as `labforge import`, checked by the same rules as any lab. */
export const labImport: Handler<'lab.import'> = ({ format, text, fileName, env }) => {
  // The renderer hands over file contents, not paths: the env file comes with them, and the
  // folder (compose's default project name) is unknown, so the file's name stands in for it.
  const vars = parseEnvFiles(env ? [{ name: env.fileName, text: env.text }] : []);
  if (vars.errors.length > 0) return { lab: null, warnings: vars.warnings.map(formatEnvFileMessage), errors: vars.errors.map(formatEnvFileMessage) };
  const result = format === 'compose' ? importCompose(text, fileName, { env: vars.vars }) : importContainerlab(text, fileName);
  const warnings = [...vars.warnings.map(formatEnvFileMessage), ...result.warnings.map((w) => formatImportMessage(w, fileName))];
  if (!result.ok) return { lab: null, warnings, errors: result.errors.map((e) => formatImportMessage(e, fileName)) };
  const checked = validateLab(result.lab);
  if (!checked.ok) return { lab: null, warnings, errors: checked.issues.map((i) => formatIssue(i, 'imported lab')) };
  return { lab: checked.lab, warnings, errors: [] };
};
