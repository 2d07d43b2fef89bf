/**
 * The class's checks: per student passed/total, points, achievements and the time of the last
 * change, beside a heatmap of students × checks (one colour per result). Clicking a cell shows
 * that check's output, FAIL: line and hint. "Run checks now" runs them for the class or one
 * student; "Download CSV" exports the recorded results as grades. Results come from the
 * cluster's record, re-read every few seconds, so what another instructor's run found shows here
 * too.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { downloadGrades, loadCheckResults, runChecksNow, useChecks, type StudentChecks } from './checks';
import { ClassSection } from './ClassSection';
import { gridColumns } from './grid-columns';

/** How often the recorded results are read again while the view is open. */
const REFRESH_MS = 10_000;
/** Rows are this tall (class.css), so only the ones in view are rendered: 500 students × 20 checks is 10,000 cells. */
const ROW_HEIGHT = 28;
const OVERSCAN = 8;
/** The heatmap shows at most this many rows at once, then scrolls inside. */
const MAX_VISIBLE_ROWS = 12;

/** One empty list, so the store selector returns the same value while another class's results are held. */
const NONE: StudentChecks[] = [];

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '—');

/** `students`: how many namespaces the class has now; results are read again when it changes (a publish that just added them). */
export function ClassChecks({ className, students: namespaces }: { className: string; students: number }) {
  const students = useChecks((s) => (s.className === className ? s.students : NONE));
  const running = useChecks((s) => s.running);
  const error = useChecks((s) => (s.className === className ? s.error : null));
  const selected = useChecks((s) => s.selected);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // A class with no namespace (yet: a publish has just started) has no results to read; asking
    // would only answer "publish first", an error that would stay on screen after the publish.
    if (namespaces === 0) return;
    void loadCheckResults(className);
    const timer = setInterval(() => void loadCheckResults(className), REFRESH_MS);
    return () => clearInterval(timer);
  }, [className, namespaces]);

  useEffect(() => {
    if (!body.current) return;
    const ro = new ResizeObserver(([e]) => e && setHeight(e.contentRect.height));
    ro.observe(body.current);
    return () => ro.disconnect();
    // The heatmap (and so `body`) exists only while some student has checks.
  }, [students.some((s) => s.checks.length > 0)]);

  // Students on different releases may have different checks: the columns are their union.
  const columns = useMemo(() => {
    const seen = new Map<string, { id: string; title: string }>();
    for (const s of students) for (const c of s.checks) if (!seen.has(c.id)) seen.set(c.id, { id: c.id, title: c.title });
    return [...seen.values()];
  }, [students]);
  const classBusy = running.includes('*');
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(students.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const grid = { gridTemplateColumns: gridColumns(['160px', '70px', '70px', 'minmax(90px, 160px)', '90px', { count: columns.length, size: 'minmax(28px, 1fr)' }, '60px']) };
  const runButton = (
    <button className="button small" data-testid="checks-run-class" disabled={classBusy} onClick={() => void runChecksNow(className)}>
      {classBusy ? 'Running checks…' : 'Run checks now'}
    </button>
  );

  // Only where there are results to export: the full view below.
  const downloadButton = (
    <button className="button small" data-testid="checks-download-csv" title="One row per student and check: student, check, passed, points, time, status, max points, title" onClick={() => void downloadGrades(className)}>
      Download CSV
    </button>
  );

  // No student has a check: the lab has none. One line says so; there is nothing to run.
  if (students.length > 0 && columns.length === 0 && !error) {
    const releases = [...new Set(students.map((s) => s.release))].join(', ');
    return (
      <ClassSection id="checks" testId="class-checks" summary="none">
        <p className="muted small" data-testid="checks-none">
          The lab of this class has no checks (release {releases}). Add checks to the lab, snapshot a release and upgrade the class to grade students automatically.
        </p>
      </ClassSection>
    );
  }

  if (namespaces === 0) {
    return (
      <ClassSection id="checks" testId="class-checks" summary="no students yet">
        <p className="muted small">The class has no students yet; their checks show here once it has.</p>
      </ClassSection>
    );
  }

  if (students.length === 0 && !error) {
    return (
      <ClassSection id="checks" testId="class-checks" summary="no results recorded yet" actions={runButton}>
        <p className="muted small" data-testid="checks-unrecorded">
          No checks recorded yet.
        </p>
      </ClassSection>
    );
  }

  const passedAll = students.filter((s) => s.progress.total > 0 && s.progress.passed === s.progress.total).length;
  return (
    <ClassSection id="checks" testId="class-checks" summary={<span data-testid="checks-summary">{passedAll}/{students.length} students passed every check</span>} actions={<>{downloadButton}{runButton}</>}>
      {error ? <p className="field-error" data-testid="checks-error">{error}</p> : null}
      <div className="checks-body" ref={body} style={{ maxHeight: (MAX_VISIBLE_ROWS + 1) * ROW_HEIGHT + 2 }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="checks-body">
        <div className="checks-grid-head" style={grid}>
          <span>student</span>
          <span>passed</span>
          <span>points</span>
          <span>achievements</span>
          <span>last change</span>
          {columns.map((c) => (
            <span key={c.id} title={`${c.id}: ${c.title}`} className="check-col">
              {c.id}
            </span>
          ))}
          <span />
        </div>
        <div className="checks-rows" style={{ height: students.length * ROW_HEIGHT }}>
          {students.slice(first, last).map((s, i) => (
            <StudentRow key={s.namespace} s={s} columns={columns} grid={{ ...grid, top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }} busy={classBusy || running.includes(s.student)} className={className} />
          ))}
        </div>
      </div>
      {selected ? <CellDetail /> : null}
    </ClassSection>
  );
}

function StudentRow({ s, columns, grid, busy, className }: { s: StudentChecks; columns: { id: string }[]; grid: React.CSSProperties; busy: boolean; className: string }) {
  const p = s.progress;
  return (
    <div className="checks-row" style={grid} data-testid={`checks-row-${s.student}`}>
      <span className="student" title={s.namespace}>
        {s.student}
      </span>
      <span data-testid={`checks-passed-${s.student}`}>
        {p.passed}/{p.total}
      </span>
      <span>
        {p.points}/{p.maxPoints}
      </span>
      <span className="small" data-testid={`checks-achievements-${s.student}`} title={p.achievements.join(', ')}>
        {p.achievements.map((a) => s.achievements.find((x) => x.name === a)?.title ?? a).join(', ') || '—'}
      </span>
      <span className="small muted">{when(p.lastChange)}</span>
      {columns.map((c) => {
        const has = s.checks.some((x) => x.id === c.id);
        const r = s.results.checks[c.id];
        const status = !has ? 'none' : (r?.status ?? 'unrun');
        return (
          <button
            key={c.id}
            className={`cell check-${status}`}
            data-testid={`check-cell-${s.student}-${c.id}`}
            data-status={status}
            disabled={!has}
            title={`${s.student} / ${c.id}: ${status}${r?.failLine ? ` — ${r.failLine}` : ''}`}
            onClick={() => useChecks.setState({ selected: { student: s.student, check: c.id } })}
          />
        );
      })}
      <button className="link-button" data-testid={`checks-run-${s.student}`} disabled={busy} onClick={() => void runChecksNow(className, s.student)}>
        {busy ? '…' : 'run'}
      </button>
    </div>
  );
}

function CellDetail() {
  const selected = useChecks((s) => s.selected)!;
  const s = useChecks((st) => st.students.find((x) => x.student === selected.student));
  const check = s?.checks.find((c) => c.id === selected.check);
  const r = s?.results.checks[selected.check];
  return (
    <div className="check-detail" data-testid="check-detail">
      <div className="class-head">
        <strong>
          {selected.student} / {check?.title ?? selected.check}
        </strong>
        <span className={`badge check-${r?.status ?? 'unrun'}`} data-testid="check-detail-status">
          {r?.status ?? 'not run yet'}
        </span>
        <span className="grow" />
        <button className="icon-button" aria-label="Close" onClick={() => useChecks.setState({ selected: null })}>
          ×
        </button>
      </div>
      {r ? (
        <p className="small muted">
          last run {when(r.lastRunAt)} · {r.attempts} run{r.attempts === 1 ? '' : 's'} · first passed {when(r.firstPassAt)}
          {r.exitCode !== null ? ` · exit status ${r.exitCode}` : ''}
        </p>
      ) : null}
      {r?.failLine ? <p className="field-error mono" data-testid="check-detail-fail">{r.failLine}</p> : null}
      {r?.message ? <p className="small">{r.message}</p> : null}
      {check?.hint && r?.status !== 'pass' ? (
        <p className="small" data-testid="check-detail-hint">
          Hint: {check.hint}
        </p>
      ) : null}
      {r ? <pre className="check-output" data-testid="check-detail-output">{r.output || '(no output)'}</pre> : null}
    </div>
  );
}
