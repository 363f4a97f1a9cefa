/**
 * smb:// storage adapter: `smb://host[:port]/share[/base/path]` plus credentials.
 *
 * One multiplexed SMB2 connection per adapter, opened on first use. When it dies (server
 * gone, request timeout, session expired) every pending call fails at once and the next
 * call opens a fresh connection. See smb2-connection.ts for the protocol layer and why it
 * replaces node-smb2's client, smb-share.ts for the file operations.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { Readable as ReadableImpl } from 'node:stream';
import { mapLimit } from '../map-limit.js';
import { baseName, joinRel, normalizeRelPath, parentRel } from '../path-safety.js';
import { StorageError, type AdapterOptions, type ReadOptions, type StorageAdapter, type StorageEntry, type WriteOptions } from '../types.js';
import { Smb2Connection } from './smb2-connection.js';
import { SmbShare } from './smb-share.js';
import { SmbReadStream } from './smb-read.stream.js';
import { SmbWriteStream } from './smb-write.stream.js';
import { isSessionGone, toStorageError } from './smb-errors.js';
import { Access, CreateOpt, Disposition, type FileInfo } from './smb2-messages.js';
import { FileAttr } from './smb2-wire.js';

export const DEFAULT_SMB_PORT = 445;
export const DEFAULT_SMB_TIMEOUT_MS = 10_000;

export interface SmbLocation {
  host: string;
  port: number;
  share: string;
  /** Path inside the share the adapter is rooted at ('' for the share root). */
  base: string;
}

/** Split an smb: URL into host, port, share and base path (percent-decoded). */
export function parseSmbUrl(url: URL): SmbLocation {
  const parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const share = parts.shift();
  if (!url.hostname || !share) throw new StorageError('IO', 'smb: URL must name a host and a share, e.g. smb://nas/media');
  const base = normalizeRelPath(parts.join('/'));
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port ? Number(url.port) : DEFAULT_SMB_PORT, share, base };
}

export class SmbAdapter implements StorageAdapter {
  readonly scheme = 'smb';
  readonly displayUrl: string;
  private readonly loc: SmbLocation;
  private readonly timeoutMs: number;
  private current?: Promise<SmbShare>;
  private closed = false;

  constructor(private readonly options: AdapterOptions) {
    this.loc = parseSmbUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SMB_TIMEOUT_MS;
    const portPart = this.loc.port === DEFAULT_SMB_PORT ? '' : `:${this.loc.port}`;
    this.displayUrl = `smb://${this.loc.host}${portPart}/${[this.loc.share, this.loc.base].filter(Boolean).join('/')}`;
  }

  async list(path: string, signal?: AbortSignal): Promise<StorageEntry[]> {
    const rel = normalizeRelPath(path);
    signal?.throwIfAborted();
    const entries = await this.run('list', rel, (s) => s.list(this.full(rel)));
    return entries.map((e) => ({
      name: e.name, path: joinRel(rel, e.name), type: typeOf(e.attributes), size: e.isDir ? 0 : e.size, mtimeMs: e.mtimeMs,
    }));
  }

  async stat(path: string, signal?: AbortSignal): Promise<StorageEntry> {
    const rel = normalizeRelPath(path);
    signal?.throwIfAborted();
    const info = await this.run('stat', rel, (s) => s.stat(this.full(rel)));
    return entryOf(rel, info);
  }

  async createReadStream(path: string, options: ReadOptions = {}): Promise<Readable> {
    const rel = normalizeRelPath(path);
    options.signal?.throwIfAborted();
    const { share, info } = await this.run('read', rel, async (s) => ({
      share: s,
      info: await s.open(this.full(rel), {
        access: Access.READ_DATA | Access.READ_ATTRIBUTES | Access.SYNCHRONIZE,
        disposition: Disposition.OPEN,
        options: CreateOpt.NON_DIRECTORY_FILE,
      }),
    }));
    const start = Math.max(options.start ?? 0, 0);
    const endExclusive = Math.min(options.end === undefined ? info.size : options.end + 1, info.size);
    if (options.signal?.aborted || endExclusive <= start) {
      void share.close(info.fileId);
      options.signal?.throwIfAborted();
      return ReadableImpl.from([]);
    }
    return new SmbReadStream({
      share, fileId: info.fileId, path: rel, start, endExclusive, signal: options.signal, highWaterMark: options.highWaterMark,
    });
  }

  async createWriteStream(path: string, options: WriteOptions = {}): Promise<Writable> {
    const rel = normalizeRelPath(path);
    options.signal?.throwIfAborted();
    if (rel === '') throw new StorageError('IS_DIR', 'write /: is a directory');
    return this.run('write', rel, async (s) => {
      const existing = await s.stat(this.full(rel)).catch(() => undefined);
      if (existing?.isDir) throw new StorageError('IS_DIR', `write ${rel}: is a directory`);
      if (existing && !options.overwrite) throw new StorageError('EXISTS', `write ${rel}: already exists`);
      const temp = joinRel(parentRel(rel), `.${baseName(rel).slice(0, 120)}.${randomBytes(4).toString('hex')}.alcove-tmp`);
      const info = await s.createTemp(this.full(temp));
      return new SmbWriteStream({
        share: s, fileId: info.fileId, target: this.full(rel), path: rel, overwrite: options.overwrite === true,
        mtimeMs: options.mtimeMs, signal: options.signal,
      });
    });
  }

  async delete(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const rel = normalizeRelPath(path);
    if (rel === '') throw new StorageError('PERMISSION', 'delete /: the storage root cannot be deleted');
    await this.run('delete', rel, async (s) => {
      if (options.recursive && (await s.stat(this.full(rel))).isDir) await this.removeTree(s, this.full(rel));
      else await s.remove(this.full(rel));
    });
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const src = normalizeRelPath(from);
    const dst = normalizeRelPath(to);
    if (src === '' || dst === '') throw new StorageError('PERMISSION', 'rename: the storage root cannot be renamed');
    await this.run('rename', src, (s) => s.rename(this.full(src), this.full(dst), options.overwrite === true));
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const rel = normalizeRelPath(path);
    await this.run('mkdir', rel, (s) => (options.recursive ? this.mkdirs(s, rel) : s.mkdir(this.full(rel))));
  }

  async setMtime(path: string, mtimeMs: number): Promise<void> {
    const rel = normalizeRelPath(path);
    await this.run('setMtime', rel, (s) => s.setMtime(this.full(rel), mtimeMs));
  }

  /** Connects (if needed) and stats the root. */
  async ping(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const info = await this.run('ping', '', (s) => s.stat(this.full('')));
    if (!info.isDir) throw new StorageError('NOT_DIR', `${this.displayUrl} is not a directory`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const cur = this.current;
    this.current = undefined;
    const share = await cur?.catch(() => undefined);
    await share?.conn.close();
  }

  /** Test hook: the live connection's counters (interim replies dropped, requests sent). */
  async connectionStats(): Promise<{ interim: number; requests: number }> {
    return (await this.share()).conn.stats;
  }

  private full(rel: string): string {
    return this.loc.base === '' ? rel : rel === '' ? this.loc.base : `${this.loc.base}/${rel}`;
  }

  /** Run `fn` on a live share; one retry on a fresh connection when the session expired. */
  private async run<T>(op: string, rel: string, fn: (s: SmbShare) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(await this.share());
      } catch (err) {
        if (attempt === 0 && isSessionGone(err)) {
          const cur = await this.current?.catch(() => undefined);
          cur?.conn.destroy();
          continue;
        }
        throw toStorageError(err, op, rel);
      }
    }
  }

  /** The live share, connecting when there is none (or the last one died). */
  private async share(): Promise<SmbShare> {
    if (this.closed) throw new StorageError('IO', `${this.displayUrl}: adapter closed`);
    const cur = this.current;
    if (cur) {
      const s = await cur.catch(() => undefined);
      if (s?.alive) return s;
      if (this.current === cur) this.current = undefined;
    }
    if (!this.current) {
      const attempt = this.connect();
      this.current = attempt;
      attempt.catch(() => {
        if (this.current === attempt) this.current = undefined;
      });
    }
    return this.current;
  }

  private async connect(): Promise<SmbShare> {
    const c = this.options.credentials ?? {};
    const conn = await Smb2Connection.open({
      host: this.loc.host, port: this.loc.port, timeoutMs: this.timeoutMs,
      username: c.username ?? '', password: c.password ?? '', domain: c.domain,
    });
    try {
      return new SmbShare(conn, await conn.treeConnect(this.loc.share));
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  private async mkdirs(s: SmbShare, rel: string): Promise<void> {
    if (rel === '') return;
    try {
      await s.mkdir(this.full(rel));
    } catch (err) {
      const mapped = toStorageError(err, 'mkdir', rel);
      if (mapped.code === 'EXISTS') {
        if ((await s.stat(this.full(rel))).isDir) return;
        throw mapped;
      }
      if (mapped.code !== 'NOT_FOUND') throw mapped;
      await this.mkdirs(s, parentRel(rel));
      await s.mkdir(this.full(rel)).catch(async (again: unknown) => {
        // Lost a race with another creator: fine if it is a directory now.
        if (!(await s.stat(this.full(rel)).catch(() => undefined))?.isDir) throw again;
      });
    }
  }

  private async removeTree(s: SmbShare, full: string): Promise<void> {
    const entries = await s.list(full);
    await mapLimit(entries, 8, (e) => (e.isDir ? this.removeTree(s, `${full}/${e.name}`) : s.remove(`${full}/${e.name}`)));
    await s.remove(full);
  }
}

function typeOf(attributes: number): StorageEntry['type'] {
  if (attributes & FileAttr.DIRECTORY) return 'dir';
  if (attributes & FileAttr.REPARSE_POINT) return 'other';
  return 'file';
}

function entryOf(rel: string, info: FileInfo): StorageEntry {
  return { name: baseName(rel), path: rel, type: typeOf(info.attributes), size: info.isDir ? 0 : info.size, mtimeMs: info.mtimeMs };
}

/** Factory for the adapter registry (`registry.register('smb', createSmbAdapter)`). */
export function createSmbAdapter(options: AdapterOptions): StorageAdapter {
  return new SmbAdapter(options);
}
