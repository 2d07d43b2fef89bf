/**
 * Turns whatever a cluster call threw into one line a person can act on: what happened and
 * the next step. Credentials never appear in these messages.
 *
 * The CLI and the app both show these messages, so they say what to do in plain words and
 * never name a command-line flag; a machine-readable `hint` says which control (a flag in the
 * CLI, a button or field in the app) does it, and each front end words that itself.
 */
export type KubeErrorKind =
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'missing-api'
  | 'throttled'
  /** 410 Gone: a watch asked for a resourceVersion the server no longer keeps; list again. */
  | 'expired'
  | 'server'
  | 'config'
  | 'unknown';

/**
 * The next step a front end can offer:
 * - `force`: repeat the operation, overriding the refusal (it said what it overrides);
 * - `choose-context`: pick another kubeconfig file or context;
 * - `start-local-cluster`: no cluster is configured; the local control plane is one option;
 * - `check-cluster`: the cluster did not answer; check it runs and that the context is right;
 * - `deploy-first`: deploy the lab to its dev namespace first;
 * - `publish-first`: publish a release to the student first;
 * - `list-releases`: the release named does not exist; list the ones that do;
 * - `lower-concurrency`: the cluster throttles; send fewer requests at once;
 * - `new-tag`: releases are immutable; choose another tag.
 */
export type KubeHint =
  | 'force'
  | 'choose-context'
  | 'start-local-cluster'
  | 'check-cluster'
  | 'deploy-first'
  | 'publish-first'
  | 'list-releases'
  | 'lower-concurrency'
  | 'new-tag'
  | 'later-end-date'
  | 'list-keys';

export interface KubeErrorExtra {
  status?: number;
  details?: unknown;
  hint?: KubeHint;
  /** The socket error code behind an `unreachable` error, e.g. ECONNRESET. */
  network?: string;
  /** The server's Retry-After (429, 503), in milliseconds: when it asks to be asked again. */
  retryAfterMs?: number;
}

export class KubeError extends Error {
  readonly status?: number;
  readonly details?: unknown;
  readonly hint?: KubeHint;
  readonly network?: string;
  readonly retryAfterMs?: number;

  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    extra: KubeErrorExtra = {},
  ) {
    super(message);
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.details !== undefined) this.details = extra.details;
    if (extra.hint !== undefined) this.hint = extra.hint;
    if (extra.network !== undefined) this.network = extra.network;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
  }

  /** The same error with the operation named in front, e.g. `deleting namespace x: …`. */
  in(what: string): KubeError {
    return new KubeError(this.kind, `${what}: ${this.message}`, { status: this.status, details: this.details, hint: this.hint, network: this.network, retryAfterMs: this.retryAfterMs });
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

function statusBody(err: unknown): StatusBody | undefined {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

/** The HTTP status of an error from KubeHttp, client-node (ApiException) or a KubeError. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof KubeError) return err.status;
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } } | null;
  for (const v of [e?.code, e?.statusCode, e?.response?.statusCode]) if (typeof v === 'number') return v;
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'EPIPE']);

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const type = (e as { type?: unknown }).type;
    if (type === 'system' || type === 'request-timeout') return String(code ?? type);
  }
  const msg = String((err as Error)?.message ?? '');
  const m = /(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)/.exec(msg);
  return m?.[1];
}

/** Retry-After in seconds (the API server's form; an HTTP date is not used by it), as milliseconds. */
function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { headers?: Record<string, string | string[] | undefined> } | null)?.headers;
  const raw = headers?.['retry-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(seconds) && seconds >= 0 && raw !== undefined && raw !== '' ? seconds * 1000 : undefined;
}

/** Classifies an error from a cluster call for one server; `what` names the operation. */
export function toKubeError(err: unknown, server: string, what?: string): KubeError {
  if (err instanceof KubeError) return what ? err.in(what) : err;
  const prefix = what ? `${what}: ` : '';
  const net = networkCode(err);
  if (net) {
    return new KubeError('unreachable', `${prefix}cannot reach the cluster at ${server} (${net}); check that it is running and that the kubeconfig context is the right one`, { hint: 'check-cluster', network: net });
  }
  const status = httpStatus(err);
  const body = statusBody(err);
  const detail = body?.message ?? (err as Error)?.message ?? String(err);
  switch (status) {
    case 401:
      return new KubeError('unauthorized', `${prefix}the cluster at ${server} rejected your credentials (expired or invalid); log in again or refresh the kubeconfig`, { status, hint: 'choose-context' });
    case 403:
      return new KubeError('forbidden', `${prefix}forbidden: ${detail}; ask a cluster admin for this permission or use a context that has it`, { status, hint: 'choose-context' });
    case 404:
      return new KubeError('not-found', `${prefix}${detail}`, { status });
    case 409:
      return new KubeError('conflict', `${prefix}${detail}`, { status });
    case 410:
      return new KubeError('expired', `${prefix}${detail}`, { status });
    case 400:
    case 422: {
      const causes = body?.details?.causes?.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`.trim()).join('; ');
      return new KubeError('invalid', `${prefix}${detail}${causes && !detail.includes(causes) ? ` (${causes})` : ''}`, { status, details: body });
    }
    case 429:
      return new KubeError('throttled', `${prefix}the cluster is throttling requests (429); retry later or send fewer requests at once`, { status, hint: 'lower-concurrency', retryAfterMs: retryAfterMs(err) });
    default:
      // Server-side apply answers 500 to a field the object's schema does not declare (e.g. one
      // KubeVirt's CRD does not define), though the request is at fault: a refusal, not retried.
      if (status === 500 && /field not declared in schema/.test(detail)) return new KubeError('invalid', `${prefix}${detail}`, { status });
      if (status !== undefined && status >= 500) return new KubeError('server', `${prefix}the cluster answered ${status}: ${detail}`, { status, retryAfterMs: retryAfterMs(err) });
      return new KubeError('unknown', `${prefix}${detail}`, { status });
  }
}

/** 429, 5xx, conflicts and dropped connections are worth another try. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof KubeError && err.kind === 'invalid') return false;
  const status = httpStatus(err);
  if (status === 429 || status === 409 || (status !== undefined && status >= 500)) return true;
  const net = err instanceof KubeError ? err.network : networkCode(err);
  if (err instanceof KubeError && err.kind !== 'unreachable') return err.kind === 'throttled' || err.kind === 'server' || err.kind === 'conflict';
  return net === 'ECONNRESET' || net === 'EPIPE' || net === 'UND_ERR_SOCKET';
}
