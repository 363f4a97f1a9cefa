/**
 * A small cache of open file descriptors for files served over HTTP (LocalAdapter.openFile).
 *
 * Why: a ranged GET of a hot file otherwise pays realpath, open, fstat and close (four
 * threadpool hops of ~30-60 us) around one read. A hit costs one stat of the path, which is
 * also the validation (made inline, without a threadpool hop, for entries on local disks:
 * `inline`, disk-fs.ts):
 * - an entry keeps dev, ino, size, mtime and ctime from the fstat of its descriptor;
 * - a stat of the path (symlinks followed) that differs in any of them (file replaced by a
 *   rename, rewritten, truncated, a link re-pointed) retires the entry: it is closed once the
 *   answers still reading it are done, and the caller resolves and opens the path afresh
 *   (with its symlink containment check). Same dev and ino means the very file object that
 *   check admitted, so a hit needs no realpath. A missing path is the caller's NOT_FOUND:
 *   no old bytes are ever served for a replaced or deleted file;
 * - at most `maxEntries` descriptors are cached, least recently used evicted first; when
 *   every one is in use a new descriptor is handed out uncached (closed on release), so the
 *   count stays bounded by the cache size plus the answers in flight;
 * - entries unused for `idleMs` are closed by an unref'd sweep timer (running only while
 *   the cache holds something), and close() closes everything not in use.
 */
import fs, { type Stats } from 'node:fs';
import { isLocalDiskFs } from './disk-fs.js';

export interface FdCacheOptions {
  /** Descriptors kept open (default 64). */
  maxEntries?: number;
  /** Close descriptors unused for this long (default 10 s). */
  idleMs?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
  /**
   * Which entries may be checked by a synchronous stat on the event loop: 'auto' (default)
   * those on a local disk filesystem (disk-fs.ts), 'never' or 'always' (tests).
   */
  inlineChecks?: 'auto' | 'never' | 'always';
}

/** One reference to an open descriptor; `release` exactly once, after the last read. */
export interface FdLease {
  readonly fd: number;
  readonly size: number;
  readonly mtimeMs: number;
  release(): void;
}

interface Entry {
  key: string;
  fd: number;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  refs: number;
  lastUsed: number;
  /** Out of the map: close when the last reference goes. */
  retired: boolean;
  /** Its check may be a synchronous stat (a local disk filesystem). */
  inline: boolean;
}

export const FD_CACHE_MAX = 64;
export const FD_CACHE_IDLE_MS = 10_000;

export class FdCache {
  /** Map order is recency order: a hit re-inserts its entry at the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly inlineChecks: 'auto' | 'never' | 'always';
  private sweeper?: NodeJS.Timeout;
  /** Descriptors open now (cached, retired-but-in-use, uncached): for tests and metrics. */
  openCount = 0;

  constructor(o: FdCacheOptions = {}) {
    this.maxEntries = Math.max(0, o.maxEntries ?? FD_CACHE_MAX);
    this.idleMs = o.idleMs ?? FD_CACHE_IDLE_MS;
    this.now = o.now ?? Date.now;
    this.inlineChecks = o.inlineChecks ?? 'auto';
  }

  /** Whether insert() needs the file's filesystem type (statfs) to decide on inline checks. */
  get wantsFsType(): boolean { return this.inlineChecks === 'auto'; }

  /** Entries cached now. */
  get size(): number { return this.entries.size; }

  /** A lease on the cached descriptor for `key` if it still matches `st`; a stale entry is retired. */
  lookup(key: string, st: Stats): FdLease | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (!this.check(e, st)) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return this.lease(e);
  }

  /**
   * A lease on the cached descriptor for `key` WITHOUT validation, for callers that stat the
   * path in parallel with their first read and then call `still(lease, st)`.
   */
  peek(key: string): FdLease | undefined {
    const e = this.entries.get(key);
    return e ? this.lease(e) : undefined;
  }

  /** Whether the lease's entry may be checked by a synchronous stat of its path (insert's `inline`). */
  checksInline(lease: FdLease): boolean {
    return this.leased.get(lease)?.inline === true;
  }

  /** Whether `st` (a fresh stat of the lease's path) still describes the leased file; a stale entry is retired. */
  still(lease: FdLease, st: Stats): boolean {
    const e = this.leased.get(lease);
    return e !== undefined && !e.retired && this.check(e, st);
  }

  private check(e: Entry, st: Stats): boolean {
    if (e.dev === st.dev && e.ino === st.ino && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs) return true;
    this.retire(e);
    return false;
  }

  /**
   * Take over a freshly opened descriptor (`st` from its fstat) and hand out the first
   * lease. It replaces any entry for `key`; when the cache is full of entries in use it
   * stays uncached and is closed on release. `fsType` (statfs, when wantsFsType): on a
   * local disk filesystem later checks of this entry may be a synchronous stat.
   */
  insert(key: string, fd: number, st: Stats, fsType?: number): FdLease {
    const inline = this.inlineChecks === 'always' || (this.inlineChecks === 'auto' && fsType !== undefined && isLocalDiskFs(fsType));
    const e: Entry = {
      key, fd, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs,
      refs: 0, lastUsed: this.now(), retired: true, inline,
    };
    this.openCount++;
    const old = this.entries.get(key);
    if (old) this.retire(old);
    if (this.makeRoom()) {
      e.retired = false;
      this.entries.set(key, e);
      this.startSweeper();
    }
    return this.lease(e);
  }

  /** Forget `key` (its file is gone): closed now, or when its last lease is released. */
  invalidate(key: string): void {
    const e = this.entries.get(key);
    if (e) this.retire(e);
  }

  /** Close entries unused for idleMs (the timer calls this; public for tests). */
  sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const e of [...this.entries.values()]) {
      if (e.refs === 0 && e.lastUsed <= cutoff) this.retire(e);
    }
    if (this.entries.size === 0) this.stopSweeper();
  }

  /** Close every descriptor not in use; those in use close on release. */
  close(): void {
    for (const e of [...this.entries.values()]) this.retire(e);
    this.stopSweeper();
  }

  private readonly leased = new WeakMap<FdLease, Entry>();

  private lease(e: Entry): FdLease {
    e.refs++;
    let released = false;
    const lease: FdLease = {
      fd: e.fd, size: e.size, mtimeMs: e.mtimeMs,
      release: () => {
        if (released) return;
        released = true;
        e.refs--;
        e.lastUsed = this.now();
        if (e.retired && e.refs === 0) this.closeFd(e);
      },
    };
    this.leased.set(lease, e);
    return lease;
  }

  /** Evict least recently used idle entries until one more fits; false when all are in use. */
  private makeRoom(): boolean {
    if (this.entries.size < this.maxEntries) return true;
    for (const e of this.entries.values()) {
      if (e.refs === 0) {
        this.retire(e);
        if (this.entries.size < this.maxEntries) return true;
      }
    }
    return this.entries.size < this.maxEntries;
  }

  private retire(e: Entry): void {
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    e.retired = true;
    if (e.refs === 0) this.closeFd(e);
  }

  private closeFd(e: Entry): void {
    if (e.fd < 0) return;
    const fd = e.fd;
    e.fd = -1;
    this.openCount--;
    fs.close(fd, () => undefined);
  }

  private startSweeper(): void {
    if (this.sweeper || this.idleMs <= 0) return;
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, this.idleMs / 2));
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
