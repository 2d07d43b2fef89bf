/**
 * The renderer's one way to the engine. In Electron the preload exposes `window.labforge`;
 * in a browser (`labforge ui`) the same contract runs over a WebSocket to the local server.
 * Callers get the contract's `Result` values; nothing here throws for API errors.
 */
import type { Channel, LabforgeApi, Request, Response, Result } from '../../../main/api/contract';

declare global {
  interface Window {
    labforge?: LabforgeApi;
  }
}

type Pending = { resolve: (r: Result<unknown>) => void };

export function createWsApi(url: string): LabforgeApi {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.resolve({ ok: false, error: { code: 'disconnected', message } });
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
        const msg = JSON.parse(String(ev.data)) as { id?: number; result?: Result<unknown> };
        if (typeof msg.id === 'number' && msg.result) {
          pending.get(msg.id)?.resolve(msg.result);
          pending.delete(msg.id);
        }
      };
      ws.onclose = () => {
        socket = null;
        opening = null;
        failAll('the connection to labforge ui closed; is the server still running?');
        reject(new Error('closed'));
      };
    }));

  return {
    async invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Result<Response<C>>> {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch {
        return { ok: false, error: { code: 'disconnected', message: 'cannot reach the labforge ui server; restart it and open the new link' } };
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as Pending['resolve'] });
        ws.send(JSON.stringify({ id, channel, request }));
      });
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

export function invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Result<Response<C>>> {
  return getApi().invoke(channel, request);
}
