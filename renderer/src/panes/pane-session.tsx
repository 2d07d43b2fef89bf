/**
 * What terminal and VNC panes share: a session object that outlives the component (so switching
 * tabs or docking does not drop the connection), mounted into the pane's body while it is
 * rendered, connected the first time the pane is shown, and a header and an "ended" banner that
 * read the same for both kinds.
 */
import { useEffect, type RefObject } from 'react';
import type { PaneStatus } from './store';

/** The part of TerminalSession and VncSession a pane drives. */
export interface PaneSession {
  mount(container: HTMLElement): void;
  unmount(): void;
  connect(): Promise<void>;
  focus(): void;
}

/** Panes whose first connect was started: a remount must not open a second session. */
const started = new Set<string>();

export interface PaneSessionOptions {
  paneId: string;
  host: RefObject<HTMLDivElement | null>;
  visible: boolean;
  /** The pane has never been connected (still connecting, nothing resolved yet). */
  fresh: boolean;
  /** Runs after the session is mounted; its result runs before the session is unmounted. */
  onMount?: (el: HTMLDivElement) => () => void;
  /** Runs each time the pane becomes visible, before the first connect and the focus. */
  onShow?: () => void;
}

export function usePaneSession(session: PaneSession, o: PaneSessionOptions): void {
  useEffect(() => {
    const el = o.host.current;
    if (!el) return;
    session.mount(el);
    const unmounted = o.onMount?.(el);
    return () => {
      unmounted?.();
      session.unmount();
    };
    // Once per session: the element and the session live as long as the component.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [session]);

  useEffect(() => {
    if (!o.visible) return;
    o.onShow?.();
    if (o.fresh && !started.has(o.paneId)) {
      started.add(o.paneId);
      void session.connect();
    }
    session.focus();
    // Only when it becomes visible: status changes must not steal the focus or reconnect.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [o.visible, session]);
}

/** The banner text once a session has ended; null while it connects or runs. */
export function endedText(status: PaneStatus, exited: (status: Extract<PaneStatus, { kind: 'exited' }>) => string): string | null {
  switch (status.kind) {
    case 'connecting':
    case 'open':
      return null;
    case 'exited':
      return exited(status);
    case 'dropped':
      return `Disconnected: ${status.message}.`;
    case 'error':
      return status.message;
  }
}

/** The start of a pane's header: where it is connected, and whether it still connects. */
export function PaneWhere({ status, context, children }: { status: PaneStatus; context: string | undefined; children: string }) {
  return (
    <>
      <span className="term-where mono" title={`context: ${context ?? 'default'}`}>
        {children}
      </span>
      {status.kind === 'connecting' ? <span className="muted small">connecting…</span> : null}
    </>
  );
}

/** Errors no retry can change: a pod on a simulated node never runs anything. */
const FINAL_ERRORS = new Set(['simulated']);

/** What happened to the session, with a way back (Retry after an error, else Reconnect) where there is one. */
export function EndedBanner({ status, text, testId, reconnectTestId, onReconnect }: { status: PaneStatus; text: string | null; testId: string; reconnectTestId: string; onReconnect: () => void }) {
  if (!text) return null;
  const final = status.kind === 'error' && FINAL_ERRORS.has(status.code);
  return (
    <div className={`term-ended ${status.kind}`} data-testid={testId} role="status">
      <span>{text}</span>
      {final ? null : (
        <button className="button small primary" data-testid={reconnectTestId} onClick={onReconnect}>
          {status.kind === 'error' ? 'Retry' : 'Reconnect'}
        </button>
      )}
    </div>
  );
}
