/**
 * Electron transport: every renderer call arrives on one `invoke` channel and goes through the
 * shared dispatcher. The sender must be our app's main frame; anything else gets an error value.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Result } from '../api/contract';
import type { Dispatch } from '../api/dispatch';
import { IPC_INVOKE } from './ipc-channel';

/** True when a frame URL belongs to the app (same origin, parsed, not string-prefixed). */
export function isAppUrl(url: string | undefined | null, appOrigin: string): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    const expected = new URL(appOrigin);
    return parsed.protocol === expected.protocol && parsed.host === expected.host && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

export function checkSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, appOrigin: string): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null || frame !== event.sender.mainFrame) return 'only the main frame may call the API';
  if (!isAppUrl(frame.url, appOrigin)) return 'the sender is not the Labforge app';
  return null;
}

export function bindIpc(ipcMain: IpcMain, dispatch: Dispatch, appOrigin: string): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown): Promise<Result<unknown>> => {
    const refused = checkSender(event, appOrigin);
    if (refused) return { ok: false, error: { code: 'forbidden', message: refused } };
    return dispatch(channel, request);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}
