/**
 * errno -> StorageError mapping for the local adapter. Node's own messages carry
 * absolute paths; ours carry the path relative to the root only.
 */
import { StorageError, type StorageErrorCode } from '../types.js';
import { printable } from '../path-safety.js';

const CODES: Record<string, StorageErrorCode> = {
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_DIR',
  EISDIR: 'IS_DIR',
  EEXIST: 'EXISTS',
  ENOTEMPTY: 'IO',
  EACCES: 'PERMISSION',
  EPERM: 'PERMISSION',
  EROFS: 'PERMISSION',
  ELOOP: 'IO',
};

const TEXT: Record<StorageErrorCode, string> = {
  NOT_FOUND: 'not found',
  NOT_DIR: 'not a directory',
  IS_DIR: 'is a directory',
  EXISTS: 'already exists',
  PERMISSION: 'permission denied',
  ESCAPE: 'path leaves the storage root',
  OFFLINE: 'storage offline',
  TIMEOUT: 'timed out',
  UNSUPPORTED: 'not supported',
  AUTH: 'credentials refused',
  IO: 'i/o error',
};

/** The errno string of a Node system error, if any. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Wrap any error from node:fs as a StorageError about `rel` (a root-relative path).
 * StorageErrors and AbortErrors pass through unchanged.
 */
export function mapFsError(err: unknown, op: string, rel: string): Error {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const errno = errnoOf(err) ?? 'UNKNOWN';
  const code = CODES[errno] ?? 'IO';
  const detail = errno === 'ENOTEMPTY' ? 'directory not empty' : code === 'IO' ? `${TEXT.IO} (${errno})` : TEXT[code];
  return new StorageError(code, `${op} ${printable(rel)}: ${detail}`, { cause: err });
}
