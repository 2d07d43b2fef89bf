import { stringify } from 'yaml';
import { labSchema, type LabInput } from './schema';

/**
 * Writes a lab as YAML that is pleasant in git: fixed top-level order, empty sections omitted,
 * layout last so moving boxes on the canvas never reorders the semantic part.
 */
export function serializeLab(input: LabInput): string {
  // Decoding again puts every object's keys in schema order, so the same lab always gives the
  // same text however it was built (parsed, edited on the canvas, generated). A lab that does
  // not decode (the editor holds invalid drafts) is written as it is.
  const decoded = labSchema.safeParse(input);
  const lab = decoded.success ? decoded.data : input;
  const out: Record<string, unknown> = {
    apiVersion: lab.apiVersion,
    kind: lab.kind,
    metadata: lab.metadata,
  };
  if (lab.networks?.length) out['networks'] = lab.networks;
  if (lab.volumes?.length) out['volumes'] = lab.volumes;
  out['nodes'] = lab.nodes ?? [];
  if (lab.exposures?.length) out['exposures'] = lab.exposures;
  if (lab.checks?.length) out['checks'] = lab.checks;
  if (lab.achievements?.length) out['achievements'] = lab.achievements;
  if (lab.layout && Object.values(lab.layout).some((v) => v && Object.keys(v).length)) out['layout'] = lab.layout;
  return stringify(out, { lineWidth: 0, blockQuote: 'literal' });
}
