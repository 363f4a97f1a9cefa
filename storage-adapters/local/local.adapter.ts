/**
 * The `file:` adapter: a directory on a local disk (or a mount) over node:fs/promises.
 *
 * Safety: every path is normalized lexically (path-safety.ts) and then resolved with
 * realpath; anything that resolves outside the root's real path is refused with ESCAPE,
 * so symlinks inside the root work and symlinks out of it do not. Entries that are
 * created, renamed or deleted are resolved through their parent's real path, so the
 * operation acts on the link itself, never on what an outside link points to.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { addAbortSignal, type Readable, type Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Dirent, Stats } from 'node:fs';
import {
  StorageError,
  type AdapterOptions, type OpenedFile, type ReadOptions, type StorageAdapter, type StorageEntry, type WriteOptions,
} from '../types.js';
import { baseName, joinRel, normalizeRelPath, parentRel, printable, readRange } from '../path-safety.js';
import { mapLimit } from '../map-limit.js';
import { errnoOf, mapFsError } from './fs-errors.js';
import { AtomicWriteStream } from './atomic-write.stream.js';
import { watchTree } from './tree-watcher.js';
import { lstatBatch } from './stat-batch.js';
import { FdCache, type FdCacheOptions } from './fd-cache.js';
import { openCachedFile } from './open-file.js';

/** Default read chunk: large chunks keep syscalls and stream overhead low for media. */
export const LOCAL_READ_CHUNK = 512 * 1024;
/** stat() calls in flight per list(). */
const LIST_PARALLEL = 32;
/** Temporary files of in-progress writes; hidden from list(). */
const TMP_RE = /^\..+\.alcove-tmp-[0-9a-f]+$/;

export class LocalAdapter implements StorageAdapter {
  readonly scheme = 'file';
  readonly displayUrl: string;
  /** Absolute, normalized root as configured (may itself be or contain a symlink). */
  readonly root: string;
  private rootReal?: string;
  private readonly stops = new Set<() => void>();
  /** Open descriptors of recently served files (openFile). */
  readonly fds: FdCache;

  constructor(root: string, options: { fdCache?: FdCacheOptions } = {}) {
    if (!path.isAbsolute(root)) throw new StorageError('IO', 'local storage root must be an absolute path');
    this.root = path.resolve(root);
    this.displayUrl = decodeURI(pathToFileURL(this.root).href);
    this.fds = new FdCache(options.fdCache);
  }

  async list(rel: string, signal?: AbortSignal): Promise<StorageEntry[]> {
    const { norm, real } = await this.resolveExisting(rel, 'list');
    let dirents: Dirent[];
    try {
      dirents = await fs.readdir(real, { withFileTypes: true });
    } catch (err) {
      throw mapFsError(err, 'list', norm);
    }
    signal?.throwIfAborted();
    const rootReal = await this.realRoot();
    const visible = dirents.filter((d) => !TMP_RE.test(d.name));
    const plain = visible.filter((d) => !d.isSymbolicLink());
    const links = visible.filter((d) => d.isSymbolicLink());
    const stats = await lstatBatch(plain.map((d) => path.join(real, d.name)), LIST_PARALLEL);
    const entries: StorageEntry[] = [];
    plain.forEach((d, i) => {
      const st = stats[i];
      if (st) entries.push(toEntry(d.name, joinRel(norm, d.name), st)); // else: vanished since readdir
    });
    // Symlinks are rare: resolve each and keep only those that stay inside the root.
    const linked = await mapLimit(links, LIST_PARALLEL, async (d) => {
      try {
        const target = await fs.realpath(path.join(real, d.name));
        if (!isInside(target, rootReal)) return undefined; // escaping link: not part of the tree
        return toEntry(d.name, joinRel(norm, d.name), await fs.stat(target));
      } catch {
        return undefined; // dangling link
      }
    }, signal);
    for (const e of linked) if (e) entries.push(e);
    return entries;
  }

  async stat(rel: string): Promise<StorageEntry> {
    const { norm, real } = await this.resolveExisting(rel, 'stat');
    try {
      return toEntry(baseName(norm), norm, await fs.stat(real));
    } catch (err) {
      throw mapFsError(err, 'stat', norm);
    }
  }

  async createReadStream(rel: string, options: ReadOptions = {}): Promise<Readable> {
    options.signal?.throwIfAborted();
    const { norm, real } = await this.resolveExisting(rel, 'read');
    const { start, end } = readRange(norm, options);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(real, 'r');
      if ((await handle.stat()).isDirectory()) throw new StorageError('IS_DIR', `read ${printable(norm)}: is a directory`);
    } catch (err) {
      await handle?.close().catch(() => undefined);
      throw mapFsError(err, 'read', norm);
    }
    if (options.signal?.aborted) {
      // Aborted while opening: addAbortSignal would destroy the new stream with an
      // AbortError emitted to no listener yet (an uncaught exception). Reject instead.
      await handle.close().catch(() => undefined);
      options.signal.throwIfAborted();
    }
    const stream = handle.createReadStream({
      start, end, highWaterMark: options.highWaterMark ?? LOCAL_READ_CHUNK, autoClose: true,
    });
    // Mid-stream failures (EIO on a dying disk) surface as StorageErrors too: fs streams
    // emit whatever error reaches _destroy's callback, so map it on the way through.
    const destroy = stream._destroy.bind(stream);
    stream._destroy = (err, cb) => destroy(err ? mapFsError(err, 'read', norm) : err, cb);
    if (options.signal) addAbortSignal(options.signal, stream);
    return stream;
  }

  /** Positioned reads through the descriptor cache (open-file.ts, fd-cache.ts). */
  async openFile(rel: string, signal?: AbortSignal, options: { early?: boolean } = {}): Promise<OpenedFile> {
    signal?.throwIfAborted();
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('IS_DIR', 'read /: is a directory');
    const abs = path.join(await this.realRoot(), norm);
    return openCachedFile({
      cache: this.fds, abs, norm, signal, early: options.early,
      resolveReal: async () => (await this.resolveExisting(norm, 'read')).real,
    });
  }

  async createWriteStream(rel: string, options: WriteOptions = {}): Promise<Writable> {
    options.signal?.throwIfAborted();
    const { norm, abs } = await this.resolveChild(rel, 'write');
    const existing = await fs.lstat(abs).catch(() => undefined);
    if (existing?.isDirectory()) throw new StorageError('IS_DIR', `write ${printable(norm)}: is a directory`);
    if (existing && !options.overwrite) throw new StorageError('EXISTS', `write ${printable(norm)}: already exists`);
    const tmpPath = path.join(path.dirname(abs), `.${path.basename(abs)}.alcove-tmp-${randomBytes(6).toString('hex')}`);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(tmpPath, 'wx');
    } catch (err) {
      throw mapFsError(err, 'write', norm);
    }
    const stream = new AtomicWriteStream({
      handle, tmpPath, finalPath: abs, rel: printable(norm), overwrite: options.overwrite === true, mtimeMs: options.mtimeMs,
    });
    if (options.signal) addAbortSignal(options.signal, stream);
    return stream;
  }

  /** Deletes a file, a symlink (not its target) or an empty directory; `recursive` removes a tree. */
  async delete(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const { norm, abs } = await this.resolveChild(rel, 'delete');
    try {
      const st = await fs.lstat(abs);
      if (!st.isDirectory()) await fs.unlink(abs);
      else if (options.recursive) await fs.rm(abs, { recursive: true });
      else await fs.rmdir(abs);
    } catch (err) {
      throw mapFsError(err, 'delete', norm);
    }
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const src = await this.resolveChild(from, 'rename');
    const dst = await this.resolveChild(to, 'rename');
    if (src.abs === dst.abs) return;
    try {
      await fs.lstat(src.abs);
    } catch (err) {
      throw mapFsError(err, 'rename', src.norm);
    }
    const exists = await fs.lstat(dst.abs).then(() => true, () => false);
    if (exists && !options.overwrite) throw new StorageError('EXISTS', `rename to ${printable(dst.norm)}: already exists`);
    try {
      await fs.rename(src.abs, dst.abs);
    } catch (err) {
      throw mapFsError(err, 'rename', errnoOf(err) === 'ENOENT' ? src.norm : dst.norm);
    }
  }

  async mkdir(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = normalizeRelPath(rel);
    if (!options.recursive) {
      const { abs } = await this.resolveChild(norm, 'mkdir');
      try {
        await fs.mkdir(abs);
      } catch (err) {
        throw mapFsError(err, 'mkdir', norm);
      }
      return;
    }
    // Walk down through existing (real) directories, then create the rest beneath the last one.
    const segs = norm === '' ? [] : norm.split('/');
    let real = await this.realRoot();
    for (let i = 0; i < segs.length; i++) {
      const candidate = path.join(real, segs[i] as string);
      try {
        real = await fs.realpath(candidate);
      } catch (err) {
        if (errnoOf(err) !== 'ENOENT') throw mapFsError(err, 'mkdir', norm);
        try {
          await fs.mkdir(path.join(candidate, ...segs.slice(i + 1)), { recursive: true });
        } catch (err2) {
          throw mapFsError(err2, 'mkdir', norm);
        }
        return;
      }
      this.assertInside(real, await this.realRoot(), 'mkdir', norm);
    }
    const st = await fs.stat(real);
    if (!st.isDirectory()) throw new StorageError('EXISTS', `mkdir ${printable(norm)}: a file has that name`);
  }

  async setMtime(rel: string, mtimeMs: number): Promise<void> {
    const { norm, real } = await this.resolveExisting(rel, 'setMtime');
    try {
      const st = await fs.stat(real);
      await fs.utimes(real, st.atime, mtimeMs / 1000);
    } catch (err) {
      throw mapFsError(err, 'setMtime', norm);
    }
  }

  watch(rel: string, onChange: (dirPath: string) => void, onError?: (err: Error) => void): () => void {
    const norm = normalizeRelPath(rel);
    const stop = watchTree(
      path.join(this.root, norm),
      (absDir) => onChange(path.relative(this.root, absDir).split(path.sep).join('/')),
      (err) => onError?.(mapFsError(err, 'watch', norm)),
    );
    this.stops.add(stop);
    return () => {
      this.stops.delete(stop);
      stop();
    };
  }

  /**
   * Absolute path for `rel` (lexical: no filesystem access, so no symlink check; callers
   * pass paths they got from list/stat, which already refused escaping links).
   */
  localPath(rel: string): string {
    return path.join(this.root, normalizeRelPath(rel));
  }

  async ping(): Promise<void> {
    try {
      const st = await fs.stat(this.root);
      if (!st.isDirectory()) throw new StorageError('OFFLINE', `storage root ${this.displayUrl} is not a directory`);
      await fs.access(this.root, fs.constants.R_OK | fs.constants.X_OK);
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const errno = errnoOf(err);
      if (errno === 'EACCES' || errno === 'EPERM') {
        throw new StorageError('PERMISSION', `storage root ${this.displayUrl} is not readable`, { cause: err });
      }
      throw new StorageError('OFFLINE', `storage root ${this.displayUrl} is not available (${errno === 'ENOENT' ? 'does not exist' : errno ?? 'error'})`, { cause: err });
    }
  }

  async close(): Promise<void> {
    for (const stop of this.stops) stop();
    this.stops.clear();
    this.fds.close();
  }

  // ---- path resolution -------------------------------------------------------------

  private async realRoot(): Promise<string> {
    if (this.rootReal) return this.rootReal;
    try {
      this.rootReal = await fs.realpath(this.root);
      return this.rootReal;
    } catch (err) {
      throw new StorageError('OFFLINE', `storage root ${this.displayUrl} is not available`, { cause: err });
    }
  }

  /** An existing entry, symlinks followed; refuses targets outside the root. */
  private async resolveExisting(rel: string, op: string): Promise<{ norm: string; real: string }> {
    const norm = normalizeRelPath(rel);
    const rootReal = await this.realRoot();
    if (norm === '') return { norm, real: rootReal };
    let real: string;
    try {
      real = await fs.realpath(path.join(rootReal, norm));
    } catch (err) {
      throw mapFsError(err, op, norm);
    }
    this.assertInside(real, rootReal, op, norm);
    return { norm, real };
  }

  /** An entry to create/replace/remove: its parent resolved (must exist, inside), the last component not followed. */
  private async resolveChild(rel: string, op: string): Promise<{ norm: string; abs: string }> {
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('PERMISSION', `${op} /: not allowed on the storage root`);
    const parent = await this.resolveExisting(parentRel(norm), op);
    return { norm, abs: path.join(parent.real, baseName(norm)) };
  }

  private assertInside(real: string, rootReal: string, op: string, norm: string): void {
    if (!isInside(real, rootReal)) {
      throw new StorageError('ESCAPE', `${op} ${printable(norm)}: a symlink leads outside the storage root`);
    }
  }
}

function isInside(real: string, rootReal: string): boolean {
  if (rootReal === path.sep) return true;
  return real === rootReal || real.startsWith(rootReal + path.sep);
}

function toEntry(name: string, rel: string, st: Stats): StorageEntry {
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  return { name, path: rel, type, size: type === 'file' ? st.size : 0, mtimeMs: st.mtimeMs };
}

/** Registry factory: `file:///abs/path`. */
export function createLocalAdapter(options: AdapterOptions): StorageAdapter {
  if (options.url.protocol !== 'file:') throw new StorageError('UNSUPPORTED', `not a file: URL (${options.url.protocol})`);
  return new LocalAdapter(fileURLToPath(options.url));
}
