/** The IPC channels the preload and main share (no Electron import, so the preload can bundle it). */
export const IPC_INVOKE = 'labforge:invoke';
/** renderer → main: `(id, channel, request)` starts a stream. */
export const IPC_SUBSCRIBE = 'labforge:subscribe';
/** renderer → main: `(id)` cancels a stream. */
export const IPC_CANCEL = 'labforge:cancel';
/** main → renderer: `(id, { event } | { result })`, a stream's events then its one result. */
export const IPC_STREAM = 'labforge:stream';
