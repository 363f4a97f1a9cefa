/**
 * Typed domain errors. Services throw these; daemon/http/errors.ts maps each `code`
 * to an HTTP status and the one JSON error body of API-NOTES.md:
 *   {"success": false, "error": "<message>", "code": "<CODE>"}
 * Nothing outside daemon/http knows about HTTP statuses.
 */
export type DomainErrorCode =
  | 'VALIDATION'      // 400
  | 'UNAUTHORIZED'    // 401
  | 'FORBIDDEN'       // 403
  | 'NOT_FOUND'       // 404
  | 'CONFLICT'        // 409
  | 'TOO_LARGE'       // 413
  | 'RANGE'           // 416
  | 'TOO_MANY'        // 429 (retryAfterSec)
  | 'NOT_IMPLEMENTED' // 501
  | 'UNAVAILABLE';    // 503

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Optional machine code override for the JSON body (e.g. "SETUP_DONE"). */
    readonly publicCode?: string,
    /** Extra fields merged into the JSON error body (e.g. validation details). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>, publicCode?: string) {
    super('VALIDATION', message, publicCode ?? 'VALIDATION_FAILED', details);
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication required', publicCode = 'UNAUTHORIZED') {
    super('UNAUTHORIZED', message, publicCode);
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'Forbidden', publicCode = 'FORBIDDEN') {
    super('FORBIDDEN', message, publicCode);
  }
}
export class NotFoundError extends DomainError {
  constructor(message = 'Not found', publicCode = 'NOT_FOUND') {
    super('NOT_FOUND', message, publicCode);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string, publicCode = 'CONFLICT') {
    super('CONFLICT', message, publicCode);
  }
}
export class TooLargeError extends DomainError {
  constructor(message = 'Request body too large', publicCode = 'PAYLOAD_TOO_LARGE') {
    super('TOO_LARGE', message, publicCode);
  }
}
export class RangeNotSatisfiableError extends DomainError {
  constructor(readonly size: number, message = 'Requested range not satisfiable') {
    super('RANGE', message, 'RANGE_NOT_SATISFIABLE');
  }
}
export class TooManyRequestsError extends DomainError {
  constructor(readonly retryAfterSec: number, message = 'Too many requests', publicCode = 'RATE_LIMITED', details?: Record<string, unknown>) {
    super('TOO_MANY', message, publicCode, details);
  }
}
export class NotImplementedError extends DomainError {
  constructor(message: string, publicCode = 'NOT_IMPLEMENTED') {
    super('NOT_IMPLEMENTED', message, publicCode);
  }
}
export class UnavailableError extends DomainError {
  constructor(message: string, publicCode = 'UNAVAILABLE', readonly retryAfterSec?: number) {
    super('UNAVAILABLE', message, publicCode);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
