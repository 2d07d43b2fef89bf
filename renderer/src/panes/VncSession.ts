/**
 * The live part of a VNC pane, outside React: noVNC's RFB client and the session's stream. As
 * with terminals, React mounts and unmounts the screen element freely (views, tabs, splits); the
 * connection stays until the pane is closed.
 *
 * The bytes are RFB end to end: main only joins the node's screen (a KubeVirt VM console or a
 * pod's VNC port) to this pane's stream. noVNC takes "a WebSocket-like object" instead of a URL,
 * so VncChannel presents the stream as one. Flow control is the terminal's protocol
 * (common/streams/protocol.ts): a frame is acknowledged once noVNC has taken it into its receive
 * queue, so main never has more than a window of screen updates in flight to this page.
 */
import RFB, { type RfbChannel } from '@novnc/novnc';
import type { MainControl, PaneControl } from '../../../common/streams/protocol';
import { invoke } from '../api/client';
import { updateVncPane, usePanes, type PaneStatus, type VncPaneState } from './store';
import { connectStream, type PaneStream } from './stream';

type CloseEvent = { code: number; reason: string; wasClean: boolean };

/** A pane stream shaped like the WebSocket noVNC expects (it checks these properties by name). */
export class VncChannel implements RfbChannel {
  binaryType = 'arraybuffer';
  readonly protocol = '';
  readyState: 'open' | 'closing' | 'closed' = 'open';
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;

  constructor(
    private readonly stream: PaneStream,
    private readonly onControl: (msg: MainControl) => void,
  ) {
    stream.onMessage = (data) => {
      if (typeof data === 'string') {
        let msg: MainControl;
        try {
          msg = JSON.parse(data) as MainControl;
        } catch {
          return;
        }
        this.onControl(msg);
        return;
      }
      if (this.readyState !== 'open') return;
      // noVNC copies the message into its receive queue before returning; then it is consumed.
      const whole = data.byteOffset === 0 && data.buffer instanceof ArrayBuffer && data.byteLength === data.buffer.byteLength;
      this.onmessage?.({ data: whole && data.buffer instanceof ArrayBuffer ? data.buffer : data.slice().buffer });
      this.control({ type: 'ack', bytes: data.byteLength });
    };
    stream.onClose = () => this.ended({ code: 1006, reason: 'the stream closed', wasClean: false });
  }

  send(data: Uint8Array): void {
    // noVNC passes a view of its reusable send buffer; the copy is ours to hand over.
    if (this.readyState === 'open') this.stream.send(data.slice());
  }

  close(): void {
    if (this.readyState !== 'open') return;
    this.readyState = 'closing';
    this.stream.close();
    // A WebSocket reports its close asynchronously; noVNC expects the same.
    queueMicrotask(() => this.ended({ code: 1000, reason: '', wasClean: true }));
  }

  private control(msg: PaneControl) {
    if (this.readyState === 'open') this.stream.send(JSON.stringify(msg));
  }

  /** Reports the close once, whichever side ended first. */
  private ended(ev: CloseEvent) {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.(ev);
  }
}

export class VncSession {
  /** noVNC's target; panes move it between containers. */
  readonly element: HTMLDivElement;
  private rfb: RFB | null = null;
  private channel: VncChannel | null = null;
  /** Each connect gets a number; events of a replaced connection are ignored. */
  private generation = 0;
  private disposed = false;
  /** The VNC server asked for a password; the pane shows a field and calls sendPassword. */
  onPasswordRequest: (() => void) | null = null;

  constructor(private readonly paneId: string) {
    this.element = document.createElement('div');
    this.element.className = 'vnc-screen';
    this.element.dataset['testid'] = 'vnc-screen';
  }

  private get pane(): VncPaneState | undefined {
    return usePanes.getState().panes.find((p): p is VncPaneState => p.id === this.paneId && p.kind === 'vnc');
  }

  private status(status: PaneStatus) {
    updateVncPane(this.paneId, { status });
  }

  mount(container: HTMLElement): void {
    if (!this.disposed && this.element.parentElement !== container) container.appendChild(this.element);
  }

  unmount(): void {
    this.element.remove();
  }

  /** Opens the screen: the first connect, or Reconnect after a drop. */
  async connect(): Promise<void> {
    const pane = this.pane;
    if (!pane || this.disposed) return;
    const gen = ++this.generation;
    this.teardown();
    this.status({ kind: 'connecting' });
    const r = await invoke('vnc.open', {
      namespace: pane.target.namespace,
      node: pane.target.node,
      ...(pane.target.context !== undefined ? { context: pane.target.context } : {}),
    });
    if (gen !== this.generation || this.disposed) return;
    if (!r.ok) {
      this.status({ kind: 'error', code: r.error.code, message: r.error.message });
      return;
    }
    updateVncPane(this.paneId, { name: r.value.name, via: r.value.via });
    let stream: PaneStream;
    try {
      stream = await connectStream(r.value.sessionId, r.value.connect);
    } catch (err) {
      if (gen === this.generation) this.status({ kind: 'dropped', message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (gen !== this.generation || this.disposed) {
      stream.close();
      return;
    }
    const channel = new VncChannel(stream, (msg) => this.onControl(gen, msg));
    this.channel = channel;
    // shared: true is the RFB ClientInit flag that leaves other viewers (the student) connected.
    const rfb = new RFB(this.element, channel, { shared: true });
    this.rfb = rfb;
    rfb.scaleViewport = pane.scale;
    rfb.viewOnly = pane.viewOnly;
    rfb.background = 'transparent';
    rfb.addEventListener('connect', () => {
      if (gen === this.generation) this.status({ kind: 'open' });
    });
    rfb.addEventListener('disconnect', () => {
      if (gen !== this.generation) return;
      this.rfb = null;
      const now = this.pane?.status.kind;
      // main's exit message, when there was one, already said why.
      if (now === 'open' || now === 'connecting') this.status({ kind: 'dropped', message: 'the VNC connection closed' });
    });
    rfb.addEventListener('securityfailure', (e) => {
      if (gen !== this.generation) return;
      const reason = e instanceof CustomEvent && e.detail && typeof e.detail.reason === 'string' ? e.detail.reason : 'authentication failed';
      this.status({ kind: 'error', code: 'vnc_security', message: `the VNC server refused the connection: ${reason}` });
    });
    rfb.addEventListener('credentialsrequired', () => {
      if (gen === this.generation) this.onPasswordRequest?.();
    });
  }

  private onControl(gen: number, msg: MainControl) {
    if (gen !== this.generation) return;
    if (msg.type === 'exit') this.status(msg.reason === 'exited' ? { kind: 'exited', code: null, message: msg.message } : { kind: 'dropped', message: msg.message });
    else this.status({ kind: 'error', code: msg.code, message: msg.message });
    // The session is over on main's side; noVNC learns it from the channel closing.
    this.channel?.close();
  }

  sendPassword(password: string): void {
    this.rfb?.sendCredentials({ password });
  }

  setViewOnly(viewOnly: boolean): void {
    if (this.rfb) this.rfb.viewOnly = viewOnly;
    updateVncPane(this.paneId, { viewOnly });
  }

  setScale(scale: boolean): void {
    if (this.rfb) this.rfb.scaleViewport = scale;
    updateVncPane(this.paneId, { scale });
  }

  /** Sends Ctrl+Alt+Del (noVNC ignores it while view-only). */
  ctrlAltDel(): void {
    this.rfb?.sendCtrlAltDel();
    this.focus();
  }

  /** Puts text on the remote clipboard (RFB ClientCutText); paste it there as usual. */
  paste(text: string): void {
    this.rfb?.clipboardPasteFrom(text);
    this.focus();
  }

  focus(): void {
    this.rfb?.focus({ preventScroll: true });
  }

  private teardown() {
    const rfb = this.rfb;
    this.rfb = null;
    rfb?.disconnect();
    this.channel?.close();
    this.channel = null;
    this.element.replaceChildren();
  }

  /** Closes the pane for good; main lets go of the screen when the stream ends. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.teardown();
    this.element.remove();
  }
}

/** The live VNC sessions, by pane id. */
export const vncSessions = new Map<string, VncSession>();

export function vncSessionFor(paneId: string): VncSession {
  let s = vncSessions.get(paneId);
  if (!s) {
    s = new VncSession(paneId);
    vncSessions.set(paneId, s);
  }
  return s;
}

export function disposeVncSession(paneId: string): void {
  vncSessions.get(paneId)?.dispose();
  vncSessions.delete(paneId);
}
