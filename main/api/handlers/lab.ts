import { parseLab, serializeLab, validateLab } from '../../../common/lab';
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
