/**
 * What can go wrong opening a terminal, as codes the API passes on unchanged and messages that
 * say what happened and what to do. Credentials never appear in them: messages quote the API
 * server's own Status text, which names users but not tokens.
 */
import { KubeError } from '../kube/errors';

export type TerminalErrorCode =
  /** No such pod, or no pod for the node (the lab is not deployed or published there). */
  | 'not_found'
  /** The pod or container exists but cannot take an exec yet (pending, creating, restarting). */
  | 'not_ready'
  /** The container has terminated; the message carries its exit code. */
  | 'exited'
  /** The credentials may not exec there (RBAC). */
  | 'forbidden'
  /** The credentials were rejected (expired token, wrong certificate). */
  | 'unauthorized'
  /** The API server cannot be reached or broke the connection. */
  | 'unreachable'
  /** The request names something invalid (e.g. a container the pod does not have). */
  | 'invalid_request'
  /** The target allows one session and someone holds it (a KubeVirt VM's VNC console). */
  | 'busy'
  /** The pod is on a simulated (kwok) node: nothing runs in it, so there is nothing to open. */
  | 'simulated'
  | 'internal';

export class TerminalError extends Error {
  constructor(readonly code: TerminalErrorCode, message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** The `message` of a Kubernetes Status body, when the body is one. */
export function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 500) || undefined;
    }
  }
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return value.message;
  return undefined;
}

/** An HTTP status from the API server as a TerminalError with the server's own words. */
export function fromHttpStatus(status: number, serverMessage: string | undefined, what: string): TerminalError {
  const said = serverMessage ? `: ${serverMessage}` : '';
  switch (status) {
    case 401:
      return new TerminalError('unauthorized', `the API server rejected the credentials for ${what}${said}`);
    case 403:
      return new TerminalError('forbidden', `forbidden: ${what} is not allowed with these credentials${said}`);
    case 404:
      return new TerminalError('not_found', `${what}: not found${said}`);
    case 400:
      // The apiserver answers 400 for "container not found" and "pod is not running".
      return new TerminalError(serverMessage && /not running|ContainerCreating|waiting to start|pending/i.test(serverMessage) ? 'not_ready' : 'invalid_request', `${what} was refused${said}`);
    default:
      return new TerminalError(status >= 500 ? 'unreachable' : 'internal', `${what} failed with HTTP ${status}${said}`);
  }
}

/** The HTTP status a KubeError kind stands for, when the error did not keep one. */
const KIND_STATUS: Partial<Record<KubeError['kind'], number>> = { unauthorized: 401, forbidden: 403, 'not-found': 404 };

/** Turns any failure of a cluster call (main/kube or client-node) or socket into a TerminalError. */
export function toTerminalError(err: unknown, what: string): TerminalError {
  if (err instanceof TerminalError) return err;
  // main/kube's errors are already classified; keep the API server's own words.
  if (err instanceof KubeError) {
    const status = err.status ?? KIND_STATUS[err.kind];
    if (status !== undefined) return fromHttpStatus(status, err.message, what);
    if (err.kind === 'unreachable') return new TerminalError('unreachable', `cannot reach the API server for ${what}: ${err.message}`);
  }
  const e = err as { code?: unknown; body?: unknown; message?: unknown } | null;
  // client-node's ApiException: `code` is the HTTP status, `body` the Status object or its text.
  if (e && typeof e.code === 'number' && e.code >= 400) return fromHttpStatus(e.code, statusMessage(e.body), what);
  const errno = e && typeof e.code === 'string' ? e.code : undefined;
  const message = e && typeof e.message === 'string' ? e.message : String(err);
  if (errno && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(errno)) {
    return new TerminalError('unreachable', `cannot reach the API server for ${what} (${errno}): is the cluster running?`);
  }
  return new TerminalError('internal', `${what} failed: ${message}`);
}
