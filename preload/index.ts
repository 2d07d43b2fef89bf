/**
 * The sandboxed preload: exposes exactly one object, `window.labforge`, with `invoke`.
 * Built as CommonJS (sandboxed preloads cannot be ES modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { LabforgeApi } from '../main/api/contract';
import { IPC_INVOKE } from '../main/transport/ipc-channel';

const api: LabforgeApi = {
  invoke: (channel, request) => ipcRenderer.invoke(IPC_INVOKE, channel, request),
};

contextBridge.exposeInMainWorld('labforge', Object.freeze(api));
