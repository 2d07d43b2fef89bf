/**
 * The renderer's one way to the engine. In Electron the preload exposes `window.labforge`;
 * in a browser (`labforge ui`) the same contract runs over a WebSocket to the local server.
 * Callers get the contract's `Result` values; nothing here throws for API errors.
 */
import type { CallChannel, LabforgeApi, Request, Response, Result, StreamChannel, StreamEvent, Subscription } from '../../../main/api/contract';

declare global {
  interface Window {
    labforge?: LabforgeApi;
  }
}

// Main validated every result and event against the contract before sending it; the casts
// below restore the static type the untyped socket erased.
interface Pending {
  settle: (r: Result<unknown>) => void;
  onEvent?: (event: unknown) => void;
}

export function createWsApi(url: string): LabforgeApi {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.settle({ ok: false, error: { code: 'disconnected', message } });
    pending.clear();
  };

  const connect = (): Promise<WebSocket> =>
    (opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { id?: number; result?: Result<unknown>; event?: unknown };
        if (typeof msg.id !== 'number') return;
        const p = pending.get(msg.id);
        if (!p) return;
        if (msg.result) {
          pending.delete(msg.id);
          p.settle(msg.result);
        } else if ('event' in msg) p.onEvent?.(msg.event);
      };
      ws.onclose = () => {
        socket = null;
        opening = null;
        failAll('the connection to labforge ui closed; is the server still running?');
        reject(new Error('closed'));
      };
    }));

  const unreachable: Result<never> = { ok: false, error: { code: 'disconnected', message: 'cannot reach the labforge ui server; restart it and open the new link' } };

  /** Sends one message and resolves with its result; `onEvent` makes it a stream. */
  const start = (id: number, message: object, onEvent?: (event: unknown) => void): Promise<Result<unknown>> =>
    new Promise((settle) => {
      pending.set(id, { settle, ...(onEvent ? { onEvent } : {}) });
      void (async () => {
        let ws: WebSocket;
        try {
          ws = socket ?? (await connect());
        } catch {
          pending.delete(id);
          return settle(unreachable);
        }
        ws.send(JSON.stringify({ id, ...message }));
      })();
    });

  return {
    async invoke<C extends CallChannel>(channel: C, request: Request<C>): Promise<Result<Response<C>>> {
      return (await start(nextId++, { channel, request })) as Result<Response<C>>;
    },
    subscribe<C extends StreamChannel>(channel: C, request: Request<C>, onEvent: (event: StreamEvent<C>) => void): Subscription<Response<C>> {
      const id = nextId++;
      const result = start(id, { channel, request, subscribe: true }, (e) => onEvent(e as StreamEvent<C>)) as Promise<Result<Response<C>>>;
      return { result, cancel: () => socket?.send(JSON.stringify({ id, cancel: true })) };
    },
  };
}

let api: LabforgeApi | null = null;

export function getApi(): LabforgeApi {
  if (api) return api;
  if (window.labforge) return (api = window.labforge);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return (api = createWsApi(`${proto}//${location.host}/api`));
}

export function invoke<C extends CallChannel>(channel: C, request: Request<C>): Promise<Result<Response<C>>> {
  return getApi().invoke(channel, request);
}

export function subscribe<C extends StreamChannel>(channel: C, request: Request<C>, onEvent: (event: StreamEvent<C>) => void): Subscription<Response<C>> {
  return getApi().subscribe(channel, request, onEvent);
}
