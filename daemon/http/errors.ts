/**
 * The one table from typed errors to HTTP answers. Services throw DomainError (or storage
 * adapters StorageError); nothing else in the project knows HTTP statuses.
 *
 * Body everywhere: {"success": false, "error": "<message>", "code": "<CODE>", ...details}.
 * Unexpected errors never reach the client: mapError returns undefined and the server
 * answers the generic 500 (INTERNAL_ERROR_BODY) after logging.
 */
import {
  DomainError, RangeNotSatisfiableError, TooManyRequestsError, UnavailableError,
  type DomainErrorCode,
} from '../domain/errors.js';
import { StorageError, type StorageErrorCode } from '../../storage-adapters/types.js';
import { unsatisfiedRange } from './range.js';

export interface ErrorAnswer {
  status: number;
  body: { success: false; error: string; code: string } & Record<string, unknown>;
  headers: Record<string, string>;
}

export const DOMAIN_STATUS: Readonly<Record<DomainErrorCode, number>> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  RANGE: 416,
  TOO_MANY: 429,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
};

/**
 * Storage failures that reach a handler. TIMEOUT answers 503 (not 504): the daemon is not a
 * gateway from the client's point of view, the remote root is just unavailable right now.
 * ESCAPE answers 403, the API-NOTES status for "path outside policy". AUTH/IO are the
 * daemon's own configuration or I/O problems: 500 (they are still logged as unexpected).
 */
export const STORAGE_STATUS: Readonly<Partial<Record<StorageErrorCode, number>>> = {
  NOT_FOUND: 404,
  NOT_DIR: 404,
  IS_DIR: 400,
  EXISTS: 409,
  PERMISSION: 403,
  ESCAPE: 403,
  OFFLINE: 503,
  TIMEOUT: 503,
  UNSUPPORTED: 501,
};

const STORAGE_MESSAGE: Readonly<Partial<Record<StorageErrorCode, string>>> = {
  // Storage messages can name remote hosts or paths; the public message is generic.
  NOT_FOUND: 'Not found',
  NOT_DIR: 'Not a directory',
  IS_DIR: 'Is a directory',
  EXISTS: 'Already exists',
  PERMISSION: 'Permission denied',
  ESCAPE: 'Path outside the allowed root',
  OFFLINE: 'Storage is offline',
  TIMEOUT: 'Storage did not answer in time',
  UNSUPPORTED: 'Not supported by this storage',
};

export const INTERNAL_ERROR_BODY = Object.freeze({
  success: false as const, error: 'Internal server error', code: 'INTERNAL',
});

/** Map a thrown value to its answer, or undefined when it is unexpected (a bug: 500). */
export function mapError(err: unknown): ErrorAnswer | undefined {
  if (err instanceof DomainError) {
    const status = DOMAIN_STATUS[err.code] ?? 500;
    const headers: Record<string, string> = {};
    if (err instanceof RangeNotSatisfiableError) headers['Content-Range'] = unsatisfiedRange(err.size);
    if (err instanceof TooManyRequestsError) headers['Retry-After'] = String(Math.max(0, Math.ceil(err.retryAfterSec)));
    if (err instanceof UnavailableError && err.retryAfterSec !== undefined) {
      headers['Retry-After'] = String(Math.max(0, Math.ceil(err.retryAfterSec)));
    }
    return {
      status,
      // details first so they can never overwrite the three fixed fields
      body: { ...(err.details ?? {}), success: false, error: err.message, code: err.publicCode ?? err.code },
      headers,
    };
  }
  if (err instanceof StorageError) {
    const status = STORAGE_STATUS[err.code];
    if (status === undefined) return undefined;
    // NOT_FOUND keeps the code clients already branch on; the rest say they came from storage.
    const code = err.code === 'NOT_FOUND' ? 'NOT_FOUND' : `STORAGE_${err.code}`;
    return { status, body: { success: false, error: STORAGE_MESSAGE[err.code] ?? 'Storage error', code }, headers: {} };
  }
  return undefined;
}

/** Body of an error answer built directly by the HTTP layer (404 route, 405, 400 URL...). */
export function errorBody(message: string, code: string, extra?: Record<string, unknown>): ErrorAnswer['body'] {
  return { ...(extra ?? {}), success: false, error: message, code };
}
