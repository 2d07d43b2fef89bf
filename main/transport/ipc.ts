/**
 * Electron transport: every renderer call arrives on one `invoke` channel and goes through the
 * shared dispatcher. The sender must be our app's main frame; anything else gets an error value.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Result } from '../../common/api/contract';
import type { Dispatch } from '../api/dispatch';
import { IPC_CANCEL, IPC_INVOKE, IPC_STREAM, IPC_SUBSCRIBE } from '../../common/ipc/ipc-channel';

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

  // Streams of each window, by the renderer's id for them. A window that closes or navigates
  // away cancels its streams: the operations stop at their next safe point, and what they did
  // is in the cluster, where the reopened window reads it back.
  const streams = new Map<WebContents, Map<number, AbortController>>();
  const streamsOf = (sender: WebContents) => {
    let m = streams.get(sender);
    if (!m) {
      const created = new Map<number, AbortController>();
      streams.set(sender, (m = created));
      const cancelAll = () => {
        for (const c of created.values()) c.abort();
        streams.delete(sender);
      };
      sender.once('destroyed', cancelAll);
      sender.once('did-start-navigation', cancelAll);
    }
    return m;
  };
  const onSubscribe = async (event: IpcMainEvent, id: unknown, channel: unknown, request: unknown) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return;
    const reply = (msg: unknown) => {
      if (!event.sender.isDestroyed()) event.sender.send(IPC_STREAM, id, msg);
    };
    const refused = checkSender(event, appOrigin);
    if (refused) return reply({ result: { ok: false, error: { code: 'forbidden', message: refused } } });
    const mine = streamsOf(event.sender);
    if (mine.has(id)) return reply({ result: { ok: false, error: { code: 'invalid_request', message: `stream id ${id} is in use` } } });
    const controller = new AbortController();
    mine.set(id, controller);
    const result = await dispatch(channel, request, { signal: controller.signal, emit: (e) => reply({ event: e }) });
    mine.delete(id);
    reply({ result });
  };
  const onCancel = (event: IpcMainEvent, id: unknown) => {
    if (checkSender(event, appOrigin) || typeof id !== 'number') return;
    streams.get(event.sender)?.get(id)?.abort();
  };
  ipcMain.on(IPC_SUBSCRIBE, onSubscribe);
  ipcMain.on(IPC_CANCEL, onCancel);
  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeListener(IPC_SUBSCRIBE, onSubscribe);
    ipcMain.removeListener(IPC_CANCEL, onCancel);
    for (const m of streams.values()) for (const c of m.values()) c.abort();
    streams.clear();
  };
}
