/**
 * The inspector's form primitives. They show values and errors and report what the user did;
 * what an edit means to the lab is the document model's business (store/doc.ts, node-edits.ts).
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { RowEdit } from '../../store/node-edits';

export function Errors({ errors }: { errors: readonly string[] }) {
  return errors.map((e, i) => (
    <em key={i} className="field-error" data-testid="field-error">
      {e}
    </em>
  ));
}

export function Field({ label, errors, children, hint }: { label: string; errors?: readonly string[]; children: ReactNode; hint?: string }) {
  return (
    <label className={`field${errors?.length ? ' invalid' : ''}`}>
      <span>{label}</span>
      {children}
      {hint && !errors?.length ? <em className="hint">{hint}</em> : null}
      <Errors errors={errors ?? []} />
    </label>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="insp-section">
      <div className="insp-section-head">
        <h5>{title}</h5>
        {actions}
      </div>
      {children}
    </section>
  );
}

/**
 * A text field that commits on Enter or blur, and only a value `check` accepts (it returns why
 * not); Escape restores the current value. For names, which other items refer to.
 */
export function CommitField({ label, value, hint, errors, testId, check, onCommit }: {
  label: string;
  value: string;
  hint?: string;
  errors: readonly string[];
  testId?: string;
  check: (value: string) => string | null;
  onCommit: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    setText(value);
    setRefused(null);
  }, [value]);
  const commit = () => {
    const v = text.trim();
    if (v === value) return setRefused(null);
    const why = check(v);
    setRefused(why);
    if (!why) onCommit(v);
  };
  return (
    <Field label={label} errors={[...errors, ...(refused ? [refused] : [])]} hint={hint}>
      <input
        value={text}
        data-testid={testId}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          // Blurring commits.
          if (e.key === 'Enter') e.currentTarget.blur();
          if (e.key === 'Escape') setText(value);
        }}
      />
    </Field>
  );
}

/** Rows of name = value; each change is reported as one row edit. */
export function KeyValueRows({ rows, onEdit, errors, labels }: {
  rows: [string, string][];
  onEdit: (edit: RowEdit) => void;
  errors: readonly string[];
  labels: { key: string; value: string; add: string; remove: string };
}) {
  return (
    <div className="rows">
      {rows.map(([k, v], index) => (
        <div className="row" key={index}>
          <input className="mono" value={k} placeholder="NAME" aria-label={labels.key} onChange={(e) => onEdit({ type: 'key', index, key: e.target.value })} />
          <input value={v} placeholder="value" aria-label={labels.value} onChange={(e) => onEdit({ type: 'value', index, value: e.target.value })} />
          <button className="icon-button" aria-label={labels.remove} onClick={() => onEdit({ type: 'remove', index })}>
            ×
          </button>
        </div>
      ))}
      <button className="link-button" onClick={() => onEdit({ type: 'add' })}>
        {labels.add}
      </button>
      <Errors errors={errors} />
    </div>
  );
}
