import { useEffect, useRef, useState } from 'react';
import type { Response } from '../../../common/api/contract';
import { invoke } from '../api/client';
import { baseName, openPath, saveAsName } from '../lib/actions';
import { useEditor } from '../store/editor';
import { useUi, type NetworkAnswer } from '../store/ui';
import { ClusterDialog } from './ClusterDialog';
import { Modal } from './Modal';

type FileEntry = Response<'file.list'>['files'][number];

function OpenDialog() {
  const close = () => useUi.getState().openDialog(null);
  const recent = useUi((s) => s.recent);
  const [files, setFiles] = useState<FileEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void invoke('file.list', {}).then((r) => (r.ok ? setFiles(r.value.files) : setError(r.error.message)));
  }, []);
  const open = async (path: string) => {
    close();
    await openPath(path);
  };
  const section = (title: string, list: FileEntry[], empty: string) => (
    <section>
      <h4>{title}</h4>
      {list.length === 0 ? <p className="muted">{empty}</p> : null}
      <ul className="file-list">
        {list.map((f) => (
          <li key={f.path}>
            <button className="file-item" data-testid={`file-${f.name}`} onClick={() => void open(f.path)} title={f.path}>
              <span className="file-name">{f.name}</span>
              <span className="file-source">{f.source}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
  const recentEntries = recent.map((p) => ({ path: p, name: baseName(p), source: 'workspace' as const }));
  return (
    <Modal title="Open lab" onClose={close} testId="open-dialog">
      {error ? <p className="error-text">{error}</p> : null}
      {files === null && !error ? <p className="muted">Loading…</p> : null}
      {files ? (
        <div className="open-columns">
          {recentEntries.length ? section('Recent', recentEntries, '') : null}
          {section('Workspace', files.filter((f) => f.source === 'workspace'), 'No .yaml files in the workspace folder yet.')}
          {section('Examples', files.filter((f) => f.source === 'example'), 'No examples installed.')}
        </div>
      ) : null}
    </Modal>
  );
}

function SaveAsDialog() {
  const close = () => useUi.getState().openDialog(null);
  const labName = useEditor((s) => s.doc.lab.metadata.name);
  const current = useEditor((s) => s.filePath);
  const workspace = useUi((s) => s.workspace);
  const [name, setName] = useState(current && workspace && current.startsWith(workspace) ? current.slice(workspace.length + 1) : `${labName}.yaml`);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  const submit = async () => {
    if (!name.trim()) return;
    if (await saveAsName(name)) close();
  };
  return (
    <Modal title="Save lab as" onClose={close} testId="saveas-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>File name in the workspace{workspace ? ` (${workspace})` : ''}</span>
          <input ref={input} value={name} onChange={(e) => setName(e.target.value)} data-testid="saveas-name" autoFocus spellCheck={false} />
        </label>
        <div className="modal-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" data-testid="saveas-submit">
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ConfirmDialog({ title, message, confirm, resolve }: { title: string; message: string; confirm: string; resolve: (ok: boolean) => void }) {
  const done = (ok: boolean) => {
    useUi.getState().openDialog(null);
    resolve(ok);
  };
  return (
    <Modal title={title} onClose={() => done(false)} testId="confirm-dialog">
      <p>{message}</p>
      <div className="modal-actions">
        <button className="button" onClick={() => done(false)} data-testid="confirm-cancel" autoFocus>
          Cancel
        </button>
        <button className="button danger" onClick={() => done(true)} data-testid="confirm-ok">
          {confirm}
        </button>
      </div>
    </Modal>
  );
}

/** Which of the lab's networks a dropped template joins, or its own new one. */
function ChooseNetworkDialog({ template, networks, resolve }: { template: string; networks: string[]; resolve: (choice: NetworkAnswer) => void }) {
  const done = (choice: NetworkAnswer) => {
    useUi.getState().openDialog(null);
    resolve(choice);
  };
  return (
    <Modal title={`Which network does ${template} join?`} onClose={() => done(undefined)} testId="choose-network">
      <p>This lab has {networks.length} networks. The template's nodes attach to the one you pick.</p>
      <div className="choice-list">
        {networks.map((n, i) => (
          <button key={n} className="button" onClick={() => done(n)} data-testid={`join-network-${n}`} autoFocus={i === 0}>
            {n}
          </button>
        ))}
      </div>
      <div className="modal-actions">
        <button className="button" onClick={() => done(undefined)} data-testid="join-cancel">
          Cancel
        </button>
        <button className="button" onClick={() => done(null)} data-testid="join-own">
          A new network of its own
        </button>
      </div>
    </Modal>
  );
}

/** What File › Import made of a compose file or topology, and what it could not carry, by line. */
function ImportReportDialog({ fileName, imported, warnings, errors }: { fileName: string; imported: boolean; warnings: string[]; errors: string[] }) {
  const close = () => useUi.getState().openDialog(null);
  const list = (title: string, lines: string[], testId: string) =>
    lines.length ? (
      <section>
        <h4>{title}</h4>
        <ul className="import-lines" data-testid={testId}>
          {lines.map((l, i) => (
            <li key={i}>
              <code>{l}</code>
            </li>
          ))}
        </ul>
      </section>
    ) : null;
  return (
    <Modal title={imported ? `Imported ${fileName}` : `Cannot import ${fileName}`} onClose={close} testId="import-report">
      <p>
        {imported
          ? warnings.length
            ? `The lab is on the canvas, unsaved. ${warnings.length} thing${warnings.length === 1 ? '' : 's'} could not be carried over:`
            : 'The lab is on the canvas, unsaved. Everything was carried over.'
          : 'Nothing was imported; fix these and try again:'}
      </p>
      {list('Errors', errors, 'import-errors')}
      {list('Not carried over', warnings, 'import-warnings')}
      <div className="modal-actions">
        <button className="button" onClick={close} autoFocus data-testid="import-report-close">
          Close
        </button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'open':
      return <OpenDialog />;
    case 'saveAs':
      return <SaveAsDialog />;
    case 'cluster':
      return <ClusterDialog />;
    case 'confirm':
      return <ConfirmDialog {...dialog} />;
    case 'importReport':
      return <ImportReportDialog {...dialog} />;
    case 'chooseNetwork':
      return <ChooseNetworkDialog {...dialog} />;
  }
}
