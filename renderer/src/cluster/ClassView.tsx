/**
 * The class dashboard: students × lab nodes, one colour per state, quota bars, the release each
 * student runs; filters and search; per-student and per-class actions. Rows are virtualised
 * (only the visible ones are in the DOM) so 500 students stay smooth, and all of it comes from
 * one class-wide watch in main.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { downloadCredentials, loadClasses, resetStudent, watchClass } from './actions';
import { ClassChecks } from './ClassChecks';
import { ClassHealth } from './ClassHealth';
import { ClassKeys } from './ClassKeys';
import { openClusterDialog } from './dialogs';
import { useCluster, type ClassRow } from './store';
import { openTerminal, openVnc } from '../panes/store';
import { notReadyIn } from './readiness';

const ROW_HEIGHT = 30;
const OVERSCAN = 8;

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
  const [height, setHeight] = useState(600);
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => void loadClasses(), []);
  useEffect(() => {
    if (!body.current) return;
    const ro = new ResizeObserver(([e]) => e && setHeight(e.contentRect.height));
    ro.observe(body.current);
    return () => ro.disconnect();
  }, []);

  const notReady = useMemo(() => notReadyIn(klass?.rows ?? []), [klass?.rows]);
  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (klass?.rows ?? []).filter((r) => (filter === 'all' || (filter === 'not-ready' ? notReady(r) : overQuota(r))) && (!q || r.student.toLowerCase().includes(q) || r.namespace.includes(q)));
  }, [klass?.rows, filter, search, notReady]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const nodes = klass?.labNodes ?? [];
  const ready = (klass?.rows ?? []).filter((r) => !notReady(r)).length;
  const grid = { gridTemplateColumns: `200px 90px repeat(${nodes.length}, minmax(64px, 1fr)) 150px 210px` };

  return (
    <div className="class-view" data-testid="class-view">
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
            <span className="muted" data-testid="class-summary">
              {ready}/{klass.rows.length} students ready
            </span>
            <span className="grow" />
            <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="class-filter">
              <option value="all">all students</option>
              <option value="not-ready">not ready</option>
              <option value="quota">quota over 80%</option>
            </select>
            <input type="search" placeholder="search students" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="class-search" />
            <button className="button small" data-testid="class-upgrade" onClick={() => openClusterDialog({ kind: 'publish', className: klass.name })}>
              Upgrade…
            </button>
            <button className="button small danger" data-testid="class-teardown" onClick={() => openClusterDialog({ kind: 'teardown', className: klass.name })}>
              Tear down…
            </button>
          </>
        ) : null}
      </div>
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
      <div className="class-grid-body" ref={body} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="class-grid">
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
                    title={`${r.student} / ${n}: ${state}${cell?.reason ? ` (${cell.reason})` : ''}; click for a terminal, Shift+click for its screen (view only)`}
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
                <button className="link-button" data-testid={`reset-${r.student}`} onClick={() => void resetStudent(klass!.name, r.student)}>
                  reset
                </button>
                <button className="link-button" data-testid={`kubeconfig-${r.student}`} onClick={() => void downloadCredentials(klass!.name, r.student)}>
                  kubeconfig
                </button>
                <button className="link-button" data-testid={`terminal-${r.student}`} onClick={() => openTerminal({ namespace: r.namespace, node: nodes[0] ?? '', title: `${r.student} / ${nodes[0] ?? ''}` })} disabled={nodes.length === 0}>
                  terminal
                </button>
              </span>
            </div>
          ))}
        </div>
        {klass && klass.rows.length === 0 && !klass.error ? <p className="muted pad">No student namespaces in {klass.name} (yet).</p> : null}
        {!klass ? <p className="muted pad">Pick a class to watch, or publish one from the canvas.</p> : null}
      </div>
      {klass ? <ClassHealth className={klass.name} /> : null}
      {klass ? <ClassChecks className={klass.name} /> : null}
      {klass ? <ClassKeys className={klass.name} students={klass.rows.map((r) => r.student)} /> : null}
    </div>
  );
}
