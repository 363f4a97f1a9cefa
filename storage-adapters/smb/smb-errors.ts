/**
 * One table from NTSTATUS / socket errors to StorageError codes. Messages name the
 * operation and path, never credentials (the adapter never has them in a message).
 */
import { StorageError, type StorageErrorCode } from '../types.js';
import { printable } from '../path-safety.js';
import { Status } from './smb2-wire.js';

/** An SMB2 reply with a failure status; `status` is the raw NTSTATUS. */
export class SmbStatusError extends Error {
  constructor(readonly status: number, readonly command: number) {
    super(`SMB status 0x${status.toString(16).padStart(8, '0')}`);
    this.name = 'SmbStatusError';
  }
}

export const SECURITY_MESSAGE = 'unsupported server security settings (SMB signing/encryption/SMB3 required)';

const TABLE = new Map<number, [StorageErrorCode, string]>([
  [Status.NO_SUCH_FILE, ['NOT_FOUND', 'no such file or directory']],
  [Status.OBJECT_NAME_NOT_FOUND, ['NOT_FOUND', 'no such file or directory']],
  [Status.OBJECT_PATH_NOT_FOUND, ['NOT_FOUND', 'no such file or directory']],
  [Status.OBJECT_NAME_INVALID, ['NOT_FOUND', 'invalid name']],
  [Status.OBJECT_PATH_INVALID, ['NOT_FOUND', 'invalid path']],
  [Status.DELETE_PENDING, ['NOT_FOUND', 'file is being deleted']],
  [Status.OBJECT_NAME_COLLISION, ['EXISTS', 'already exists']],
  [Status.ACCESS_DENIED, ['PERMISSION', 'access denied']],
  [Status.FILE_IS_A_DIRECTORY, ['IS_DIR', 'is a directory']],
  [Status.NOT_A_DIRECTORY, ['NOT_DIR', 'not a directory']],
  [Status.DIRECTORY_NOT_EMPTY, ['IO', 'directory not empty']],
  [Status.SHARING_VIOLATION, ['IO', 'file is in use']],
  [Status.LOGON_FAILURE, ['AUTH', 'credentials refused']],
  [Status.WRONG_PASSWORD, ['AUTH', 'credentials refused']],
  [Status.NO_SUCH_USER, ['AUTH', 'credentials refused']],
  [Status.ACCOUNT_RESTRICTION, ['AUTH', 'account restricted']],
  [Status.PASSWORD_EXPIRED, ['AUTH', 'password expired']],
  [Status.ACCOUNT_DISABLED, ['AUTH', 'account disabled']],
  [Status.BAD_NETWORK_NAME, ['OFFLINE', 'share not found']],
  [Status.NOT_SUPPORTED, ['UNSUPPORTED', 'not supported by the server']],
]);

/** Map any failure of an SMB operation on `path` to a StorageError (kept as is if already one). */
export function toStorageError(err: unknown, op: string, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const where = `${op} ${printable(path)}`;
  if (err instanceof SmbStatusError) {
    const hit = TABLE.get(err.status);
    if (hit) return new StorageError(hit[0], `${where}: ${hit[1]}`, { cause: err });
    return new StorageError('IO', `${where}: ${err.message}`, { cause: err });
  }
  const e = err as { code?: string; name?: string; message?: string };
  if (e?.name === 'AbortError') return new StorageError('IO', `${where}: aborted`, { cause: err });
  return new StorageError(netCode(e?.code), `${where}: ${e?.message ?? String(err)}`, { cause: err });
}

/** Socket error codes to OFFLINE (unreachable) or IO. */
export function netCode(code: string | undefined): StorageErrorCode {
  switch (code) {
    case 'ECONNREFUSED': case 'EHOSTUNREACH': case 'ENETUNREACH': case 'ENOTFOUND': case 'EAI_AGAIN':
    case 'ECONNRESET': case 'EPIPE': case 'ETIMEDOUT': case 'EADDRNOTAVAIL':
      return 'OFFLINE';
    default:
      return 'IO';
  }
}

/** True for statuses that mean the session is gone and a reconnect may help. */
export function isSessionGone(err: unknown): boolean {
  return err instanceof SmbStatusError
    && (err.status === Status.USER_SESSION_DELETED || err.status === Status.NETWORK_SESSION_EXPIRED);
}
