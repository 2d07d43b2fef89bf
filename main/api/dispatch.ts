/**
 * The one request path shared by both transports (Electron IPC and the browser-mode
 * WebSocket): channel lookup, request validation against the contract, the handler call, and
 * every failure turned into an error value. Nothing thrown here crosses the wire.
 */
import type { z } from 'zod';
import { contract, isChannel, type Channel, type Contract, type Response, type Result } from './contract';

/** A handler receives the request as the contract's schema decoded it (defaults applied). */
export type Handler<C extends Channel> = (request: z.output<Contract[C]['request']>) => Promise<Response<C>> | Response<C>;
export type Handlers = { [C in Channel]: Handler<C> };

/** Thrown by handlers for an expected failure; becomes `{ ok: false, error: { code, message } }`. */
export class ApiFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type Dispatch = (channel: unknown, request: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Where unexpected handler errors go (the message sent back stays generic). */
  logError?: (channel: string, error: unknown) => void;
}

/** `nodes[1].image: message`, naming the offending request field. */
function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : '(request)';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Builds the dispatcher. Channels without a handler (e.g. native dialogs in browser mode)
 * answer `unsupported`.
 */
export function createDispatcher(handlers: Partial<Handlers>, options: DispatchOptions = {}): Dispatch {
  return async (channel, request) => {
    if (!isChannel(channel)) {
      return { ok: false, error: { code: 'unknown_channel', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
    }
    const spec = contract[channel];
    const decoded = spec.request.safeParse(request ?? {});
    if (!decoded.success) {
      return { ok: false, error: { code: 'invalid_request', message: `invalid request for ${channel}: ${formatZodIssues(decoded.error.issues)}` } };
    }
    const handler = handlers[channel] as ((req: unknown) => unknown) | undefined;
    if (!handler) {
      return { ok: false, error: { code: 'unsupported', message: `${channel} is not available in this mode` } };
    }
    try {
      const value = await handler(decoded.data);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        options.logError?.(channel, new Error(`response does not match the contract: ${formatZodIssues(checked.error.issues)}`));
        return { ok: false, error: { code: 'internal', message: `${channel} produced an invalid response` } };
      }
      return { ok: true, value: checked.data };
    } catch (err) {
      if (err instanceof ApiFailure) return { ok: false, error: { code: err.code, message: err.message } };
      options.logError?.(channel, err);
      return { ok: false, error: { code: 'internal', message: `${channel} failed: ${err instanceof Error ? err.message : String(err)}` } };
    }
  };
}
