/**
 * Relative-path validation shared by every adapter.
 *
 * Contract: `normalizeRelPath` turns a caller's path into the canonical relative form
 * ('a/b/c', '' for the root) or throws StorageError('ESCAPE') when the path could leave
 * the root. It is purely lexical: symlink checks are the local adapter's job.
 */
import { StorageError } from './types.js';

/**
 * Canonical relative path. Empty and '.' segments and a trailing slash are dropped.
 * Refused (ESCAPE): NUL bytes, a leading '/' or '\' (absolute), a drive prefix ('C:'),
 * and any '..' segment, where backslashes count as separators too so '..\\x' cannot
 * slip through to a server (SMB) that treats '\' as one.
 */
export function normalizeRelPath(input: string): string {
  if (typeof input !== 'string') throw new StorageError('ESCAPE', 'path must be a string');
  if (input.includes('\0')) throw new StorageError('ESCAPE', 'path contains a NUL byte');
  if (input.startsWith('/') || input.startsWith('\\') || /^[a-zA-Z]:/.test(input)) {
    throw new StorageError('ESCAPE', `absolute path refused: ${printable(input)}`);
  }
  const parts = input.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part.split('\\').some((p) => p === '..')) {
      throw new StorageError('ESCAPE', `path leaves the storage root: ${printable(input)}`);
    }
    out.push(part);
  }
  return out.join('/');
}

/** Join a normalized directory path and a base name. */
export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Parent of a normalized path ('' for top-level entries and the root). */
export function parentRel(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Base name of a normalized path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Shows a path in an error message; '' reads as the root. */
export function printable(path: string): string {
  return path === '' ? '/' : JSON.stringify(path).slice(1, -1);
}

/**
 * The inclusive byte range a read asks for, validated the same way by every adapter:
 * start defaults to 0, end to "to the end of the file" (undefined). A negative, fractional
 * or inverted range is refused with StorageError('IO').
 */
export function readRange(norm: string, options: { start?: number; end?: number }): { start: number; end?: number } {
  const start = options.start ?? 0;
  const end = options.end;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new StorageError('IO', `read ${printable(norm)}: invalid range ${start}-${end ?? ''}`);
  }
  return { start, end };
}
