/**
 * What a student id may be: the roster's `id` column and every `--student` flag. Ids become part
 * of namespace names only through a hash (common/compile/names.ts), so they may use more than a
 * DNS label does, but never spaces, control characters or a leading symbol.
 */
export const STUDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

export function isStudentId(id: string): boolean {
  return STUDENT_ID.test(id);
}
