import { parseLab, serializeLab, validateLab, type Lab } from '../../../common/lab';
import { ApiFailure, type Handler } from '../dispatch';

export const labParse: Handler<'lab.parse'> = ({ text }) => {
  const result = parseLab(text);
  return result.ok ? { lab: result.lab, issues: [] } : { lab: null, issues: result.issues };
};

export const labValidate: Handler<'lab.validate'> = ({ lab }) => {
  const result = validateLab(lab);
  return { issues: result.ok ? [] : result.issues };
};

/** True when the value has the lab's shape (sections are arrays), even if values are invalid. */
function hasLabShape(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['metadata'] === 'object' &&
    v['metadata'] !== null &&
    ['nodes', 'networks', 'volumes', 'exposures'].every((k) => v[k] === undefined || Array.isArray(v[k]))
  );
}

/**
 * Serialises what the editor holds. A lab with invalid values (a bad image name being typed)
 * still serialises, so the YAML view never loses the user's work.
 */
export const labSerialize: Handler<'lab.serialize'> = ({ lab }) => {
  const result = validateLab(lab);
  if (result.ok) return { text: serializeLab(result.lab) };
  if (!hasLabShape(lab)) throw new ApiFailure('invalid_lab', 'the lab has no metadata or its sections are not lists');
  // serializeLab writes a lab that does not decode yet as it is, in the usual section order.
  return { text: serializeLab(lab as unknown as Lab) };
};

