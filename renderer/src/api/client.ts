/**
 * The renderer's one way to the engine. In Electron the preload exposes `window.labforge`;
 * in a browser (`labforge ui`) the same contract runs over a WebSocket to the local server.
 * Callers get the contract's `Result` values; nothing here throws for API errors.
 */
import type { CallChannel, LabforgeApi, Request, Response, Result, StreamChannel, StreamEvent, Subscription } from '../../../common/api/contract';
import { API_PROTOCOL, MAX_API_MESSAGE_BYTES, PAGE_KEY_FRAGMENT, PAGE_KEY_PROTOCOL_PREFIX } from '../../../common/browser/session';

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

/** The closing reason the page shows for the close codes the server uses. */
function closedBecause(code: number): string {
  if (code === 1009) return `a message was larger than the server accepts (${MAX_API_MESSAGE_BYTES / 2 ** 20} MiB)`;
  return 'the connection to labforge ui closed; is the server still running?';
}

/** `pageKey`: browser mode's page key (common/browser/session.ts), offered as a subprotocol. */
export function createWsApi(url: string, pageKey: string | null = null): LabforgeApi {
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
      const ws = new WebSocket(url, pageKey ? [API_PROTOCOL, `${PAGE_KEY_PROTOCOL_PREFIX}${pageKey}`] : [API_PROTOCOL]);
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
      ws.onclose = (ev) => {
        socket = null;
        opening = null;
        failAll(closedBecause(ev.code));
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
        const text = JSON.stringify({ id, ...message });
        // The server drops the connection on a message over its limit; say why instead. (UTF-16
        // length is a lower bound on the UTF-8 size, so only the encoder's count is exact.)
        const size = text.length > MAX_API_MESSAGE_BYTES / 3 ? new TextEncoder().encode(text).length : text.length;
        if (size > MAX_API_MESSAGE_BYTES) {
          pending.delete(id);
          const mib = (n: number) => (n / 2 ** 20).toFixed(1);
          return settle({ ok: false, error: { code: 'invalid_request', message: `request: the message is ${mib(size)} MiB, over the ${mib(MAX_API_MESSAGE_BYTES)} MiB limit; make the lab smaller` } });
        }
        ws.send(text);
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

const PAGE_KEY_STORAGE = 'labforge.pageKey';

/**
 * Browser mode: takes the page key out of the address (the redirect after the one-time link
 * put it in the fragment) into this origin's storage, so reloads and other tabs of this
 * origin have it and it never lingers in the address bar or history.
 */
export function takePageKey(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = params.get(PAGE_KEY_FRAGMENT);
  if (fromUrl) {
    params.delete(PAGE_KEY_FRAGMENT);
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    try {
      localStorage.setItem(PAGE_KEY_STORAGE, fromUrl);
    } catch {
      // Storage disabled: the key lives as long as this page.
    }
    return fromUrl;
  }
  try {
    return localStorage.getItem(PAGE_KEY_STORAGE);
  } catch {
    return null;
  }
}

// Read at load, before any router can touch the fragment.
const pageKey = typeof window !== 'undefined' && !window.labforge && typeof location !== 'undefined' ? takePageKey() : null;

let api: LabforgeApi | null = null;

export function getApi(): LabforgeApi {
  if (api) return api;
  if (window.labforge) return (api = window.labforge);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return (api = createWsApi(`${proto}//${location.host}/api`, pageKey));
}

export function invoke<C extends CallChannel>(channel: C, request: Request<C>): Promise<Result<Response<C>>> {
  return getApi().invoke(channel, request);
}

export function subscribe<C extends StreamChannel>(channel: C, request: Request<C>, onEvent: (event: StreamEvent<C>) => void): Subscription<Response<C>> {
  return getApi().subscribe(channel, request, onEvent);
}
