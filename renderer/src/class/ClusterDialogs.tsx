/** Snapshot, Publish and Teardown dialogs of the class story. */
import { useEffect, useMemo, useState, type DragEvent } from 'react';
import { MAX_STUDENTS } from '../../../common/lab/limits';
import type { Response } from '../../../common/api/contract';
import { Modal } from '../components/Modal';
import { useEditor } from '../store/editor';
import { useUi } from '../store/ui';
import { loadReleases, planPublish, publishClass, snapshotDev, teardownClass, watchClass, type PublishRequest } from './actions';
import { closeClusterDialog, useClusterDialog } from './dialogs';
import { useCluster } from './store';

export function ClusterDialogs() {
  const dialog = useClusterDialog((s) => s.dialog);
  if (!dialog) return null;
  if (dialog.kind === 'snapshot') return <SnapshotDialog />;
  if (dialog.kind === 'publish') return <PublishDialog initialTag={dialog.tag} initialClass={dialog.className} current={dialog.current ?? 0} />;
  return <TeardownDialog className={dialog.className} />;
}

function SnapshotDialog() {
  const labName = useEditor((s) => s.doc.lab.metadata.name);
  const nextTag = useCluster((s) => s.nextTag);
  const [tag, setTag] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: 'force' } | null>(null);
  useEffect(() => void loadReleases(labName), [labName]);
  const value = tag ?? nextTag;
  // A refusal that names a way out (force) offers it here, as a second button.
  const submit = async (force = false) => {
    setBusy(true);
    setError(null);
    const err = await snapshotDev(value, note, force);
    setBusy(false);
    if (err) setError(err);
    else closeClusterDialog();
  };
  return (
    <Modal title={`Snapshot ${labName}`} onClose={closeClusterDialog} testId="snapshot-dialog">
      <p className="muted small">Freezes what dev runs into an immutable release, with images pinned to the digests the cluster reports.</p>
      <label className="field">
        <span>Tag</span>
        <input data-testid="snapshot-tag" value={value} onChange={(e) => setTag(e.target.value)} autoFocus />
      </label>
      <label className="field">
        <span>Note</span>
        <textarea data-testid="snapshot-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What changed, for the other instructors" />
      </label>
      {error ? (
        <p className="field-error" role="alert" data-testid="snapshot-error">
          {error.message}
        </p>
      ) : null}
      <div className="modal-actions">
        <button className="button" onClick={closeClusterDialog}>
          Cancel
        </button>
        {error?.hint === 'force' ? (
          <button className="button danger" data-testid="snapshot-force" disabled={busy || !value} onClick={() => void submit(true)} title="Freeze dev as it runs now, unhealthy nodes included">
            Snapshot anyway
          </button>
        ) : null}
        <button className="button primary" data-testid="snapshot-confirm" disabled={busy || !value} onClick={() => void submit()}>
          {busy ? 'Snapshotting…' : error ? 'Try again' : 'Snapshot'}
        </button>
      </div>
    </Modal>
  );
}

type Plan = Response<'class.plan'>;

/**
 * Publish, or (opened from the class view with `current` students) upgrade: an upgrade starts
 * from the class's current students, so it adds nobody unless the instructor picks a count or a
 * roster instead.
 */
function PublishDialog({ initialTag, initialClass, current }: { initialTag: string | undefined; initialClass: string | undefined; current: number }) {
  const labName = useEditor((s) => s.doc.lab.metadata.name);
  const allReleases = useCluster((s) => s.releases);
  // Filtered outside the selector: a selector must return a stable value, not a new array.
  const releases = useMemo(() => allReleases.filter((r) => r.labName === labName), [allReleases, labName]);
  const [tag, setTag] = useState(initialTag ?? '');
  const [className, setClassName] = useState(initialClass ?? '');
  const [mode, setMode] = useState<'current' | 'count' | 'roster'>(current > 0 ? 'current' : 'count');
  const [count, setCount] = useState(30);
  const [roster, setRoster] = useState<{ text: string; fileName: string } | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [force, setForce] = useState(false);

  useEffect(() => void loadReleases(labName), [labName]);
  useEffect(() => {
    if (!tag && releases.length) setTag(releases[releases.length - 1]!.tag);
  }, [releases, tag]);

  const request = (): PublishRequest | null => {
    if (!tag || !className) return null;
    const students = mode === 'current' ? { current: true as const } : mode === 'count' ? { count } : roster ? { roster } : null;
    return students ? { context: null, labName, tag, className, students, force } : null;
  };
  // Any change to the inputs invalidates the plan the instructor saw.
  useEffect(() => setPlan(null), [tag, className, mode, count, roster, force]);

  const check = async () => {
    const req = request();
    if (!req) return setError('pick a release, name the class and give the students');
    setBusy(true);
    setError(null);
    const r = await planPublish(req);
    setBusy(false);
    if (r.ok) setPlan(r.value);
    else setError(r.error.message);
  };
  const publish = async () => {
    const req = request();
    if (!req) return;
    closeClusterDialog();
    // Watch the class fill in while it publishes: the dashboard is where the instructor goes next.
    useUi.getState().setView('class');
    watchClass(req.className);
    await publishClass(req);
  };
  const readFile = async (file: File) => setRoster({ text: await file.text(), fileName: file.name });
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (file) {
      setMode('roster');
      void readFile(file);
    }
  };
  const blocked = !plan || plan.rosterIssues.length > 0 || (plan.capacity !== null && !plan.capacity.fits && !force);

  return (
    <Modal title="Publish to class" onClose={closeClusterDialog} testId="publish-dialog" wide>
      <div className="publish-grid" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <label className="field">
          <span>Release</span>
          <select data-testid="publish-release" value={tag} onChange={(e) => setTag(e.target.value)}>
            <option value="">{releases.length ? 'pick a release' : 'no releases yet: snapshot dev first'}</option>
            {releases.map((r) => (
              <option key={r.tag} value={r.tag}>
                {r.tag} · {new Date(r.createdAt).toLocaleString()} · {r.author}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Class</span>
          <input data-testid="publish-class" value={className} onChange={(e) => setClassName(e.target.value.trim())} placeholder="e.g. net101-fall" />
        </label>
        <fieldset className="field">
          <span>Students</span>
          {current > 0 ? (
            <label className="inline">
              <input type="radio" checked={mode === 'current'} onChange={() => setMode('current')} data-testid="publish-mode-current" /> the class's {current} current student{current === 1 ? '' : 's'} (adds nobody)
            </label>
          ) : null}
          <label className="inline">
            <input type="radio" checked={mode === 'count'} onChange={() => setMode('count')} data-testid="publish-mode-count" /> {current > 0 ? 'add students up to a count' : 'a count'}
            <input data-testid="publish-count" type="number" min={1} max={MAX_STUDENTS} value={count} onChange={(e) => setCount(Number(e.target.value))} disabled={mode !== 'count'} />
          </label>
          <label className="inline">
            <input type="radio" checked={mode === 'roster'} onChange={() => setMode('roster')} data-testid="publish-mode-roster" /> a roster CSV (drop it here or pick one)
            <input data-testid="publish-roster" type="file" accept=".csv,text/csv" onChange={(e) => e.target.files?.[0] && (setMode('roster'), void readFile(e.target.files[0]))} />
          </label>
          {roster ? <span className="muted small">{roster.fileName}</span> : null}
        </fieldset>
      </div>
      {error ? (
        <p className="field-error" role="alert" data-testid="publish-error">
          {error}
        </p>
      ) : null}
      {plan ? <PlanView plan={plan} force={force} setForce={setForce} /> : null}
      <div className="modal-actions">
        <button className="button" onClick={closeClusterDialog}>
          Cancel
        </button>
        <button className="button" data-testid="publish-check" disabled={busy} onClick={() => void check()}>
          {busy ? 'Checking…' : 'Check'}
        </button>
        <button className="button primary" data-testid="publish-confirm" disabled={blocked} onClick={() => void publish()}>
          {confirmLabel(plan, tag, mode === 'current' ? current : null)}
        </button>
      </div>
    </Modal>
  );
}

/** What the confirm button does, in words: "Upgrade 8 students to v2", "Publish v1 to 30 students". */
function confirmLabel(plan: Plan | null, tag: string, current: number | null): string {
  const n = plan ? plan.students.length : current;
  const who = n === null ? '' : ` ${n} student${n === 1 ? '' : 's'}`;
  if (plan?.upgrade || current !== null) return `Upgrade${who} to ${tag || '…'}`;
  return n === null ? 'Publish' : `Publish ${tag} to${who}`;
}

function PlanView({ plan, force, setForce }: { plan: Plan; force: boolean; setForce: (v: boolean) => void }) {
  return (
    <div className="plan" data-testid="publish-plan">
      {plan.rosterIssues.length ? (
        <div className="plan-block bad" data-testid="roster-issues">
          <strong>The roster has {plan.rosterIssues.length} bad row{plan.rosterIssues.length === 1 ? '' : 's'}; nothing will be published until they are fixed.</strong>
          <ul>
            {plan.rosterIssues.map((i) => (
              <li key={`${i.line}:${i.message}`}>
                line {i.line}: {i.message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p>
          {plan.students.length} students · {plan.existing} already have a namespace
          {plan.leaving.length ? ` · ${plan.leaving.length} in the class but not in this roster (kept)` : ''}
        </p>
      )}
      {plan.upgrade ? (
        <div className="plan-block" data-testid="upgrade-summary">
          <strong>
            Upgrade from {plan.upgrade.from.join(', ')}: {plan.upgrade.changes.length} change{plan.upgrade.changes.length === 1 ? '' : 's'}. Student volumes are kept.
          </strong>
          <pre className="mono diff-text">{plan.upgrade.changes.join('\n') || 'no changes to the lab'}</pre>
        </div>
      ) : null}
      {plan.capacity ? (
        <table className="capacity" data-testid="capacity-table">
          <thead>
            <tr>
              <th>resource</th>
              <th>needed for {plan.capacity.newStudents} new</th>
              <th>free</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {plan.capacity.rows.map((r) => (
              <tr key={r.resource} className={r.fits ? '' : 'bad'}>
                <td>{r.resource}</td>
                <td>{r.needed}</td>
                <td>{r.free}</td>
                <td>{r.fits ? 'fits' : 'does not fit'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {plan.capacity && !plan.capacity.fits ? (
        <label className="inline">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> publish anyway (pods that do not fit stay pending)
        </label>
      ) : null}
    </div>
  );
}

function TeardownDialog({ className }: { className: string }) {
  const [typed, setTyped] = useState('');
  return (
    <Modal title={`Tear down ${className}`} onClose={closeClusterDialog} testId="teardown-dialog">
      <p>Every student namespace of this class is deleted, with its volumes. Type the class name to confirm.</p>
      <label className="field">
        <span>Class name</span>
        <input data-testid="teardown-confirm-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
      </label>
      <div className="modal-actions">
        <button className="button" onClick={closeClusterDialog}>
          Cancel
        </button>
        <button
          className="button danger"
          data-testid="teardown-confirm"
          disabled={typed !== className}
          onClick={() => {
            closeClusterDialog();
            void teardownClass(className, typed);
          }}
        >
          Tear down
        </button>
      </div>
    </Modal>
  );
}
