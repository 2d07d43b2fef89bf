/**
 * A pane's byte stream, whatever carries it: in browser mode a WebSocket to the UI server at the
 * path and with the subprotocols `terminal.open` answered (the second one carries the session's
 * one-time token); in Electron the MessagePort main posted for the session, which the preload
 * hands to the page with window.postMessage. The pane sees only this interface
 * (common/streams/protocol.ts describes what flows on it).
 */
import type { Response } from '../../../common/api/contract';
import type { StreamPortMessage } from '../../../common/ipc/stream-channel';

export type StreamConnect = Response<'terminal.open'>['connect'];

export interface PaneStream {
  send(data: Uint8Array<ArrayBuffer> | string): void;
  close(): void;
  /** Output bytes arrive as Uint8Array, control messages as strings. */
  onMessage: ((data: Uint8Array | string) => void) | null;
  /** The stream ended, from either side. */
  onClose: (() => void) | null;
}

// Checked against the preload's message type by the compiler.
const PORT_MESSAGE_TYPE: StreamPortMessage['type'] = 'labforge:stream-port';

/** Ports that arrived before their `terminal.open` answer, and answers waiting for their port. */
const arrived = new Map<string, MessagePort>();
const waiting = new Map<string, (port: MessagePort) => void>();
let listening = false;

function listenForPorts() {
  if (listening) return;
  listening = true;
  window.addEventListener('message', (ev: MessageEvent<unknown>) => {
    // Only our own window (the preload) posts these.
    if (ev.source !== window || ev.ports.length !== 1) return;
    const d = ev.data;
    if (!d || typeof d !== 'object' || !('type' in d) || d.type !== PORT_MESSAGE_TYPE || !('id' in d) || typeof d.id !== 'string') return;
    const port = ev.ports[0]!;
    const w = waiting.get(d.id);
    if (w) {
      waiting.delete(d.id);
      w(port);
    } else arrived.set(d.id, port);
  });
}

if (typeof window !== 'undefined' && window.labforge) listenForPorts();

function takePort(sessionId: string, timeoutMs: number): Promise<MessagePort> {
  listenForPorts();
  const ready = arrived.get(sessionId);
  if (ready) {
    arrived.delete(sessionId);
    return Promise.resolve(ready);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(sessionId);
      reject(new Error('the terminal stream did not arrive'));
    }, timeoutMs);
    waiting.set(sessionId, (port) => {
      clearTimeout(timer);
      resolve(port);
    });
  });
}

function fromPort(port: MessagePort): PaneStream {
  let closed = false;
  const stream: PaneStream = {
    send: (data) => {
      if (!closed) port.postMessage(data);
    },
    close: () => {
      if (closed) return;
      closed = true;
      port.close();
    },
    onMessage: null,
    onClose: null,
  };
  port.onmessage = (ev: MessageEvent<unknown>) => {
    const d = ev.data;
    if (typeof d === 'string') stream.onMessage?.(d);
    else if (d instanceof ArrayBuffer) stream.onMessage?.(new Uint8Array(d));
    else if (ArrayBuffer.isView(d)) stream.onMessage?.(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  };
  // Chromium tells a port when its other end is gone.
  port.addEventListener('close', () => {
    closed = true;
    stream.onClose?.();
  });
  port.start();
  return stream;
}

function fromWebSocket(path: string, protocols: string[]): Promise<PaneStream> {
  return new Promise((resolve, reject) => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${path}`, protocols);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    const stream: PaneStream = {
      send: (data) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(data);
      },
      close: () => ws.close(1000),
      onMessage: null,
      onClose: null,
    };
    ws.onopen = () => {
      opened = true;
      resolve(stream);
    };
    ws.onmessage = (ev: MessageEvent<unknown>) => {
      if (typeof ev.data === 'string') stream.onMessage?.(ev.data);
      else if (ev.data instanceof ArrayBuffer) stream.onMessage?.(new Uint8Array(ev.data));
    };
    ws.onclose = () => {
      if (!opened) reject(new Error('the terminal stream was refused'));
      else stream.onClose?.();
    };
  });
}

export function connectStream(sessionId: string, connect: StreamConnect): Promise<PaneStream> {
  return connect.kind === 'websocket' ? fromWebSocket(connect.path, connect.protocols) : takePort(sessionId, 10_000).then(fromPort);
}
