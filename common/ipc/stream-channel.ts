/**
 * Electron: main → renderer channel that hands over one MessagePort per terminal session,
 * `{ id: sessionId }` with the port attached (no Electron import, so the preload can bundle it).
 * The preload passes the port on to the page with `window.postMessage`, tagged with this name.
 */
export const IPC_STREAM_PORT = 'labforge:stream-port';

/** What the preload posts to the page with the port; the renderer checks its literal against this type. */
export interface StreamPortMessage {
  type: typeof IPC_STREAM_PORT;
  id: string;
}
