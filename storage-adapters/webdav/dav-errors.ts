/**
 * HTTP status and network failure -> StorageError for the WebDAV adapter.
 *
 * Messages carry the operation and the root-relative path only: never a URL with
 * userinfo, a header, or a library's own message (which may echo request options).
 * The `cause` kept on the error is a plain `{ status }` or `{ code }` record for the
 * same reason: a logger that serializes causes cannot reach the Authorization header.
 */
import { StorageError, type StorageErrorCode } from '../types.js';
import { printable } from '../path-safety.js';

/** Generic meaning of an HTTP status for a WebDAV request; callers override per method. */
export function statusCode(status: number): StorageErrorCode {
  switch (status) {
    case 401: return 'AUTH';
    case 403: return 'PERMISSION';
    case 404: case 410: return 'NOT_FOUND';
    case 409: return 'NOT_FOUND'; // MKCOL/PUT/MOVE: an intermediate collection is missing
    case 405: case 412: return 'EXISTS';
    case 501: return 'UNSUPPORTED';
    case 502: case 503: case 504: return 'OFFLINE';
    default: return 'IO';
  }
}

const TEXT: Partial<Record<StorageErrorCode, string>> = {
  AUTH: 'credentials refused',
  PERMISSION: 'permission denied',
  NOT_FOUND: 'not found',
  EXISTS: 'already exists',
  UNSUPPORTED: 'not supported by the server',
  OFFLINE: 'server unavailable',
};

export function httpError(status: number, op: string, rel: string, code: StorageErrorCode = statusCode(status)): StorageError {
  const text = TEXT[code] ?? 'request failed';
  return new StorageError(code, `${op} ${printable(rel)}: ${text} (HTTP ${status})`, { cause: { status } });
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Map a thrown transport error. `timedOut` says our own timer fired (TIMEOUT); a caller's
 * abort is returned as the caller's AbortError so `signal.reason` reaches them unchanged.
 */
export function transportError(err: unknown, op: string, rel: string, opts: { timedOut?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}): Error {
  if (err instanceof StorageError) return err;
  if (opts.timedOut) {
    return new StorageError('TIMEOUT', `${op} ${printable(rel)}: no answer within ${opts.timeoutMs ?? '?'} ms`, { cause: { code: 'TIMEOUT' } });
  }
  if (opts.signal?.aborted) return abortError(opts.signal);
  const code = errCode(err);
  const sc: StorageErrorCode = code && OFFLINE_CODES.has(code) ? 'OFFLINE' : 'IO';
  const detail = sc === 'OFFLINE' ? 'server unreachable or connection lost' : 'transport error';
  return new StorageError(sc, `${op} ${printable(rel)}: ${detail} (${code ?? 'unknown'})`, { cause: { code: code ?? 'unknown' } });
}

/** The caller's abort reason as an Error named AbortError. */
export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** The system error code of `err` or of its cause chain (node-fetch wraps them). */
export function errCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const o = e as { code?: unknown; errno?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && o.code !== 'ERR_UNKNOWN') return o.code;
    if (typeof o.errno === 'string') return o.errno;
    e = o.cause;
  }
  if ((err as { message?: unknown })?.message === 'socket hang up') return 'ECONNRESET';
  return undefined;
}
