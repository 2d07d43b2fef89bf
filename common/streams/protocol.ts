/**
 * The wire protocol of one terminal stream, the same over a browser-mode WebSocket and an
 * Electron MessagePort. The renderer imports these types only.
 *
 * - Binary frames (WebSocket binary messages; ArrayBuffer/Uint8Array on a MessagePort) carry
 *   bytes: terminal output main → pane, keyboard input pane → main.
 * - Text frames (strings) carry one small JSON control message each, below.
 *
 * Flow control: main keeps at most `window` bytes of output unacknowledged (the number comes
 * with `terminal.open`'s answer). The pane acknowledges output once xterm has parsed it (its
 * write callback), so a flood (`yes`) is held back in the container, not in main's memory or the
 * renderer's. When the window is full main stops reading the exec socket; TCP does the rest.
 */

/** pane → main */
export type PaneControl =
  /** The pane's size in character cells; forwarded to the tty (SIGWINCH in the container). */
  | { type: 'resize'; cols: number; rows: number }
  /** This many more output bytes were written to the screen. */
  | { type: 'ack'; bytes: number };

/** main → pane */
export type MainControl =
  /** The remote process ended (its exit code when the runtime reported one), or the connection to the cluster dropped. */
  | { type: 'exit'; reason: 'exited' | 'dropped'; code: number | null; message: string }
  /** The session could not go on (e.g. the pane attached too late). */
  | { type: 'error'; code: string; message: string };

/** The WebSocket subprotocol of a terminal stream; the session token travels as a second one. */
export const STREAM_PROTOCOL = 'labforge.stream.v1';
export const TOKEN_PROTOCOL_PREFIX = 'token.';
/** Browser mode: a session's stream is at `${STREAM_PATH_PREFIX}<session id>`. */
export const STREAM_PATH_PREFIX = '/streams/';

/** Parses a pane's text frame; null for anything that is not a well-formed control message. */
export function parsePaneControl(text: string): PaneControl | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || !('type' in v)) return null;
  const isCount = (n: unknown, max: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
  if (v.type === 'resize' && 'cols' in v && 'rows' in v && isCount(v.cols, 10_000) && isCount(v.rows, 10_000) && v.cols > 0 && v.rows > 0) {
    return { type: 'resize', cols: v.cols, rows: v.rows };
  }
  if (v.type === 'ack' && 'bytes' in v && isCount(v.bytes, Number.MAX_SAFE_INTEGER)) return { type: 'ack', bytes: v.bytes };
  return null;
}
