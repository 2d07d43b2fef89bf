/**
 * The one request path shared by both transports (Electron IPC and the browser-mode
 * WebSocket): channel lookup, request validation against the contract, the handler call, and
 * every failure turned into an error value. Nothing thrown here crosses the wire.
 */
import type { z } from 'zod';
import { contract, hasEvents, isChannel, type Channel, type ApiError, type Contract, type Response, type Result, type StreamChannel, type StreamEvent } from '../../common/api/contract';

/** What a stream handler gets besides its request: a typed event sink and the cancel signal. */
export interface StreamContext<C extends StreamChannel> {
  emit(event: StreamEvent<C>): void;
  /** Aborted when the renderer cancels, or its window or socket goes away. */
  signal: AbortSignal;
}

/** A handler receives the request as the contract's schema decoded it (defaults applied). */
export type Handler<C extends Channel> = C extends StreamChannel
  ? (request: z.output<Contract[C]['request']>, stream: StreamContext<C>) => Promise<Response<C>>
  : (request: z.output<Contract[C]['request']>) => Promise<Response<C>> | Response<C>;
export type Handlers = { [C in Channel]: Handler<C> };

/** The transport's side of a stream: where validated events go, and its cancel signal. */
export interface StreamSink {
  emit(event: unknown): void;
  signal: AbortSignal;
}

/** Thrown by handlers for an expected failure; becomes `{ ok: false, error: { code, message } }`. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: ApiError['hint'],
  ) {
    super(message);
  }
}

/** One call (`stream` absent) or one stream (`stream` given: events go to it until the result). */
export type Dispatch = (channel: unknown, request: unknown, stream?: StreamSink) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Where unexpected handler errors go (the message sent back stays generic). */
  logError?: (channel: string, error: unknown) => void;
}

/** `nodes[1].image: message`, naming the offending request field. */
/** A request field in words, for the user: className → "class name" (the path keeps its dots: lab.nodes[0].image). */
const fieldWords = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : fieldWords(String(p)))).join('.').replace(/\.\[/g, '[') : 'the request';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Builds the dispatcher. Channels without a handler (e.g. native dialogs in browser mode)
 * answer `unsupported`.
 */
export function createDispatcher(handlers: Partial<Handlers>, options: DispatchOptions = {}): Dispatch {
  return async (channel, request, stream) => {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'unknown_channel', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
    }
    const spec = contract[channel];
    if (hasEvents(channel) !== (stream !== undefined)) {
      const how = hasEvents(channel) ? 'a stream: subscribe to it' : 'not a stream: invoke it';
      return { ok: false, error: { code: 'invalid_request', message: `${channel} is ${how}` } };
    }
    const decoded = spec.request.safeParse(request ?? {});
    if (!decoded.success) {
      return { ok: false, error: { code: 'invalid_request', message: formatZodIssues(decoded.error.issues) } };
    }
    const handler = handlers[channel] as ((req: unknown, ctx?: StreamSink) => unknown) | undefined;
    if (!handler) {
      return { ok: false, error: { code: 'unsupported', message: `${channel} is not available in this mode` } };
    }
    // Events are checked like responses. A handler that emits off-contract data is a bug: stop
    // its operation rather than send the renderer something its types do not describe.
    let ctx: StreamSink | undefined;
    let badEvent: string | undefined;
    const internal = new AbortController();
    if (stream) {
      const events = (spec as { events?: z.ZodType }).events;
      const signal = AbortSignal.any([stream.signal, internal.signal]);
      ctx = {
        signal,
        emit: (event) => {
          if (signal.aborted) return;
          const checked = events?.safeParse(event);
          if (!checked?.success) {
            badEvent = checked ? formatZodIssues(checked.error.issues) : 'no event schema';
            options.logError?.(channel, new Error(`event does not match the contract: ${badEvent}`));
            internal.abort();
            return;
          }
          stream.emit(checked.data);
        },
      };
    }
    try {
      const value = await handler(decoded.data, ctx);
      if (badEvent !== undefined) return { ok: false, error: { code: 'internal', message: `${channel} produced an invalid event` } };
      if (stream?.signal.aborted) return { ok: false, error: { code: 'cancelled', message: `${channel} was cancelled` } };
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        options.logError?.(channel, new Error(`response does not match the contract: ${formatZodIssues(checked.error.issues)}`));
        return { ok: false, error: { code: 'internal', message: `${channel} produced an invalid response` } };
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      if (badEvent !== undefined) return { ok: false, error: { code: 'internal', message: `${channel} produced an invalid event` } };
      if (stream?.signal.aborted) return { ok: false, error: { code: 'cancelled', message: `${channel} was cancelled` } };
      if (err instanceof ApiFailure) return { ok: false, error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
      options.logError?.(channel, err);
      return { ok: false, error: { code: 'internal', message: `${channel} failed: ${err instanceof Error ? err.message : String(err)}` } };
    }
  };
}
