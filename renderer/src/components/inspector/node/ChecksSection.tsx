import { useState } from 'react';
import { runsCommands } from '../../../../../common/lab/node-kinds';
import type { LabNode } from '../../../../../common/lab/schema';
import { tryCheckOnDev, type CheckRun } from '../../../class/checks';
import { addCheck, removeCheck, updateCheck } from '../../../store/check-edits';
import { entityId, toLab } from '../../../store/doc';
import { useEditor } from '../../../store/editor';
import { Errors, Field, Section } from '../../form/fields';
import { editDoc } from '../editing';

/** A whole number from a text field, or undefined when empty (the field's default applies). */
const numberOrUnset = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/**
 * The node's checks: scripts run in each student's copy of this node to tell their progress.
 * "Try on dev" runs one against the dev namespace as the lab stands in the editor.
 */
export function ChecksSection({ node, errors }: { node: LabNode; errors: (field: string) => string[] }) {
  const { name } = node;
  const id = entityId('node', name);
  const checks = useEditor((s) => s.doc.lab.checks);
  const mine = (checks ?? []).map((c, index) => ({ c, index })).filter(({ c }) => c.node === name);
  const add = (
    <button className="link-button" data-testid="insp-check-add" onClick={() => editDoc((d) => addCheck(d, name), `${id}:checks+`)}>
      + check
    </button>
  );
  if (!runsCommands(node)) {
    return (
      <Section title="Checks">
        <p className="muted small">Checks run by exec, which only container nodes support.</p>
      </Section>
    );
  }
  return (
    <Section title="Checks" actions={add}>
      {mine.length === 0 ? <p className="muted small">No checks: add one to follow each student's progress on this node.</p> : null}
      {mine.map(({ c, index }) => {
        const key = `${id}:checks.${index}`;
        const set = (patch: Parameters<typeof updateCheck>[2], field: string) => editDoc((d) => updateCheck(d, index, patch), `${key}.${field}`);
        const at = (field: string) => errors(`checks.${index}.${field}`);
        return (
          <div key={index} className="file-edit" data-testid={`insp-check-${index}`}>
            <div className="row">
              <input className="mono" value={c.id} aria-label="Check id" data-testid="insp-check-id" onChange={(e) => set({ id: e.target.value }, 'id')} />
              <button className="icon-button" aria-label="Remove check" onClick={() => editDoc((d) => removeCheck(d, index), `${id}:checks-`)}>
                ×
              </button>
            </div>
            <Errors errors={at('id')} />
            <Field label="Title" errors={at('title')}>
              <input value={c.title} data-testid="insp-check-title" onChange={(e) => set({ title: e.target.value }, 'title')} />
            </Field>
            <Field label="Script (exit 0 = pass; a line starting FAIL: is shown)" errors={at('script')}>
              <textarea className="mono" rows={3} value={c.script} data-testid="insp-check-script" spellCheck={false} onChange={(e) => set({ script: e.target.value }, 'script')} />
            </Field>
            <div className="grid2">
              <Field label="Timeout (s)" errors={at('timeout')}>
                <input className="mono" inputMode="numeric" value={c.timeout ?? ''} placeholder="15" onChange={(e) => set({ timeout: numberOrUnset(e.target.value) }, 'timeout')} />
              </Field>
              <Field label="Points" errors={at('points')}>
                <input className="mono" inputMode="numeric" value={c.points ?? ''} placeholder="1" onChange={(e) => set({ points: numberOrUnset(e.target.value) }, 'points')} />
              </Field>
            </div>
            <Field label="Hint" errors={at('hint')}>
              <input value={c.hint ?? ''} placeholder="Shown next to a failing check" onChange={(e) => set({ hint: e.target.value || undefined }, 'hint')} />
            </Field>
            <Field label="After (check ids, comma-separated)" errors={at('after')}>
              <input
                className="mono"
                value={(c.after ?? []).join(', ')}
                onChange={(e) => {
                  const after = e.target.value.split(',').map((s) => s.trim()).filter(Boolean);
                  set({ after: after.length ? after : undefined }, 'after');
                }}
              />
            </Field>
            <Errors errors={errors(`checks.${index}`).filter((m) => !['id', 'title', 'script', 'timeout', 'points', 'hint', 'after'].some((f) => at(f).includes(m)))} />
            <TryOnDev checkId={c.id} />
          </div>
        );
      })}
    </Section>
  );
}

function TryOnDev({ checkId }: { checkId: string }) {
  const [state, setState] = useState<{ busy: boolean; run?: CheckRun; error?: string }>({ busy: false });
  const invalid = useEditor((s) => s.issues.length > 0);
  const run = async () => {
    setState({ busy: true });
    const r = await tryCheckOnDev(toLab(useEditor.getState().doc), checkId);
    setState({ busy: false, ...r });
  };
  return (
    <div className="try-check">
      <button className="button small" data-testid="insp-check-try" disabled={state.busy || invalid} title={invalid ? 'fix the lab first' : 'run this check in the dev namespace'} onClick={() => void run()}>
        {state.busy ? 'Running…' : 'Try on dev'}
      </button>
      {state.error ? <em className="field-error" data-testid="insp-check-try-error">{state.error}</em> : null}
      {state.run ? (
        <div data-testid="insp-check-try-result">
          <span className={`badge check-${state.run.status}`} data-testid="insp-check-try-status">
            {state.run.status}
          </span>{' '}
          <span className="muted small">
            {state.run.exitCode !== null ? `exit status ${state.run.exitCode} · ` : ''}
            {state.run.durationMs} ms
          </span>
          {state.run.failLine ? <p className="field-error mono">{state.run.failLine}</p> : null}
          {state.run.message ? <p className="small">{state.run.message}</p> : null}
          <pre className="check-output">{state.run.output || '(no output)'}</pre>
        </div>
      ) : null}
    </div>
  );
}
