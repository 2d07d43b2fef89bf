/**
 * The live part of a terminal pane, outside React: the xterm instance, its addons, and the
 * session's stream. React components mount and unmount its element freely (switching views,
 * tabs, splits); the terminal and the remote shell stay as they are until the pane is closed.
 *
 * Flow control (common/streams/protocol.ts): output is acknowledged only after xterm has parsed it
 * (write callback), in batches, so a flood is held back by main and the container rather than
 * queued in this page.
 */
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ITheme } from '@xterm/xterm';
import type { MainControl, PaneControl } from '../../../common/streams/protocol';
import { invoke } from '../api/client';
import { updatePane, usePanes, type TerminalPaneState } from './store';
import { connectStream, type PaneStream } from './stream';

const THEMES: Record<'light' | 'dark', ITheme> = {
  light: {
    background: '#ffffff',
    foreground: '#1b1f24',
    cursor: '#4f5bd5',
    cursorAccent: '#ffffff',
    selectionBackground: '#c9cdf5',
    black: '#1b1f24',
    red: '#c62828',
    green: '#2e7d32',
    yellow: '#a66a00',
    blue: '#3949ab',
    magenta: '#8e24aa',
    cyan: '#00838f',
    white: '#d0d4da',
    brightBlack: '#697386',
    brightRed: '#e53935',
    brightGreen: '#43a047',
    brightYellow: '#c38b00',
    brightBlue: '#4f5bd5',
    brightMagenta: '#ab47bc',
    brightCyan: '#0097a7',
    brightWhite: '#f4f5f7',
  },
  dark: {
    background: '#14161a',
    foreground: '#e6e8ec',
    cursor: '#7c86f0',
    cursorAccent: '#14161a',
    selectionBackground: '#3a4170',
    black: '#1a1d23',
    red: '#ef5350',
    green: '#66bb6a',
    yellow: '#ffca28',
    blue: '#7c86f0',
    magenta: '#ce93d8',
    cyan: '#4dd0e1',
    white: '#e6e8ec',
    brightBlack: '#8f98a8',
    brightRed: '#ff7b78',
    brightGreen: '#8bd88e',
    brightYellow: '#ffe082',
    brightBlue: '#a3abff',
    brightMagenta: '#e1bee7',
    brightCyan: '#84e6f2',
    brightWhite: '#ffffff',
  },
};

const encoder = new TextEncoder();

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Electron denies the clipboard permission to pages; a selected textarea and the copy
    // command need none.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export class TerminalSession {
  readonly term: Terminal;
  /** The element xterm renders into; panes move it between containers. */
  readonly element: HTMLDivElement;
  private readonly fitAddon = new FitAddon();
  readonly search = new SearchAddon();
  private opened = false;
  private stream: PaneStream | null = null;
  /** Each connect gets a number; callbacks of a replaced stream are ignored. */
  private generation = 0;
  private window = 256 * 1024;
  private unacked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  /** Set when the pane is being closed: the stream's end is then not a "drop". */
  private closing = false;
  onSearchRequest: (() => void) | null = null;

  constructor(private readonly paneId: string, theme: 'light' | 'dark', fontSize: number) {
    this.element = document.createElement('div');
    this.element.className = 'term-host';
    this.term = new Terminal({
      fontSize,
      fontFamily: 'ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      theme: THEMES[theme],
      cursorBlink: true,
      scrollback: 5000,
      allowProposedApi: true,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.search);
    // Links open in a new browser tab (http and https only); Electron refuses new windows.
    this.term.loadAddon(
      new WebLinksAddon((_event, uri) => {
        if (/^https?:\/\//i.test(uri)) window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    this.term.onData((text) => this.stream?.send(encoder.encode(text)));
    this.term.onBinary((bin) => this.stream?.send(Uint8Array.from(bin, (c) => c.charCodeAt(0) & 0xff)));
    this.term.onResize(({ cols, rows }) => this.control({ type: 'resize', cols, rows }));
    // Copy on selection, as terminals on Linux do.
    this.term.onSelectionChange(() => {
      if (this.term.hasSelection()) void copyText(this.term.getSelection());
    });
    this.term.attachCustomKeyEventHandler((e) => this.handleKey(e));
  }

  private get pane(): TerminalPaneState | undefined {
    return usePanes.getState().panes.find((p): p is TerminalPaneState => p.id === this.paneId && p.kind === 'terminal');
  }

  /** Keys the app keeps for itself inside a terminal; everything else goes to the shell. */
  private handleKey(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown') return true;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.shiftKey) {
      const key = e.key.toLowerCase();
      if (key === 'c') {
        if (this.term.hasSelection()) void copyText(this.term.getSelection());
        e.preventDefault();
        return false;
      }
      if (key === 'v') {
        e.preventDefault();
        void navigator.clipboard.readText().then(
          (text) => this.term.paste(text),
          () => undefined,
        );
        return false;
      }
      if (key === 'f') {
        e.preventDefault();
        this.onSearchRequest?.();
        return false;
      }
      // Ctrl+Shift+P (command palette) and the app's other Ctrl+Shift shortcuts bubble up.
      return false;
    }
    return true;
  }

  /** Puts the terminal into `container` (opening xterm the first time) and fits it. */
  mount(container: HTMLElement): void {
    if (this.disposed) return;
    if (this.element.parentElement !== container) container.appendChild(this.element);
    if (!this.opened) {
      this.term.open(this.element);
      this.opened = true;
    }
    this.fit();
  }

  unmount(): void {
    this.element.remove();
  }

  fit(): void {
    if (!this.opened || !this.element.isConnected || this.element.clientWidth === 0) return;
    try {
      this.fitAddon.fit();
    } catch {
      // Not measurable while hidden; the next resize fits.
    }
  }

  focus(): void {
    this.term.focus();
  }

  setTheme(theme: 'light' | 'dark'): void {
    this.term.options.theme = THEMES[theme];
  }

  setFontSize(size: number): void {
    if (this.term.options.fontSize === size) return;
    this.term.options.fontSize = size;
    this.fit();
  }

  /** Starts a new exec for this pane (the first connect, or Reconnect after an exit or a drop). */
  async connect(container?: string): Promise<void> {
    const pane = this.pane;
    if (!pane || this.disposed) return;
    const gen = ++this.generation;
    this.stream?.close();
    this.stream = null;
    if (container !== undefined) updatePane(this.paneId, { target: { ...pane.target, container } });
    const target = { ...pane.target, ...(container !== undefined ? { container } : {}) };
    updatePane(this.paneId, { status: { kind: 'connecting' } });
    const r = await invoke('terminal.open', {
      namespace: target.namespace,
      ...(target.node !== undefined ? { node: target.node } : {}),
      ...(target.pod !== undefined ? { pod: target.pod } : {}),
      ...(target.container !== undefined ? { container: target.container } : {}),
      ...(target.context !== undefined ? { context: target.context } : {}),
      cols: Math.max(2, this.term.cols),
      rows: Math.max(1, this.term.rows),
    });
    if (gen !== this.generation || this.disposed) return;
    if (!r.ok) {
      updatePane(this.paneId, { status: { kind: 'error', code: r.error.code, message: r.error.message } });
      return;
    }
    const opened = r.value;
    let stream: PaneStream;
    try {
      stream = await connectStream(opened.sessionId, opened.connect);
    } catch (err) {
      if (gen === this.generation) updatePane(this.paneId, { status: { kind: 'dropped', message: err instanceof Error ? err.message : String(err) } });
      return;
    }
    if (gen !== this.generation || this.disposed) {
      stream.close();
      return;
    }
    this.stream = stream;
    this.window = opened.window;
    this.unacked = 0;
    stream.onMessage = (data) => {
      if (gen !== this.generation) return;
      if (typeof data === 'string') this.onControl(data);
      else this.term.write(data, () => this.acknowledge(data.length));
    };
    stream.onClose = () => {
      if (gen !== this.generation || this.closing) return;
      this.stream = null;
      const current = this.pane?.status;
      if (current?.kind === 'open' || current?.kind === 'connecting') {
        updatePane(this.paneId, { status: { kind: 'dropped', message: 'the connection to the terminal was lost' } });
      }
    };
    updatePane(this.paneId, { status: { kind: 'open' }, pod: opened.pod, container: opened.container, containers: opened.containers });
    // The size may have changed while the exec started.
    this.control({ type: 'resize', cols: this.term.cols, rows: this.term.rows });
  }

  private onControl(text: string) {
    let msg: MainControl;
    try {
      msg = JSON.parse(text) as MainControl;
    } catch {
      return;
    }
    if (msg.type === 'exit') {
      const status = msg.reason === 'exited' ? { kind: 'exited' as const, code: msg.code, message: msg.message } : { kind: 'dropped' as const, message: msg.message };
      updatePane(this.paneId, { status });
    } else if (msg.type === 'error') {
      updatePane(this.paneId, { status: { kind: 'error', code: msg.code, message: msg.message } });
    }
    // The session is over on main's side; closing our end frees it there.
    this.generation++;
    this.stream?.close();
    this.stream = null;
  }

  private control(msg: PaneControl) {
    this.stream?.send(JSON.stringify(msg));
  }

  private acknowledge(bytes: number) {
    this.unacked += bytes;
    // Acknowledge in batches: at once past an eighth of the window, else within a frame.
    if (this.unacked >= this.window / 8) this.flushAck();
    else this.ackTimer ??= setTimeout(() => this.flushAck(), 16);
  }

  private flushAck() {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.unacked > 0) this.control({ type: 'ack', bytes: this.unacked });
    this.unacked = 0;
  }

  /** Closes the pane for good: main hangs up the shell when the stream ends. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closing = true;
    this.generation++;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.stream?.close();
    this.stream = null;
    this.term.dispose();
    this.element.remove();
  }
}

/** The live sessions, by pane id. */
export const sessions = new Map<string, TerminalSession>();
