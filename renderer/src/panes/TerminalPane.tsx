/**
 * One terminal pane: its header (what it is connected to, container picker, search), the xterm
 * surface, and what happened when the session ended (exit code, drop, refusal) with Reconnect.
 * The xterm itself belongs to the pane's TerminalSession and outlives this component.
 */
import { useEffect, useRef, useState } from 'react';
import { useUi } from '../store/ui';
import { EndedBanner, endedText, PaneWhere, usePaneSession } from './pane-session';
import { usePanes, type TerminalPaneState } from './store';
import { sessions, TerminalSession } from './terminal-session';
import { SearchIcon } from './tool-icons';

function sessionFor(pane: TerminalPaneState): TerminalSession {
  let s = sessions.get(pane.id);
  if (!s) {
    s = new TerminalSession(pane.id, useUi.getState().theme, usePanes.getState().fontSize);
    sessions.set(pane.id, s);
  }
  return s;
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

  // Connect the first time it is shown; fitting first gives the exec its size.
  usePaneSession(session, {
    paneId: pane.id,
    host,
    visible,
    fresh: pane.status.kind === 'connecting' && pane.pod === null,
    onMount: (el) => {
      // Refit after every resize, at most once a frame.
      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => session.fit());
      });
      observer.observe(el);
      return () => {
        observer.disconnect();
        cancelAnimationFrame(frame);
      };
    },
    onShow: () => session.fit(),
  });

  useEffect(() => session.setTheme(theme), [session, theme]);
  useEffect(() => session.setFontSize(fontSize), [session, fontSize]);

  const ended = endedText(pane.status, (exit) => (exit.code === null ? exit.message : `The process exited with code ${exit.code}.`));
  const where = `${pane.target.namespace} / ${pane.pod ?? pane.target.pod ?? pane.target.node ?? ''}${pane.container ? ` / ${pane.container}` : ''}`;
  return (
    <div className="term-pane" data-testid="terminal-pane" data-pane-id={pane.id} data-status={pane.status.kind} onMouseDown={onFocus} onFocus={onFocus}>
      <div className="term-head">
        <PaneWhere status={pane.status} context={pane.target.context}>
          {where}
        </PaneWhere>
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
          <SearchIcon />
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
      <EndedBanner status={pane.status} text={ended} testId="terminal-ended" reconnectTestId="terminal-reconnect" onReconnect={() => void session.connect().then(() => session.focus())} />
    </div>
  );
}
