/**
 * basic-ftp errors to StorageErrors.
 *
 * basic-ftp reports three kinds of failure: FTPError (the server answered with a 4xx/5xx
 * code; the connection is still usable), plain Errors for timeouts ("Timeout (control
 * socket)", "Timeout (data socket)") and lost connections (socket errors, "Server sent FIN
 * packet unexpectedly"), after which the Client is closed for good (the pool checks
 * `closed`). A 550 is ambiguous (missing, a directory, no permission): callers
 * that care ask MLST and refine it.
 */
import { FTPError } from 'basic-ftp';
import { StorageError, type StorageErrorCode } from '../types.js';
import { printable } from '../path-safety.js';

/** Socket-level error codes that mean "the server cannot be reached". */
const OFFLINE_ERRNO = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTDOWN', 'EADDRNOTAVAIL']);

/** The FTP reply code of `err`, if the server sent one. */
export function ftpCode(err: unknown): number | undefined {
  return err instanceof FTPError ? err.code : undefined;
}

/**
 * Map any error from basic-ftp (or the socket under it) to a StorageError with a message
 * of the form `<op> <path>: <reason>`. `scrub` removes secrets from server/library text.
 */
export function mapFtpError(err: unknown, op: string, path: string, scrub: (s: string) => string = (s) => s): Error {
  if (err instanceof StorageError) return err;
  const e = err as { name?: string; code?: unknown; message?: string };
  if (e?.name === 'AbortError') return err as Error;
  const where = `${op} ${printable(path)}`;
  const text = scrub(String(e?.message ?? err)).replace(/\s+/g, ' ').trim();
  const mk = (code: StorageErrorCode, reason: string): StorageError => new StorageError(code, `${where}: ${reason}`, { cause: sanitizedCause(err, scrub) });

  if (err instanceof FTPError) {
    const c = err.code;
    // "421 Sorry, cleartext sessions ... not accepted", "534 ... requires TLS", "530 SSL required".
    if (c >= 400 && /cleartext|\bTLS\b|\bSSL\b|encrypt/i.test(text)) {
      return mk('UNSUPPORTED', `server requires TLS: use an ftps:// URL (${text})`);
    }
    if (c === 530 || c === 332) return mk('AUTH', `login refused (${text})`);
    if (c === 550) return mk('NOT_FOUND', `not found or not accessible (${text})`);
    if (c === 553 || c === 532) return mk('PERMISSION', `not allowed (${text})`);
    if (c === 421) return mk('OFFLINE', `server closing the connection (${text})`);
    if (c === 500 || c === 502 || c === 504 || c === 522 || c === 534) return mk('UNSUPPORTED', `server does not support this (${text})`);
    return mk('IO', `server error (${text})`);
  }
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^Timeout\b/.test(text) || /closed because Timeout/.test(text) || code === 'ETIMEDOUT') {
    return mk('TIMEOUT', `server stopped answering (${text})`);
  }
  if (OFFLINE_ERRNO.has(code)) return mk('OFFLINE', `server unreachable (${code})`);
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('SELF_SIGNED') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return mk('UNSUPPORTED', `TLS certificate not accepted (${code}); pass the server's CA or fix its certificate`);
  }
  return mk('IO', `connection failed (${text})`);
}

/** A copy of the cause that keeps code and message but never a secret. */
function sanitizedCause(err: unknown, scrub: (s: string) => string): Error {
  const e = err as { message?: string; code?: unknown; name?: string };
  const copy = new Error(scrub(String(e?.message ?? err)));
  copy.name = e?.name ?? 'Error';
  if (e?.code !== undefined) (copy as Error & { code?: unknown }).code = e.code;
  return copy;
}
