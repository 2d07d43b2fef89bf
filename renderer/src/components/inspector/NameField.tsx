import { CommitField } from '../form/fields';
import type { EntityKind } from '../../store/doc';
import { allNames } from '../../store/doc';
import { useEditor } from '../../store/editor';

/** Renames an item and every reference to it, refusing a name another item already uses. */
export function NameField({ kind, name, errors }: { kind: EntityKind; name: string; errors: string[] }) {
  const check = (next: string) => {
    if (!next) return 'a name is required';
    return allNames(useEditor.getState().doc).has(next) ? `"${next}" is already used in this lab` : null;
  };
  return (
    <CommitField
      label="Name"
      value={name}
      errors={errors}
      hint="Other nodes reach this one by its name"
      testId="insp-name"
      check={check}
      onCommit={(next) => useEditor.getState().rename(kind, name, next)}
    />
  );
}
