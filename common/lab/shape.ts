/**
 * The lab's shape without its rules: how a lab crosses the API while the instructor is still
 * editing it. A draft may break every rule of the lab format (a half-typed image name, a port
 * of 0, a duplicate name) and lab.validate must still accept it to report those issues; but a
 * value of the wrong type (a number where a string goes, a kind that is no kind) is not a lab
 * at all and is refused with the request.
 *
 * There is no second schema to keep in step: the lab schema decodes the value, and only its
 * type-level issues count here. The TypeScript type is the schema's input type, so what passes
 * is exactly what the type promises.
 */
import { z } from 'zod';
import { labSchema, type LabInput } from './schema';

/**
 * A type-level issue: a missing or mistyped value, or a value outside a literal or enum (those
 * are part of the TypeScript type). Integer and NaN checks report `invalid_type` too, but any
 * number has the right type, so they are rules.
 */
function isShapeIssue(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_value') return true;
  if (issue.code !== 'invalid_type' || issue.expected === 'int') return false;
  return !('received' in issue && issue.received === 'NaN');
}

/** The issues that make a value not a lab at all; empty for any draft, valid or not. */
export function labShapeIssues(value: unknown): z.core.$ZodIssue[] {
  const decoded = labSchema.safeParse(value);
  return decoded.success ? [] : decoded.error.issues.filter(isShapeIssue);
}

/** A lab on the wire: typed as the lab schema's input, checked for its shape only. */
export const labShapeSchema = z
  .custom<LabInput>()
  .superRefine((value, ctx) => {
    for (const issue of labShapeIssues(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .describe('A lab as the editor holds it, valid or not; only its shape is checked (lab.validate reports the rest).');
