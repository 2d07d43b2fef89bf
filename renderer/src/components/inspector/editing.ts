/** What every inspector does: read the live validation's errors for its item, apply an edit. */
import type { Doc } from '../../store/doc';
import { useClusterProblems } from '../../class/problems';
import { useEditor } from '../../store/editor';

/**
 * One undo step per edit; edits with the same key in quick succession (typing in one field)
 * merge into one.
 */
export const editDoc = (fn: (doc: Doc) => Doc, coalesceKey: string): void => useEditor.getState().edit(fn, coalesceKey);

/** The errors of one item's fields: `errors('image')` includes those of `image.*`. */
export function useFieldErrors(target: string | null): (field: string) => string[] {
  const labIssues = useEditor((s) => s.issues);
  // A deploy refusal that names a field (['nodes', 2, 'image']) shows under that field too.
  const clusterIssues = useClusterProblems();
  const issues = clusterIssues.length ? [...labIssues, ...clusterIssues] : labIssues;
  return (field) => issues.filter((i) => i.target === target && (i.field === field || i.field.startsWith(`${field}.`))).map((i) => i.message);
}
