/**
 * One terminal pane: its header (what it is connected to, container picker, search), the xterm
 * surface, and what happened when the session ended (exit code, drop, refusal) with Reconnect.
 * The xterm itself belongs to the pane's TerminalSession and outlives this component.
 */
import { useEffect, useRef, useState } from 'react';
import { useUi } from '../store/ui';
import { usePanes, type PaneStatus, type TerminalPaneState } from './store';
import { sessions, TerminalSession } from './terminal-session';

function sessionFor(pane: TerminalPaneState): TerminalSession {
  let s = sessions.get(pane.id);
  if (!s) {
    s = new TerminalSession(pane.id, useUi.getState().theme, usePanes.getState().fontSize);
    sessions.set(pane.id, s);
  }
  return s;
}

function statusText(status: PaneStatus): string | null {
  switch (status.kind) {
    case 'connecting':
      return null;
    case 'open':
      return null;
    case 'exited':
      return status.code === null ? status.message : `The process exited with code ${status.code}.`;
    case 'dropped':
      return `Disconnected: ${status.message}.`;
    case 'error':
      return status.message;
  }
}

function SearchBar({ session, onClose }: { session: TerminalSession; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const find = (back: boolean) => {
    if (!query) return;
    if (back) session.search.findPrevious(query);
    else session.search.findNext(query);
  };
  return (
    <div className="term-search">
      <input
        ref={input}
        value={query}
        placeholder="Find in terminal"
        spellCheck={false}
        data-testid="terminal-search"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') find(e.shiftKey);
          if (e.key === 'Escape') onClose();
        }}
      />
      <button className="icon-button" title="Previous (Shift+Enter)" onClick={() => find(true)}>
        ↑
      </button>
      <button className="icon-button" title="Next (Enter)" onClick={() => find(false)}>
        ↓
      </button>
      <button className="icon-button" title="Close (Escape)" onClick={onClose}>
        ×
      </button>
    </div>
  );
}

export function TerminalPane({ pane, visible, onFocus }: { pane: TerminalPaneState; visible: boolean; onFocus: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useUi((s) => s.theme);
  const fontSize = usePanes((s) => s.fontSize);
  const [searching, setSearching] = useState(false);
  const session = sessionFor(pane);

  useEffect(() => {
    session.onSearchRequest = () => setSearching(true);
    return () => {
      session.onSearchRequest = null;
    };
  }, [session]);

  // Mount the session's element here; connect the first time it has a size.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    session.mount(el);
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => session.fit());
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      session.unmount();
    };
  }, [session]);

  useEffect(() => {
    if (!visible) return;
    session.fit();
    if (pane.status.kind === 'connecting' && pane.pod === null && !started.has(pane.id)) {
      started.add(pane.id);
      void session.connect();
    }
    session.focus();
    // Only when it becomes visible: status changes must not steal the focus or reconnect.
  }, [visible, session]);

  useEffect(() => session.setTheme(theme), [session, theme]);
  useEffect(() => session.setFontSize(fontSize), [session, fontSize]);

  const ended = statusText(pane.status);
  const where = `${pane.target.namespace} / ${pane.pod ?? pane.target.pod ?? pane.target.node ?? ''}${pane.container ? ` / ${pane.container}` : ''}`;
  return (
    <div className="term-pane" data-testid="terminal-pane" data-pane-id={pane.id} data-status={pane.status.kind} onMouseDown={onFocus} onFocus={onFocus}>
      <div className="term-head">
        <span className="term-where mono" title={`context: ${pane.target.context ?? 'default'}`}>
          {where}
        </span>
        {pane.status.kind === 'connecting' ? <span className="muted small">connecting…</span> : null}
        <span className="term-spacer" />
        {pane.containers.length > 1 ? (
          <select
            className="term-container"
            value={pane.container ?? ''}
            title="Container"
            data-testid="terminal-container"
            onChange={(e) => void session.connect(e.target.value)}
          >
            {pane.containers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        ) : null}
        <button className="icon-button" title="Find (Ctrl+Shift+F)" onClick={() => setSearching((v) => !v)}>
          ⌕
        </button>
      </div>
      {searching ? (
        <SearchBar
          session={session}
          onClose={() => {
            setSearching(false);
            session.search.clearDecorations();
            session.focus();
          }}
        />
      ) : null}
      <div className="term-body" ref={host} />
      {ended ? (
        <div className={`term-ended ${pane.status.kind}`} data-testid="terminal-ended" role="status">
          <span>{ended}</span>
          <button className="button small primary" data-testid="terminal-reconnect" onClick={() => void session.connect().then(() => session.focus())}>
            {pane.status.kind === 'error' ? 'Retry' : 'Reconnect'}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** Panes whose first connect was started (a remount must not start a second exec). */
const started = new Set<string>();
