/**
 * The storage interface every adapter implements (file:, smb:, ftp:, webdav:, memory:).
 *
 * Contract (checked by storage-adapters/contract.ts against every adapter):
 * - Paths are relative to the adapter's root, '/'-separated, without a leading slash;
 *   '' is the root itself. An adapter never touches anything outside its root: '..'
 *   segments, NUL bytes, absolute paths and (local) symlinks that resolve outside the root
 *   are refused with StorageError('ESCAPE').
 * - Ranged reads are streams, never whole-file buffers, and honour backpressure. `end` is
 *   inclusive (HTTP Range semantics). An aborted signal destroys the stream.
 * - Writes go to a temporary name and are renamed into place when the stream finishes,
 *   so a failed write never leaves a partial file under the final name.
 * - Every failure is a StorageError with a typed code; messages never contain credentials.
 */
import type { Readable, Writable } from 'node:stream';

export type StorageErrorCode =
  | 'NOT_FOUND'     // no such file or directory
  | 'NOT_DIR'       // expected a directory
  | 'IS_DIR'        // expected a file
  | 'EXISTS'        // target exists and overwrite was not asked
  | 'PERMISSION'    // access denied
  | 'ESCAPE'        // path would leave the root (traversal, symlink escape, NUL)
  | 'OFFLINE'       // root unreachable (connection refused, host down, share gone)
  | 'TIMEOUT'       // the server stopped answering
  | 'UNSUPPORTED'   // operation or server security settings not supported
  | 'AUTH'          // credentials refused
  | 'IO';           // anything else

export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export interface StorageEntry {
  /** Base name. */
  name: string;
  /** Path relative to the adapter root. */
  path: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  mtimeMs: number;
}

export interface ReadOptions {
  /** First byte (inclusive), default 0. */
  start?: number;
  /** Last byte (inclusive), default end of file. */
  end?: number;
  signal?: AbortSignal;
  /** Preferred chunk size; adapters may use their own. */
  highWaterMark?: number;
}

/**
 * A file opened for positioned reads (StorageAdapter.openFile): size and mtime as of the
 * open, and reads straight into the caller's buffer (no stream, no per-read allocation).
 */
export interface OpenedFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves with the count (0 at end of file). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Done with the file (call exactly once, after the last read settled). */
  release(): void;
  /**
   * Only on a file opened with `{ early: true }` and handed out before its check: resolves
   * undefined when the path still names this file, or with the file it names now (then this
   * one must be released and nothing read from it served); rejects as openFile would
   * (NOT_FOUND for a deleted file, ...). Nothing may be sent before it settled.
   */
  readonly current?: Promise<OpenedFile | undefined>;
}

export interface WriteOptions {
  overwrite?: boolean;
  signal?: AbortSignal;
  /** Set the file's mtime after writing (ms). */
  mtimeMs?: number;
}

export interface StorageAdapter {
  /** URL scheme this adapter serves ('file', 'smb', ...). */
  readonly scheme: string;
  /** Credential-free description for logs, e.g. 'smb://nas:445/media'. */
  readonly displayUrl: string;

  /** Entries of one directory (not recursive), in no particular order. */
  list(path: string, signal?: AbortSignal): Promise<StorageEntry[]>;
  stat(path: string, signal?: AbortSignal): Promise<StorageEntry>;
  /** A readable stream of [start, end]. Errors surface on the stream within about a second. */
  createReadStream(path: string, options?: ReadOptions): Promise<Readable>;
  /**
   * Optional fast path for serving bytes (local disks): the regular file at `path`, opened
   * and checked like createReadStream (ESCAPE, NOT_FOUND, IS_DIR for anything but a regular
   * file). What it reads is the file the path names at the time of the call, never an
   * earlier file that was replaced or deleted. With `early`, a cached file may come back
   * before that check, which is then the result's `current` (awaited before sending).
   */
  openFile?(path: string, signal?: AbortSignal, options?: { early?: boolean }): Promise<OpenedFile>;
  /** A writable stream; the file appears under `path` only once the stream has finished. */
  createWriteStream(path: string, options?: WriteOptions): Promise<Writable>;
  /**
   * Delete a file, a symlink (never its target) or an empty directory; with
   * `recursive`, a directory tree. The root itself cannot be deleted (PERMISSION).
   */
  delete(path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Set a file's modification time (ms). Adapters that cannot do it throw UNSUPPORTED. */
  setMtime?(path: string, mtimeMs: number): Promise<void>;
  /**
   * Watch a directory tree. `onChange` gets the relative path of the directory whose
   * contents changed (debouncing is the caller's job). Absent on adapters that cannot watch.
   */
  watch?(path: string, onChange: (dirPath: string) => void, onError?: (err: Error) => void): () => void;
  /** Absolute local filesystem path for `path`, when the bytes are on a local disk (lets ffmpeg and sharp read directly). */
  localPath?(path: string): string | undefined;
  /** Cheap reachability check (connect + stat of the root). Throws OFFLINE/AUTH/UNSUPPORTED. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Credentials split off a URL; kept encrypted in the index, never logged. */
export interface StorageCredentials {
  username?: string;
  password?: string;
  domain?: string;
}

export interface AdapterOptions {
  /** Credential-free URL. */
  url: URL;
  credentials?: StorageCredentials;
  /** Request timeout for remote adapters (ms). */
  timeoutMs?: number;
}

export type AdapterFactory = (options: AdapterOptions) => StorageAdapter;
