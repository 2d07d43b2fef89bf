/**
 * The dock at the bottom of the window: a resizable strip with a tab per pane and one pane, or
 * two side by side. Every pane stays mounted (hidden when not shown) so switching tabs or views
 * never disturbs a session. Each pane kind has its view in PANE_VIEWS.
 */
import type { ComponentType, PointerEvent as ReactPointerEvent } from 'react';
import { TerminalPane } from './TerminalPane';
import { focusSide, paneDetail, paneWhere, removePane, setDockHeight, setFontSize, showPane, toggleSplit, usePanes, type Pane, type PaneStatus, type Side } from './store';
import { sessions } from './terminal-session';
import { VncPane } from './VncPane';
import { disposeVncSession } from './VncSession';

interface PaneViewProps {
  pane: Pane;
  visible: boolean;
  onFocus: () => void;
}

/** One view per pane kind; a VNC pane adds its own entry. */
const PANE_VIEWS: { [K in Pane['kind']]: ComponentType<PaneViewProps & { pane: Extract<Pane, { kind: K }> }> } = {
  terminal: TerminalPane,
  vnc: VncPane,
};

function PaneView(props: PaneViewProps) {
  // A switch lets the compiler pair each pane with its own view's props.
  const { pane } = props;
  switch (pane.kind) {
    case 'terminal':
      return <PANE_VIEWS.terminal {...props} pane={pane} />;
    case 'vnc':
      return <PANE_VIEWS.vnc {...props} pane={pane} />;
  }
}

/** Closing a pane ends its session (main hangs up the remote shell, or lets go of the screen). */
export function closePane(id: string): void {
  sessions.get(id)?.dispose();
  sessions.delete(id);
  disposeVncSession(id);
  removePane(id);
}

const DOT: Record<PaneStatus['kind'], string> = { connecting: 'pending', open: 'ok', exited: 'idle', dropped: 'bad', error: 'bad' };

function startResize(e: ReactPointerEvent<HTMLDivElement>) {
  e.preventDefault();
  const startY = e.clientY;
  const startHeight = usePanes.getState().height;
  const target = e.currentTarget;
  target.setPointerCapture(e.pointerId);
  const move = (ev: PointerEvent) => setDockHeight(startHeight + (startY - ev.clientY));
  const up = () => {
    target.removeEventListener('pointermove', move);
    target.removeEventListener('pointerup', up);
  };
  target.addEventListener('pointermove', move);
  target.addEventListener('pointerup', up);
}

export function Dock() {
  const panes = usePanes((s) => s.panes);
  const left = usePanes((s) => s.left);
  const right = usePanes((s) => s.right);
  const split = usePanes((s) => s.split);
  const focus = usePanes((s) => s.focus);
  const open = usePanes((s) => s.open);
  const height = usePanes((s) => s.height);
  const fontSize = usePanes((s) => s.fontSize);
  if (panes.length === 0) return null;

  const sideOf = (id: string): Side | null => (id === left ? 'left' : split && id === right ? 'right' : null);
  return (
    <div className={`dock${open ? '' : ' collapsed'}`} style={open ? { height } : undefined} data-testid="dock">
      {open ? <div className="dock-resize" onPointerDown={startResize} title="Drag to resize" /> : null}
      <div className="dock-bar">
        <div className="dock-tabs" role="tablist">
          {panes.map((p) => {
            const side = sideOf(p.id);
            return (
              <div
                key={p.id}
                role="tab"
                aria-selected={side !== null}
                className={`dock-tab${side ? ' shown' : ''}${side && split && side === focus ? ' focused' : ''}`}
                data-testid="dock-tab"
                data-pane-id={p.id}
                title={paneWhere(p)}
                onClick={() => showPane(p.id)}
                onAuxClick={(e) => e.button === 1 && closePane(p.id)}
              >
                <span className={`dock-dot ${DOT[p.status.kind]}`} />
                <span className="dock-tab-title">{p.target.title}</span>
                {paneDetail(p) ? <span className="dock-tab-sub">{paneDetail(p)}</span> : null}
                <button
                  className="dock-tab-close"
                  title={p.kind === 'vnc' ? 'Close' : 'Close (ends the shell)'}
                  data-testid="dock-tab-close"
                  onClick={(e) => {
                    e.stopPropagation();
                    closePane(p.id);
                  }}
                >
                  ×
                </button>
              </div>
            );
          })}
        </div>
        <div className="dock-tools">
          <button className="icon-button" title="Smaller text" onClick={() => setFontSize(fontSize - 1)} data-testid="dock-font-down">
            A−
          </button>
          <button className="icon-button" title="Larger text" onClick={() => setFontSize(fontSize + 1)} data-testid="dock-font-up">
            A+
          </button>
          <button className={`icon-button${split ? ' active' : ''}`} title={split ? 'One pane' : 'Two panes side by side'} onClick={toggleSplit} disabled={!split && panes.length < 2} data-testid="dock-split">
            ◫
          </button>
          <button className="icon-button" title={open ? 'Minimize' : 'Restore'} onClick={() => usePanes.setState({ open: !open })} data-testid="dock-toggle">
            {open ? '▾' : '▴'}
          </button>
        </div>
      </div>
      <div className={`dock-body${split ? ' split' : ''}`} hidden={!open}>
        {panes.map((p) => {
          const side = sideOf(p.id);
          return (
            <div key={p.id} className={`dock-slot${side ? ` ${side}` : ''}${split && side === focus ? ' focused' : ''}`} hidden={side === null}>
              <PaneView pane={p} visible={open && side !== null} onFocus={() => side && focusSide(side)} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
