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
import { downloadCredentials, loadClasses, resetStudent, watchClass } from './actions';
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

type Filter = 'all' | 'not-ready' | 'quota';

const pct = (q: { used: number; hard: number }) => (q.hard > 0 ? q.used / q.hard : 0);
const overQuota = (r: ClassRow) => Math.max(pct(r.cpu), pct(r.memory), pct(r.pods)) > 0.8;

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

  useEffect(() => void loadClasses(), []);
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
    return (klass?.rows ?? []).filter((r) => (filter === 'all' || (filter === 'not-ready' ? notReady(r) : overQuota(r))) && (!q || r.student.toLowerCase().includes(q) || r.namespace.includes(q)));
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
  const waiting = useMemo(() => holdingBack(klass?.rows ?? [], klass?.labNodes ?? []), [klass?.rows, klass?.labNodes]);
  const grid = { gridTemplateColumns: gridColumns(['minmax(120px, 200px)', '70px', { count: nodes.length, size: 'minmax(40px, 1fr)' }, '150px', '230px']) };

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
              {ready}/{klass.rows.length} students ready
            </span>
            <span className="grow" />
            <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="class-filter">
              <option value="all">all students</option>
              <option value="not-ready">not ready</option>
              <option value="quota">quota over 80%</option>
            </select>
            <input type="search" placeholder="search students" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="class-search" />
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
            {waiting.length ? `Waiting for ${waiting.join('; ')}` : klass.rows.length ? 'Every student is ready.' : ''}
          </span>
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
            <div key={r.namespace} className="class-row" style={{ ...grid, top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }} data-testid={`class-row-${r.student}`}>
              <span className="student" title={r.namespace}>
                {r.student}
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
                    title={`${r.student} / ${n}: ${state}${cell?.reason ? ` (${cell.reason})` : ''}${cell?.image ? `, image ${cell.image} not found` : ''}; click for a terminal, Shift+click for its screen (view only)`}
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
                <button className="link-button" data-testid={`terminal-${r.student}`} onClick={() => openTerminal({ namespace: r.namespace, node: nodes[0] ?? '', title: `${r.student} / ${nodes[0] ?? ''}` })} disabled={nodes.length === 0}>
                  terminal
                </button>
                <button className="link-button" data-testid={`kubeconfig-${r.student}`} onClick={() => void downloadCredentials(klass!.name, r.student)}>
                  kubeconfig
                </button>
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
