/**
 * The sandboxed preload: exposes exactly one object, `window.labforge`, with `invoke` for calls
 * and `subscribe` for streams (events until one result; cancellable).
 * Built as CommonJS (sandboxed preloads cannot be ES modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { LabforgeApi, Request, Response, Result, StreamChannel, StreamEvent } from '../common/api/contract';
import { IPC_CANCEL, IPC_INVOKE, IPC_STREAM, IPC_SUBSCRIBE } from '../common/ipc/ipc-channel';
import { IPC_STREAM_PORT, type StreamPortMessage } from '../common/ipc/stream-channel';

// Main validated every event and result against the contract before sending it.
interface Listener {
  onEvent: (event: unknown) => void;
  settle: (result: Result<unknown>) => void;
}
const listeners = new Map<number, Listener>();
let nextId = 1;

ipcRenderer.on(IPC_STREAM, (_event, id: number, msg: { event?: unknown; result?: Result<unknown> }) => {
  const l = listeners.get(id);
  if (!l) return;
  if (msg.result) {
    listeners.delete(id);
    l.settle(msg.result);
  } else l.onEvent(msg.event);
});

const api: LabforgeApi = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
  subscribe<C extends StreamChannel>(channel: C, request: Request<C>, onEvent: (event: StreamEvent<C>) => void) {
    const id = nextId++;
    const result = new Promise<Result<Response<C>>>((settle) =>
      listeners.set(id, { onEvent: (e) => onEvent(e as StreamEvent<C>), settle: (r) => settle(r as Result<Response<C>>) }),
    );
    ipcRenderer.send(IPC_SUBSCRIBE, id, channel, request);
    return { result, cancel: () => ipcRenderer.send(IPC_CANCEL, id) };
  },
};

contextBridge.exposeInMainWorld('labforge', Object.freeze(api));

// A terminal session's MessagePort (main/electron/streams.ts): ports cannot cross the context
// bridge, so it goes to the page by window.postMessage, to this window's own origin only.
// (The Node-side tsconfig that checks this file has no DOM types; this is all it uses of them.)
declare const window: { postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void; location: { origin: string } };
ipcRenderer.on(IPC_STREAM_PORT, (event, msg: unknown) => {
  const id = msg && typeof msg === 'object' && 'id' in msg && typeof msg.id === 'string' ? msg.id : null;
  if (id === null || event.ports.length !== 1) return;
  const message: StreamPortMessage = { type: IPC_STREAM_PORT, id };
  window.postMessage(message, window.location.origin, event.ports);
});
