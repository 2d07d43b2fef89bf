/**
 * Turns whatever a cluster call threw into one line a person can act on: what happened and
 * the next step. Credentials never appear in these messages.
 */
export type KubeErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'missing-api' | 'throttled' | 'server' | 'config' | 'unknown';

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
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

export function httpStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown; statusCode?: unknown }).code ?? (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
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

/** Classifies an error from client-node (or fetch) for one server; `what` names the operation. */
export function toKubeError(err: unknown, server: string, what?: string): KubeError {
  if (err instanceof KubeError) return err;
  const prefix = what ? `${what}: ` : '';
  const net = networkCode(err);
  if (net) {
    return new KubeError('unreachable', `${prefix}cannot reach the cluster at ${server} (${net}); check that it is running and that your kubeconfig context is right (labforge cluster status, or --context)`);
  }
  const status = httpStatus(err);
  const body = statusBody(err);
  const detail = body?.message ?? (err as Error)?.message ?? String(err);
  switch (status) {
    case 401:
      return new KubeError('unauthorized', `${prefix}the cluster at ${server} rejected your credentials (expired or invalid); log in again or refresh the kubeconfig`, 401);
    case 403:
      return new KubeError('forbidden', `${prefix}forbidden: ${detail}; ask a cluster admin for this permission or use a context that has it`, 403);
    case 404:
      return new KubeError('not-found', `${prefix}${detail}`, 404);
    case 409:
      return new KubeError('conflict', `${prefix}${detail}`, 409);
    case 400:
    case 422: {
      const causes = body?.details?.causes?.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`.trim()).join('; ');
      return new KubeError('invalid', `${prefix}${detail}${causes && !detail.includes(causes) ? ` (${causes})` : ''}`, status, body);
    }
    case 429:
      return new KubeError('throttled', `${prefix}the cluster is throttling requests (429); retry later or lower --concurrency`, 429);
    default:
      if (status !== undefined && status >= 500) return new KubeError('server', `${prefix}the cluster answered ${status}: ${detail}`, status);
      return new KubeError('unknown', `${prefix}${detail}`, status);
  }
}

/** 429, 5xx, conflicts and dropped connections are worth another try. */
export function isRetryable(err: unknown): boolean {
  const status = err instanceof KubeError ? err.status : httpStatus(err);
  if (status === 429 || status === 409 || (status !== undefined && status >= 500)) return true;
  if (err instanceof KubeError) return err.kind === 'throttled' || err.kind === 'server' || err.kind === 'conflict';
  const net = networkCode(err);
  return net === 'ECONNRESET' || net === 'EPIPE' || net === 'UND_ERR_SOCKET';
}
