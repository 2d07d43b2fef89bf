import { useEffect, useRef, useState } from 'react';
import type { Response } from '../../../common/api/contract';
import { invoke } from '../api/client';
import { fromLab } from '../store/auto-layout';
import { toLab, type Doc } from '../store/doc';
import { useEditor } from '../store/editor';

/** A draft that failed to parse survives view switches as long as the canvas did not change. */
let draft: { text: string; base: Doc } | null = null;

type ParseError = Response<'lab.parse'>['issues'][number];

export function YamlView() {
  const [text, setText] = useState<string | null>(null);
  const [errors, setErrors] = useState<ParseError[]>([]);
  const [cursor, setCursor] = useState('1:1');
  const base = useRef<Doc | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const doc = useEditor.getState().doc;
    if (draft && draft.base === doc) {
      setText(draft.text);
      base.current = doc;
      void check(draft.text);
      return;
    }
    draft = null;
    base.current = doc;
    void invoke('lab.serialize', { lab: toLab(doc) }).then((r) => setText(r.ok ? r.value.text : `# cannot show the lab as YAML: ${r.error.message}\n`));
    return () => clearTimeout(timer.current);
  }, []);

  const check = async (value: string) => {
    const r = await invoke('lab.parse', { text: value });
    if (!r.ok) return setErrors([{ message: r.error.message, path: [] }]);
    if (!r.value.lab) {
      setErrors(r.value.issues);
      draft = { text: value, base: useEditor.getState().doc };
      return;
    }
    setErrors([]);
    draft = null;
    // One undo step per pause in typing; positions come from the text's layout section.
    const next = fromLab(r.value.lab);
    useEditor.getState().edit(() => next, 'yaml-text');
    base.current = useEditor.getState().doc;
  };

  const onChange = (value: string) => {
    setText(value);
    draft = { text: value, base: useEditor.getState().doc };
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void check(value), 400);
  };

  const updateCursor = () => {
    const el = area.current;
    if (!el) return;
    const before = el.value.slice(0, el.selectionStart);
    const line = before.split('\n').length;
    setCursor(`${line}:${before.length - before.lastIndexOf('\n')}`);
  };

  const jump = (line?: number, column?: number) => {
    const el = area.current;
    if (!el || line === undefined) return;
    const lines = el.value.split('\n');
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (column ?? 1) - 1);
    el.focus();
    el.setSelectionRange(offset, offset);
    updateCursor();
  };

  return (
    <div className="yaml-view" data-testid="yaml-view">
      <div className="yaml-head">
        <span>Lab file (editable) — changes apply to the canvas as you type</span>
        <span className="muted mono">{cursor}</span>
      </div>
      {errors.length ? (
        <div className="yaml-errors" data-testid="yaml-errors">
          {errors.map((e, i) => (
            <button key={i} className="yaml-error" onClick={() => jump(e.line, e.column)}>
              {e.line !== undefined ? `${e.line}:${e.column ?? 1}` : '—'} {e.path.length ? `${e.path.join('.')}: ` : ''}
              {e.message}
            </button>
          ))}
          <div className="muted small">The canvas keeps the last valid version until the text parses again.</div>
        </div>
      ) : null}
      <textarea
        ref={area}
        className="code"
        spellCheck={false}
        value={text ?? ''}
        disabled={text === null}
        onChange={(e) => onChange(e.target.value)}
        onKeyUp={updateCursor}
        onClick={updateCursor}
        data-testid="yaml-editor"
        aria-label="Lab YAML"
      />
    </div>
  );
}

export function CompiledView() {
  const lab = useEditor((s) => s.doc.lab);
  const [state, setState] = useState<{ yaml: string; objects: number; issues: number; error: string | null } | null>(null);
  useEffect(() => {
    const t = setTimeout(() => {
      void invoke('lab.compilePreview', { lab: toLab(useEditor.getState().doc) }).then((r) =>
        setState(r.ok ? { yaml: r.value.yaml, objects: r.value.objects, issues: r.value.issues.length, error: null } : { yaml: '', objects: 0, issues: 0, error: r.error.message }),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [lab]);
  return (
    <div className="yaml-view" data-testid="compiled-view">
      <div className="yaml-head">
        <span>What the lab compiles to for its dev namespace (read-only)</span>
        {state && !state.error && !state.issues ? <span className="muted">{state.objects} objects</span> : null}
      </div>
      {state?.error ? <div className="yaml-errors">{state.error}</div> : null}
      {state && state.issues ? <div className="yaml-errors">Fix the {state.issues} problem{state.issues === 1 ? '' : 's'} below to see the compiled objects.</div> : null}
      <pre className="code readonly" data-testid="compiled-yaml">{state ? state.yaml : 'Compiling…'}</pre>
    </div>
  );
}
