/** The one IPC channel the preload and main share (no Electron import, so the preload can bundle it). */
export const IPC_INVOKE = 'labforge:invoke';
