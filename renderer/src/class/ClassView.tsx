/**
 * The class dashboard: students × lab nodes, one colour per state (with a legend), quota bars,
 * the release each student runs; filters and search; per-student and per-class actions. Rows
 * are virtualised (only the visible ones are in the DOM) so 500 students stay smooth, and all
 * of it comes from one class-wide watch in main.
 *
 * The grid is the reason for the screen, so it gets the height the view has (never fewer than
 * MIN_ROWS rows, also with the dock open on a laptop screen); checks, health, web links and
 * keys are collapsible sections after it on a page that scrolls.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { confirmDialog } from '../store/ui';
import { downloadCredentials, loadClasses, resetStudent, suspendOrResume, watchClass } from './actions';
import { clockTime, idleText, scheduleText, studentTitle, suspendedLabel, suspendedTitle } from './class-time';
import { ClassChecks } from './ClassChecks';
import { ClassHealth } from './ClassHealth';
import { ClassKeys } from './ClassKeys';
import { goToSection, SECTIONS } from './ClassSection';
import { openClusterDialog } from './dialogs';
import { gridColumns } from './grid-columns';
import { useCluster, type ClassRow } from './store';
import { openTerminal, openVnc } from '../panes/store';
import { holdingBack, notReadyIn } from './readiness';

const ROW_HEIGHT = 30;
const OVERSCAN = 8;
/** The grid never gets fewer rows than this, however little height the view has: the page scrolls instead. */
export const MIN_ROWS = 10;
/** Room below the grid inside the view (its bottom padding). */
const BELOW_GRID = 12;

/** The cell colours, for the legend (the same classes as the cells). */
const LEGEND: { state: string; label: string }[] = [
  { state: 'ready', label: 'ready' },
  { state: 'starting', label: 'starting' },
  { state: 'pending', label: 'waiting / not created' },
  { state: 'failed', label: 'failed' },
  { state: 'stopped', label: 'suspended' },
];

/** Asks before a reset: it deletes everything the student did. */
async function confirmReset(className: string, row: ClassRow): Promise<void> {
  const ok = await confirmDialog(
    `Reset ${row.student}?`,
    `${row.student}'s namespace is deleted with everything in it: files, volumes and running programs are lost; no volume is kept. Then release ${row.release} is published to them again from scratch. This cannot be undone.`,
    `Reset ${row.student}`,
  );
  if (ok) await resetStudent(className, row.student);
}

type Filter = 'all' | 'not-ready' | 'quota' | 'suspended';

const pct = (q: { used: number; hard: number }) => (q.hard > 0 ? q.used / q.hard : 0);
const overQuota = (r: ClassRow) => Math.max(pct(r.cpu), pct(r.memory), pct(r.pods)) > 0.8;

/** How often relative times ("12 min ago") are redrawn when no watch event does it. */
const CLOCK_MS = 30_000;

function QuotaBar({ label, q }: { label: string; q: { used: number; hard: number } }) {
  const p = Math.min(1, pct(q));
  return (
    <span className={`quota${p > 0.8 ? ' high' : ''}`} title={`${label}: ${Math.round(p * 100)}% of the quota`}>
      <span className="quota-fill" style={{ width: `${p * 100}%` }} />
    </span>
  );
}

export function ClassView() {
  const klass = useCluster((s) => s.klass);
  const classes = useCluster((s) => s.classes);
  const [picked, setPicked] = useState(klass?.name ?? '');
  const [filter, setFilter] = useState<Filter>('all');
  const [search, setSearch] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(600);
  const [gridTop, setGridTop] = useState(0);
  const view = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  // Picked students, by id: a selection outlives filters and searches, and is cut to the class's rows.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [now, setNow] = useState(() => Date.now());
  const classTime = useCluster((s) => (s.classTime && s.classTime.className === klass?.name ? s.classTime : null));

  useEffect(() => void loadClasses(), []);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  // Another class, or students that left it: nothing stays picked that the grid cannot show.
  useEffect(() => {
    const present = new Set((klass?.rows ?? []).map((r) => r.student));
    setSelected((old) => ([...old].every((id) => present.has(id)) ? old : new Set([...old].filter((id) => present.has(id)))));
  }, [klass?.rows]);
  useEffect(() => {
    if (!view.current) return;
    const ro = new ResizeObserver(([e]) => e && setViewHeight(e.target.clientHeight));
    ro.observe(view.current);
    return () => ro.disconnect();
  }, []);
  // Where the grid starts moves when the header wraps or an error shows: measured after each render.
  useLayoutEffect(() => {
    const top = body.current?.offsetTop ?? 0;
    if (top !== gridTop) setGridTop(top);
  });

  const notReady = useMemo(() => notReadyIn(klass?.rows ?? []), [klass?.rows]);
  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    // A suspended lab is stopped on purpose: it is not among the ones "not ready" (it has its own filter).
    const keep = (r: ClassRow) => (filter === 'all' ? true : filter === 'not-ready' ? notReady(r) && !r.suspended : filter === 'suspended' ? Boolean(r.suspended) : overQuota(r));
    return (klass?.rows ?? []).filter((r) => keep(r) && (!q || r.student.toLowerCase().includes(q) || r.namespace.includes(q)));
  }, [klass?.rows, filter, search, notReady]);

  // A search shows its first match: the grid scrolls to it and the page to the grid.
  const searched = useRef('');
  useEffect(() => {
    if (search === searched.current) return;
    searched.current = search;
    if (!search.trim() || !body.current) return;
    body.current.scrollTop = 0;
    setScrollTop(0);
    body.current.scrollIntoView({ block: 'nearest' });
  }, [search, rows]);

  const nodes = klass?.labNodes ?? [];
  // The grid fills the view below the header, but is never shorter than MIN_ROWS rows (the
  // page scrolls) and never taller than its rows.
  const content = rows.length > 0 ? rows.length * ROW_HEIGHT + 2 : 64;
  const height = Math.min(content, Math.max(MIN_ROWS * ROW_HEIGHT + 2, viewHeight - gridTop - BELOW_GRID));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const ready = (klass?.rows ?? []).filter((r) => !notReady(r)).length;
  const suspendedCount = (klass?.rows ?? []).filter((r) => r.suspended).length;
  const waiting = useMemo(() => holdingBack(klass?.rows ?? [], klass?.labNodes ?? []), [klass?.rows, klass?.labNodes]);
  const grid = { gridTemplateColumns: gridColumns(['18px', 'minmax(150px, 230px)', '70px', { count: nodes.length, size: 'minmax(40px, 1fr)' }, '130px', '270px']) };
  const selectedIds = [...selected].sort();
  const allShown = rows.length > 0 && rows.every((r) => selected.has(r.student));
  const toggle = (id: string, on: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  // The header box picks (or unpicks) the rows the filter and search show, not the hidden ones.
  const toggleShown = (on: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      for (const r of rows) if (on) next.add(r.student);
      else next.delete(r.student);
      return next;
    });
  const runSelected = async (mode: 'suspend' | 'resume') => {
    if (klass && (await suspendOrResume(klass.name, selectedIds, mode))) setSelected(new Set());
  };

  return (
    <div className="class-view" ref={view} data-testid="class-view">
      <div className="class-head">
        <label className="inline">
          Class
          <input list="class-names" data-testid="class-name" value={picked} onChange={(e) => setPicked(e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && picked && watchClass(picked)} />
          <datalist id="class-names">
            {classes.map((c) => (
              <option key={c.name} value={c.name}>
                {c.labs.join(', ')} · {c.students} students
              </option>
            ))}
          </datalist>
        </label>
        <button className="button small" data-testid="class-open" disabled={!picked} onClick={() => watchClass(picked)}>
          Watch
        </button>
        {klass ? (
          <>
            <span className="muted" data-testid="class-summary" title={waiting.join('\n')}>
              {ready}/{klass.rows.length - suspendedCount} students ready{suspendedCount ? ` · ${suspendedCount} suspended` : ''}
            </span>
            <span className="grow" />
            <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="class-filter">
              <option value="all">all students</option>
              <option value="not-ready">not ready</option>
              <option value="quota">quota over 80%</option>
              <option value="suspended">suspended</option>
            </select>
            <input type="search" placeholder="search students" size={14} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="class-search" />
            <span className="class-selection" data-testid="class-selection" data-count={selected.size}>
              <button className="button small" data-testid="class-suspend-selected" disabled={!selected.size} title={selected.size ? `Suspend ${selected.size} selected: nothing runs, their files and volumes are kept` : 'Pick students with the boxes in their rows first'} onClick={() => void runSelected('suspend')}>
                Suspend selected{selected.size ? ` (${selected.size})` : ''}
              </button>
              <button className="button small" data-testid="class-resume-selected" disabled={!selected.size} title={selected.size ? `Resume ${selected.size} selected as they were` : 'Pick students with the boxes in their rows first'} onClick={() => void runSelected('resume')}>
                Resume selected{selected.size ? ` (${selected.size})` : ''}
              </button>
            </span>
            <button className="button small" data-testid="class-upgrade" onClick={() => openClusterDialog({ kind: 'publish', className: klass.name, current: klass.rows.length })}>
              Upgrade…
            </button>
            <button className="button small danger" data-testid="class-teardown" onClick={() => openClusterDialog({ kind: 'teardown', className: klass.name })}>
              Tear down…
            </button>
          </>
        ) : null}
      </div>
      {klass ? (
        <div className="class-subhead">
          <span className="class-waiting small" data-testid="class-waiting">
            {waiting.length ? `Waiting for ${waiting.join('; ')}` : klass.rows.length === suspendedCount ? (suspendedCount ? 'Every lab is suspended.' : '') : suspendedCount ? 'Every running lab is ready.' : 'Every student is ready.'}
          </span>
          {classTime ? (
            <span className="class-time small muted" data-testid="class-time" title={classTime.schedule ? `schedule (${classTime.schedule.timezone}): ${classTime.schedule.text}` : 'no schedule: labs are never suspended or resumed by time (labforge schedule)'}>
              <span data-testid="class-schedule">{scheduleText(classTime.schedule)}</span> · <span data-testid="class-idle">{idleText(classTime.idle)}</span>
            </span>
          ) : null}
          <span className="grow" />
          <span className="class-legend small" data-testid="class-legend" aria-label="cell colours">
            {LEGEND.map((l) => (
              <span key={l.state} className="legend-item">
                <span className={`legend-swatch cell state-${l.state}`} />
                {l.label}
              </span>
            ))}
            <span className="muted">· click a cell: terminal, Shift+click: screen</span>
          </span>
          <nav className="class-section-links small" aria-label="sections">
            {SECTIONS.map((sec) => (
              <button key={sec.id} className="link-button" data-testid={`class-goto-${sec.id}`} onClick={() => goToSection(sec.id)}>
                {sec.title}
              </button>
            ))}
          </nav>
        </div>
      ) : null}
      {klass?.error ? <p className="field-error">{klass.error}</p> : null}
      {klass ? (
        <div className="class-grid-head" style={grid}>
          <input type="checkbox" className="row-pick" aria-label="select the students shown" data-testid="class-select-all" checked={allShown} disabled={rows.length === 0} onChange={(e) => toggleShown(e.target.checked)} />
          <span>student</span>
          <span>release</span>
          {nodes.map((n) => (
            <span key={n} title={n}>
              {n}
            </span>
          ))}
          <span>cpu · memory · pods</span>
          <span />
        </div>
      ) : null}
      <div className="class-grid-body" ref={body} style={{ height }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="class-grid">
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {rows.slice(first, last).map((r, i) => (
            <div key={r.namespace} className={`class-row${r.suspended ? ' suspended' : ''}${selected.has(r.student) ? ' picked' : ''}`} style={{ ...grid, top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }} data-testid={`class-row-${r.student}`} data-suspended={r.suspended ? r.suspended.by : undefined}>
              <input type="checkbox" className="row-pick" aria-label={`select ${r.student}`} data-testid={`select-${r.student}`} checked={selected.has(r.student)} onChange={(e) => toggle(r.student, e.target.checked)} />
              <span className="student" title={studentTitle(r, now)}>
                <span className="student-name">{r.student}</span>
                {r.suspended ? (
                  <em className="time-badge suspended-badge" data-testid={`suspended-${r.student}`} title={suspendedTitle(r.suspended, now)}>
                    {suspendedLabel(r.suspended)}
                  </em>
                ) : r.idleSuspendAt ? (
                  <em className="time-badge idle-badge" data-testid={`idle-${r.student}`} title={`Idle: suspends at ${clockTime(r.idleSuspendAt, now)} unless the student uses the lab (the student was warned)`}>
                    suspends {clockTime(r.idleSuspendAt, now)}
                  </em>
                ) : null}
                {r.zone ? (
                  <em className="muted zone-badge" data-testid={`zone-${r.student}`} title={`runs in zone ${r.zone}`}>
                    {' '}
                    · {r.zone}
                  </em>
                ) : null}
                {r.phase === 'Terminating' ? <em className="muted"> (terminating)</em> : null}
              </span>
              <span className="mono">{r.release}</span>
              {nodes.map((n) => {
                const cell = r.nodes[n];
                const state = cell?.state ?? 'pending';
                return (
                  <button
                    key={n}
                    className={`cell state-${state}`}
                    data-testid={`cell-${r.student}-${n}`}
                    data-state={state}
                    title={r.suspended ? `${r.student} / ${n}: suspended; resume the lab to open a terminal or a screen` : `${r.student} / ${n}: ${state}${cell?.reason ? ` (${cell.reason})` : ''}${cell?.image ? `, image ${cell.image} not found` : ''}; click for a terminal, Shift+click for its screen (view only)`}
                    // A suspended lab has no pod to open: the row's resume brings it back.
                    disabled={!!r.suspended}
                    onClick={(e) =>
                      e.shiftKey
                        ? openVnc({ namespace: r.namespace, node: n, title: `${r.student} / ${n}`, viewOnly: true })
                        : openTerminal({ namespace: r.namespace, node: n, title: `${r.student} / ${n}` })
                    }
                  />
                );
              })}
              <span className="quotas">
                <QuotaBar label="cpu" q={r.cpu} />
                <QuotaBar label="memory" q={r.memory} />
                <QuotaBar label="pods" q={r.pods} />
              </span>
              <span className="row-actions">
                <button className="link-button" data-testid={`terminal-${r.student}`} onClick={() => openTerminal({ namespace: r.namespace, node: nodes[0] ?? '', title: `${r.student} / ${nodes[0] ?? ''}` })} disabled={nodes.length === 0 || !!r.suspended} title={r.suspended ? 'suspended: resume the lab first' : undefined}>
                  terminal
                </button>
                <button className="link-button" data-testid={`kubeconfig-${r.student}`} onClick={() => void downloadCredentials(klass!.name, r.student)}>
                  kubeconfig
                </button>
                {r.suspended ? (
                  <button className="link-button" data-testid={`resume-${r.student}`} title={`Start ${r.student}'s lab again as it was`} onClick={() => void suspendOrResume(klass!.name, [r.student], 'resume')}>
                    resume
                  </button>
                ) : (
                  <button className="link-button" data-testid={`suspend-${r.student}`} title={`Stop everything in ${r.student}'s lab; files and volumes are kept`} onClick={() => void suspendOrResume(klass!.name, [r.student], 'suspend')}>
                    suspend
                  </button>
                )}
                {/* Apart from the harmless ones, in red, and it asks first. */}
                <button className="link-button danger row-reset" data-testid={`reset-${r.student}`} title={`Delete ${r.student}'s work and start them again from the release`} onClick={() => void confirmReset(klass!.name, r)}>
                  reset…
                </button>
              </span>
            </div>
          ))}
        </div>
        {klass && klass.rows.length === 0 && !klass.error ? <p className="muted pad">No student namespaces in {klass.name} (yet).</p> : null}
        {!klass ? <p className="muted pad">Pick a class to watch, or publish one from the canvas.</p> : null}
      </div>
      {klass ? <ClassChecks className={klass.name} students={klass.rows.length} /> : null}
      {klass ? <ClassHealth className={klass.name} /> : null}
      {klass ? <ClassKeys className={klass.name} students={klass.rows.map((r) => r.student)} /> : null}
    </div>
  );
}
