/**
 * Joins an exec session to the pane's stream, whatever carries it (WebSocket or MessagePort),
 * and enforces the output window of protocol.ts: at most `window` bytes sent and not yet
 * acknowledged; beyond that output waits here, and once a quarter window waits the exec socket
 * is paused. So main holds little more than one window per session, however fast
 * the remote side writes and however slow the pane is.
 *
 * Acknowledgements come from the page, so they are not trusted alone: bytes the transport still
 * holds (a WebSocket's bufferedAmount: queued in main because the socket has not sent them) can
 * not have reached the page, so an ack never brings the in-flight count below them, and nothing
 * more is sent while the transport holds a window's worth. A page that acks what it never read
 * then gets what the socket really took, no more; before, every forged ack let another window
 * into main's socket buffer (291 MB in 25 s).
 */
import { parsePaneControl, type MainControl } from '../../common/streams/protocol';

/** One session's stream as a transport provides it. */
export interface StreamEndpoint {
  send(data: Buffer | string): void;
  close(): void;
  /**
   * Bytes given to send() that the transport itself still holds in this process (a WebSocket's
   * bufferedAmount); 0 where send() hands them out of the process at once.
   */
  bufferedAmount(): number;
  onMessage(listener: (data: Buffer | string) => void): void;
  onClose(listener: () => void): void;
}

/** What the bridge drives: the exec session. */
export interface BridgeSource {
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
}

export interface BridgeStats {
  /** Output sent to the pane and not yet acknowledged. */
  inFlight: number;
  /** Output waiting in main for room in the window. */
  queued: number;
  /** The transport's own buffer. */
  transportBuffered: number;
  /** Highest values seen, for tests and the benchmark. */
  maxInFlight: number;
  maxQueued: number;
  maxTransportBuffered: number;
  paused: boolean;
  bytesOut: number;
}

/** Target size of a coalesced output frame. */
const FRAME = 32 * 1024;
/** How often a stream held back by its transport's buffer looks again (transports report no drain). */
const DRAIN_POLL_MS = 20;

export class TerminalBridge {
  private endpoint: StreamEndpoint | null = null;
  private readonly waiting: (Buffer | string)[] = [];
  private inFlight = 0;
  private queued = 0;
  private maxInFlight = 0;
  private maxQueued = 0;
  private bytesOut = 0;
  private paused = false;
  private detached = false;
  /** Output of the current turn of the event loop, sent as one frame (see output()). */
  private pending: Buffer[] = [];
  private coalescing = false;
  /** Set while output waits for the transport's own buffer to drain. */
  private drainTimer: NodeJS.Timeout | undefined;
  private maxTransportBuffered = 0;

  constructor(
    private readonly window: number,
    private readonly source: BridgeSource,
    /** The pane's stream closed (or never came): the session must end. */
    private readonly onDetach: () => void,
  ) {}

  /**
   * Output from the container. A tty delivers it in pieces of a few KiB, many per socket read;
   * sending each as its own frame costs the pane a message event, an xterm write and an ack
   * apiece, which caps a flood at a few MB/s. So the pieces of one turn of the event loop are
   * joined into one frame, sent right after the current I/O (setImmediate): a keystroke's echo
   * waits microseconds, a flood moves in frames of tens of KiB.
   */
  output(chunk: Buffer): void {
    if (this.detached) return;
    this.pending.push(chunk);
    this.queued += chunk.length;
    if (!this.coalescing) {
      this.coalescing = true;
      setImmediate(() => this.coalesce());
    }
    this.updatePause();
  }

  private coalesce() {
    this.coalescing = false;
    if (this.detached || this.pending.length === 0) return;
    // Frames of about FRAME bytes, so one frame never overshoots the window by much.
    let parts: Buffer[] = [];
    let size = 0;
    const emit = () => {
      if (parts.length) this.waiting.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
      parts = [];
      size = 0;
    };
    for (const chunk of this.pending) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= FRAME) emit();
    }
    emit();
    this.pending = [];
    this.flush();
  }

  /** A control message, delivered in order after the output before it. */
  control(msg: MainControl): void {
    if (this.detached) return;
    this.coalesce();
    this.waiting.push(JSON.stringify(msg));
    this.flush();
  }

  attach(endpoint: StreamEndpoint): void {
    if (this.endpoint || this.detached) {
      endpoint.close();
      return;
    }
    this.endpoint = endpoint;
    endpoint.onMessage((data) => this.receive(data));
    endpoint.onClose(() => this.detach());
    this.flush();
  }

  /** Ends the stream from main's side (session over, or never attached). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.waiting.length = 0;
    this.pending = [];
    this.queued = 0;
    this.endpoint?.close();
    this.onDetach();
  }

  stats(): BridgeStats {
    return {
      inFlight: this.inFlight,
      queued: this.queued,
      transportBuffered: this.endpoint?.bufferedAmount() ?? 0,
      maxInFlight: this.maxInFlight,
      maxQueued: this.maxQueued,
      maxTransportBuffered: this.maxTransportBuffered,
      paused: this.paused,
      bytesOut: this.bytesOut,
    };
  }

  private receive(data: Buffer | string) {
    if (typeof data !== 'string') {
      this.source.write(data);
      return;
    }
    const msg = parsePaneControl(data);
    if (!msg) return;
    if (msg.type === 'resize') this.source.resize(msg.cols, msg.rows);
    else {
      // What the transport still holds has not reached the page, whatever the page says.
      this.inFlight = Math.max(this.endpoint?.bufferedAmount() ?? 0, this.inFlight - msg.bytes);
      this.flush();
    }
  }

  private flush() {
    const ep = this.endpoint;
    if (ep) {
      while (this.waiting.length) {
        const next = this.waiting[0]!;
        if (typeof next !== 'string' && this.inFlight >= this.window) break;
        if (typeof next !== 'string' && this.transportFull(ep)) break;
        this.waiting.shift();
        if (typeof next === 'string') {
          ep.send(next);
          continue;
        }
        this.queued -= next.length;
        this.inFlight += next.length;
        this.bytesOut += next.length;
        ep.send(next);
      }
    }
    this.updatePause();
  }

  /**
   * Whether the transport holds a window's worth already; if so, looks again shortly, since an
   * honest page's acks may all have come before the socket drained.
   */
  private transportFull(ep: StreamEndpoint): boolean {
    const buffered = ep.bufferedAmount();
    this.maxTransportBuffered = Math.max(this.maxTransportBuffered, buffered);
    if (buffered < this.window) return false;
    this.drainTimer ??= setTimeout(() => {
      this.drainTimer = undefined;
      if (!this.detached) this.flush();
    }, DRAIN_POLL_MS);
    return true;
  }

  private updatePause() {
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxQueued = Math.max(this.maxQueued, this.queued);
    // Stop reading the cluster once a quarter window waits here; read on when all of it has
    // gone. Main then holds at most a window in flight plus a little over a quarter waiting.
    if (!this.paused && this.queued >= this.window / 4) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && this.queued === 0) {
      this.paused = false;
      this.source.resume();
    }
  }
}
