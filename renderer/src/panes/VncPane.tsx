/**
 * One VNC pane: what it shows (namespace / VM or pod), its tools (scale to fit, view only,
 * Ctrl+Alt+Del, paste to the remote clipboard, fullscreen, reconnect), noVNC's screen, and what
 * happened when the session ended. The RFB connection belongs to the pane's VncSession and
 * outlives this component.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { EndedBanner, endedText, PaneWhere, usePaneSession } from './pane-session';
import type { VncPaneState } from './store';
import { vncSessionFor, type VncSession } from './VncSession';
import './Vnc.css';
import { CtrlAltDelIcon, EyeIcon, FullscreenIcon, KeyboardIcon, PasteIcon, ReconnectIcon, ScaleIcon } from './tool-icons';

function PastePopover({ session, onClose }: { session: VncSession; onClose: () => void }) {
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    area.current?.focus();
    // Prefill from the local clipboard where the page may read it (Electron, or a granted permission).
    void navigator.clipboard?.readText().then(
      (t) => setText((current) => current || t),
      () => undefined,
    );
  }, []);
  const send = () => {
    if (text) session.paste(text);
    onClose();
  };
  return (
    <div className="vnc-popover" role="dialog" aria-label="Paste to the remote clipboard">
      <textarea
        ref={area}
        value={text}
        rows={3}
        placeholder="Text for the remote clipboard"
        spellCheck={false}
        data-testid="vnc-paste-text"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send();
        }}
      />
      <div className="vnc-popover-actions">
        <span className="muted small">Then paste in the remote desktop as usual.</span>
        <button className="button small" onClick={onClose}>
          Cancel
        </button>
        <button className="button small primary" data-testid="vnc-paste-send" onClick={send}>
          Send
        </button>
      </div>
    </div>
  );
}

function PasswordPrompt({ session }: { session: VncSession }) {
  const [password, setPassword] = useState('');
  return (
    <form
      className="vnc-popover"
      onSubmit={(e) => {
        e.preventDefault();
        session.sendPassword(password);
      }}
    >
      <label className="small">
        The VNC server asks for a password{' '}
        <input type="password" autoFocus value={password} data-testid="vnc-password" onChange={(e) => setPassword(e.target.value)} />
      </label>
      <button className="button small primary" type="submit">
        Connect
      </button>
    </form>
  );
}

/** A header tool that shows one of the pane's settings as pressed or not, and flips it. */
function ToggleTool({ on, title, testId, onToggle, children }: { on: boolean; title: string; testId: string; onToggle: (on: boolean) => void; children: ReactNode }) {
  return (
    <button className={`icon-button vnc-tool${on ? ' active' : ''}`} title={title} aria-pressed={on} data-testid={testId} onClick={() => onToggle(!on)}>
      {children}
    </button>
  );
}

export function VncPane({ pane, visible, onFocus }: { pane: VncPaneState; visible: boolean; onFocus: () => void }) {
  const frame = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const [pasting, setPasting] = useState(false);
  const [askPassword, setAskPassword] = useState(false);
  const session = vncSessionFor(pane.id);

  useEffect(() => {
    session.onPasswordRequest = () => setAskPassword(true);
    return () => {
      session.onPasswordRequest = null;
    };
  }, [session]);

  usePaneSession(session, { paneId: pane.id, host, visible, fresh: pane.status.kind === 'connecting' && pane.name === null });

  useEffect(() => {
    if (pane.status.kind !== 'connecting') setAskPassword(false);
  }, [pane.status.kind]);

  const ended = endedText(pane.status, (exit) => `${exit.message[0]?.toUpperCase() ?? ''}${exit.message.slice(1)}.`);
  const live = pane.status.kind === 'open';
  const what = pane.via === 'vm' ? `VM ${pane.name ?? pane.target.node}` : pane.name ? `pod ${pane.name}` : pane.target.node;
  const reconnect = () => {
    setAskPassword(false);
    void session.connect().then(() => session.focus());
  };
  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void frame.current?.requestFullscreen().catch(() => undefined);
  };

  return (
    <div className="term-pane vnc-pane" ref={frame} data-testid="vnc-pane" data-pane-id={pane.id} data-status={pane.status.kind} data-view-only={pane.viewOnly} onMouseDown={onFocus} onFocus={onFocus}>
      <div className="term-head">
        <PaneWhere status={pane.status} context={pane.target.context}>
          {`${pane.target.namespace} / ${what}`}
        </PaneWhere>
        <span className="term-spacer" />
        <ToggleTool on={pane.scale} title={pane.scale ? 'Scaled to fit; click for actual size' : 'Actual size; click to scale to fit'} testId="vnc-scale" onToggle={(on) => session.setScale(on)}>
          <ScaleIcon />
        </ToggleTool>
        <ToggleTool
          on={pane.viewOnly}
          title={pane.viewOnly ? 'View only: keyboard and mouse are not sent. Click to take control' : 'Keyboard and mouse go to the remote screen. Click for view only'}
          testId="vnc-view-only"
          onToggle={(on) => session.setViewOnly(on)}
        >
          {pane.viewOnly ? <EyeIcon /> : <KeyboardIcon />}
        </ToggleTool>
        <button className="icon-button vnc-tool" title="Send Ctrl+Alt+Del" disabled={!live || pane.viewOnly} data-testid="vnc-cad" onClick={() => session.ctrlAltDel()}>
          <CtrlAltDelIcon />
        </button>
        <button className="icon-button vnc-tool" title="Paste text to the remote clipboard" disabled={!live || pane.viewOnly} data-testid="vnc-paste" onClick={() => setPasting((v) => !v)}>
          <PasteIcon />
        </button>
        <button className="icon-button vnc-tool" title="Fullscreen" data-testid="vnc-fullscreen" onClick={fullscreen}>
          <FullscreenIcon />
        </button>
        <button className="icon-button vnc-tool" title="Reconnect" data-testid="vnc-reconnect" onClick={reconnect}>
          <ReconnectIcon />
        </button>
      </div>
      {pasting ? <PastePopover session={session} onClose={() => setPasting(false)} /> : null}
      {askPassword ? <PasswordPrompt session={session} /> : null}
      <div className={`vnc-body${pane.scale ? '' : ' actual-size'}`} ref={host} />
      <EndedBanner status={pane.status} text={ended} testId="vnc-ended" reconnectTestId="vnc-ended-reconnect" onReconnect={reconnect} />
    </div>
  );
}
