/**
 * LocalAdapter.openFile: a regular file for positioned reads, through the descriptor cache
 * (fd-cache.ts). Per call: one stat of the path; on a cache hit that is all, on a miss the
 * path is resolved with the adapter's containment check, opened, fstat'ed and its
 * filesystem typed. A hit on a local disk filesystem is checked by a synchronous stat (~2 us,
 * no threadpool hop; disk-fs.ts). Other hits with `early` are handed out at once and their
 * stat becomes `current`, so the caller can overlap it with its first read.
 */
import fs, { type Stats } from 'node:fs';
import { StorageError, type OpenedFile } from '../types.js';
import { printable } from '../path-safety.js';
import type { FdCache, FdLease } from './fd-cache.js';
import { fsTypeOf } from './disk-fs.js';
import { mapFsError } from './fs-errors.js';

const stat = (p: string): Promise<Stats> =>
  new Promise((resolve, reject) => fs.stat(p, (err, st) => (err ? reject(err) : resolve(st))));
const fstat = (fd: number): Promise<Stats> =>
  new Promise((resolve, reject) => fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st))));
const open = (p: string): Promise<number> =>
  new Promise((resolve, reject) => fs.open(p, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));

function refuseNonFile(st: Stats, norm: string): void {
  if (!st.isFile()) throw new StorageError('IS_DIR', `read ${printable(norm)}: ${st.isDirectory() ? 'is a directory' : 'not a regular file'}`);
}

export interface OpenFileDeps {
  cache: FdCache;
  /** Absolute path of `norm` under the root's real path (lexical, no symlinks resolved). */
  abs: string;
  norm: string;
  /** The real path of `norm`, refused with ESCAPE when it leaves the root. */
  resolveReal: () => Promise<string>;
  signal?: AbortSignal;
  /** Hand out a cached descriptor before its check; the check is `current` (types.ts). */
  early?: boolean;
}

export async function openCachedFile(d: OpenFileDeps): Promise<OpenedFile> {
  const cached = d.cache.peek(d.abs);
  if (cached && d.cache.checksInline(cached)) return checkInline(d, cached);
  if (cached && d.early) {
    const current = (async (): Promise<OpenedFile | undefined> => {
      const st = await statPath(d);
      if (d.cache.still(cached, st)) return undefined;
      return openChecked(d, st);
    })();
    current.catch(() => undefined); // the caller awaits it; never an unhandled rejection
    return positioned(cached, d.norm, current);
  }
  cached?.release(); // checked below: stat, then a validated lookup
  return openChecked(d, await statPath(d));
}

/** The stat of the path failed: its cached descriptor is forgotten, the error mapped. */
function statFailed(d: OpenFileDeps, err: unknown): Error {
  d.cache.invalidate(d.abs);
  return mapFsError(err, 'read', d.norm);
}

async function statPath(d: OpenFileDeps): Promise<Stats> {
  const st = await stat(d.abs).catch((err: unknown) => { throw statFailed(d, err); });
  refuseNonFile(st, d.norm); // before open(): opening a FIFO would block a threadpool thread
  return st;
}

/** statPath without the threadpool round trip (local disk filesystems only: disk-fs.ts). */
function statPathSync(d: OpenFileDeps): Stats {
  let st: Stats;
  try {
    st = fs.statSync(d.abs);
  } catch (err) {
    throw statFailed(d, err);
  }
  refuseNonFile(st, d.norm);
  return st;
}

/** A cached descriptor on a local disk filesystem: statPathSync + still, the same check inline. */
function checkInline(d: OpenFileDeps, lease: FdLease): Promise<OpenedFile> | OpenedFile {
  let st: Stats;
  try {
    st = statPathSync(d);
  } catch (err) {
    lease.release();
    throw err;
  }
  if (d.cache.still(lease, st)) return handOut(d, lease);
  lease.release();
  return openChecked(d, st);
}

/** The file `st` (a fresh stat of the path) describes: cached descriptor or a checked open. */
async function openChecked(d: OpenFileDeps, st: Stats): Promise<OpenedFile> {
  let lease = d.cache.lookup(d.abs, st);
  if (!lease) {
    const real = await d.resolveReal();
    let fd: number;
    try {
      fd = await open(real);
    } catch (err) {
      throw mapFsError(err, 'read', d.norm);
    }
    let fst: Stats;
    let fsType: number | undefined;
    try {
      [fst, fsType] = await Promise.all([fstat(fd), d.cache.wantsFsType ? fsTypeOf(real) : undefined]);
      refuseNonFile(fst, d.norm);
    } catch (err) {
      fs.close(fd, () => undefined);
      throw err instanceof StorageError ? err : mapFsError(err, 'read', d.norm);
    }
    lease = d.cache.insert(d.abs, fd, fst, fsType);
  }
  return handOut(d, lease);
}

/** The checked lease as an OpenedFile, unless the caller gave up meanwhile. */
function handOut(d: OpenFileDeps, lease: FdLease): OpenedFile {
  if (d.signal?.aborted) {
    lease.release();
    d.signal.throwIfAborted();
  }
  return positioned(lease, d.norm);
}

function positioned(lease: FdLease, norm: string, current?: Promise<OpenedFile | undefined>): OpenedFile {
  const { fd } = lease;
  return {
    size: lease.size,
    mtimeMs: lease.mtimeMs,
    read: (buffer, offset, length, position) => new Promise((resolve, reject) => {
      fs.read(fd, buffer, offset, length, position, (err, n) => (err ? reject(mapFsError(err, 'read', norm)) : resolve(n)));
    }),
    release: () => lease.release(),
    ...(current ? { current } : {}),
  };
}
