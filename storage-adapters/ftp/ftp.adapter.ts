/**
 * The `ftp:` / `ftps:` adapter (explicit FTPS: AUTH TLS, PROT P) over basic-ftp.
 *
 * URL: `ftp://host[:port]/path`; the path is absolute on the server (as most clients
 * treat it) and becomes the adapter root. Credentials come in AdapterOptions.credentials.
 *
 * What basic-ftp alone gets wrong, and how this adapter deals with it (TESTING.md):
 * - one command at a time per Client: a pool of `poolSize` connections (ftp-pool.ts);
 * - no ranged read: REST + RETR, and when the range ends early the connection is dropped
 *   and replaced instead of reading to EOF (ftp-read.stream.ts);
 * - listing and stat: MLSD/MLST facts parsed here (second-precision mtimes); servers
 *   without MLST (vsftpd) get CWD + LIST (Unix or DOS style) with MDTM for exact file
 *   mtimes (ftp-list.ops.ts);
 * - timeouts and lost connections: a closed Client is never reused; the next call
 *   reconnects.
 * Writes are atomic: STOR to a hidden temp name, RNFR/RNTO into place (ftp-write.stream.ts).
 * setMtime uses MFMT where the server has it, else UNSUPPORTED.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../daemon/log/logger.js';
import {
  StorageError, type AdapterOptions, type ReadOptions, type StorageAdapter, type StorageEntry, type WriteOptions,
} from '../types.js';
import { baseName, joinRel, normalizeRelPath, parentRel, printable, readRange } from '../path-safety.js';
import { FtpConnection } from './ftp-connection.js';
import { ConnectionPool, type PoolStats } from './ftp-pool.js';
import { ftpCode, mapFtpError } from './ftp-errors.js';
import { formatMlsxTime } from './ftp-listing.js';
import { openRangeRead } from './ftp-read.stream.js';
import { FtpWriteStream } from './ftp-write.stream.js';
import { FtpListOps, TMP_RE } from './ftp-list.ops.js';

export interface FtpAdapterOptions extends AdapterOptions {
  /** Control connections at most (default 3). */
  poolSize?: number;
  /** Use CWD + LIST even when the server has MLSD/MLST (tests the fallback). */
  forceList?: boolean;
  /** TLS options for ftps: (ca for a self-signed server, servername, ...). */
  tls?: ConnectionOptions;
  logger?: Logger;
}

export const FTP_DEFAULT_TIMEOUT_MS = 10_000;
export const FTP_DEFAULT_POOL_SIZE = 3;
const READ_CHUNK = 512 * 1024;

export class FtpAdapter implements StorageAdapter {
  readonly scheme: 'ftp' | 'ftps';
  readonly displayUrl: string;
  /** Server-side absolute path of the root ('/' or '/a/b'). */
  readonly rootPath: string;
  private readonly pool: ConnectionPool<FtpConnection>;
  private readonly ops: FtpListOps;
  private readonly secret: string | undefined;

  constructor(private readonly o: FtpAdapterOptions) {
    const proto = o.url.protocol.replace(/:$/, '').toLowerCase();
    if (proto !== 'ftp' && proto !== 'ftps') throw new StorageError('UNSUPPORTED', `not an ftp: URL (${o.url.protocol})`);
    this.scheme = proto;
    const host = o.url.hostname.replace(/^\[|\]$/g, '');
    const port = o.url.port ? Number(o.url.port) : 21;
    const segs = o.url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    this.rootPath = `/${segs.join('/')}`;
    this.displayUrl = `${proto}://${o.url.host}${this.rootPath === '/' ? '' : this.rootPath}`;
    // Scrub only passwords long enough not to mangle every message (short ones: nothing to find).
    this.secret = (o.credentials?.password?.length ?? 0) >= 3 ? o.credentials?.password : undefined;
    const timeoutMs = o.timeoutMs ?? FTP_DEFAULT_TIMEOUT_MS;
    const connect = {
      host, port, timeoutMs, secure: proto === 'ftps', ...(o.tls ? { tls: o.tls } : {}),
      user: o.credentials?.username ?? 'anonymous', password: o.credentials?.password ?? 'anonymous@',
    };
    const log = o.logger?.child({ component: 'storage-ftp', url: this.displayUrl });
    this.pool = new ConnectionPool<FtpConnection>(
      async (signal) => {
        const started = Date.now();
        const c = await FtpConnection.open(connect, signal);
        log?.debug({ ms: Date.now() - started }, 'ftp connection opened');
        return c;
      },
      o.poolSize ?? FTP_DEFAULT_POOL_SIZE,
      (err) => log?.warn({ err: this.scrub(String((err as Error)?.message ?? err)) }, 'ftp background reconnect failed'),
    );
    this.ops = new FtpListOps(this.pool, (rel) => this.remote(rel), (e, op, p) => this.fail(e, op, p), o.forceList === true);
  }

  list(rel: string, signal?: AbortSignal): Promise<StorageEntry[]> {
    return this.ops.list(normalizeRelPath(rel), signal);
  }

  stat(rel: string, signal?: AbortSignal): Promise<StorageEntry> {
    return this.ops.stat(normalizeRelPath(rel), signal);
  }

  async createReadStream(rel: string, options: ReadOptions = {}): Promise<Readable> {
    options.signal?.throwIfAborted();
    const norm = normalizeRelPath(rel);
    const { start, end } = readRange(norm, options);
    const conn = await this.lease(options.signal, 'read', norm);
    try {
      return await openRangeRead(this.pool, conn, this.remote(norm), {
        start, ...(end !== undefined ? { end } : {}), highWaterMark: options.highWaterMark ?? READ_CHUNK,
        ...(options.signal ? { signal: options.signal } : {}),
      }, (err) => this.fail(err, 'read', norm));
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      if (ftpCode(err) === 550) {
        const st = await this.ops.statOrUndefined(norm);
        if (st?.type === 'dir') throw new StorageError('IS_DIR', `read ${printable(norm)}: is a directory`);
        if (st) throw new StorageError('PERMISSION', `read ${printable(norm)}: refused by the server`);
      }
      throw this.fail(err, 'read', norm);
    }
  }

  async createWriteStream(rel: string, options: WriteOptions = {}): Promise<Writable> {
    options.signal?.throwIfAborted();
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('PERMISSION', 'write /: not allowed on the storage root');
    const parent = await this.ops.statOrUndefined(parentRel(norm));
    if (!parent) throw new StorageError('NOT_FOUND', `write ${printable(norm)}: parent directory does not exist`);
    if (parent.type !== 'dir') throw new StorageError('NOT_DIR', `write ${printable(norm)}: parent is not a directory`);
    const existing = await this.ops.statOrUndefined(norm);
    if (existing?.type === 'dir') throw new StorageError('IS_DIR', `write ${printable(norm)}: is a directory`);
    if (existing && !options.overwrite) throw new StorageError('EXISTS', `write ${printable(norm)}: already exists`);

    const tmpRel = joinRel(parentRel(norm), `.${baseName(norm)}.alcove-tmp-${randomBytes(6).toString('hex')}`);
    const conn = await this.lease(options.signal, 'write', norm);
    const stream = new FtpWriteStream({
      pool: this.pool, conn, tmpPath: this.remote(tmpRel),
      mapError: (err) => this.fail(err, 'write', norm),
      commit: async () => {
        await this.renameRaw(tmpRel, norm, options.overwrite === true);
        if (options.mtimeMs !== undefined) await this.setMtime(norm, options.mtimeMs);
      },
      cleanup: () => this.pool.use((c) => c.remove(this.remote(tmpRel), true)).then(() => undefined, () => undefined),
    });
    if (options.signal) {
      const signal = options.signal;
      const onAbort = (): void => void stream.destroy(new DOMException('The operation was aborted', 'AbortError'));
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    return stream;
  }

  async delete(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('PERMISSION', 'delete /: not allowed on the storage root');
    const st = await this.ops.statOrUndefined(norm);
    if (!st) throw new StorageError('NOT_FOUND', `delete ${printable(norm)}: not found`);
    if (st.type !== 'dir') {
      await this.run('delete', norm, (c) => c.send(`DELE ${this.remote(norm)}`));
      return;
    }
    if (options.recursive) {
      for (const child of await this.ops.list(norm, undefined, true)) await this.delete(child.path, { recursive: true });
    }
    try {
      await this.run('delete', norm, (c) => c.send(`RMD ${this.remote(norm)}`));
    } catch (err) {
      if (err instanceof StorageError && err.code === 'NOT_FOUND') {
        throw new StorageError('IO', `delete ${printable(norm)}: directory not empty or not removable`, { cause: err });
      }
      throw err;
    }
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const src = normalizeRelPath(from);
    const dst = normalizeRelPath(to);
    if (src === '' || dst === '') throw new StorageError('PERMISSION', 'rename: not allowed on the storage root');
    if (src === dst) return;
    if (!(await this.ops.statOrUndefined(src))) throw new StorageError('NOT_FOUND', `rename ${printable(src)}: not found`);
    await this.renameRaw(src, dst, options.overwrite === true);
  }

  async mkdir(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = normalizeRelPath(rel);
    if (!options.recursive) {
      const st = await this.ops.statOrUndefined(norm);
      if (st) throw new StorageError('EXISTS', `mkdir ${printable(norm)}: already exists`);
      const parent = await this.ops.statOrUndefined(parentRel(norm));
      if (parent?.type !== 'dir') throw new StorageError('NOT_FOUND', `mkdir ${printable(norm)}: parent directory does not exist`);
      await this.run('mkdir', norm, (c) => c.send(`MKD ${this.remote(norm)}`));
      return;
    }
    const segs = norm === '' ? [] : norm.split('/');
    for (let i = 1; i <= segs.length; i++) {
      const p = segs.slice(0, i).join('/');
      const st = await this.ops.statOrUndefined(p);
      if (st?.type === 'dir') continue;
      if (st) throw new StorageError('EXISTS', `mkdir ${printable(norm)}: ${printable(p)} is a file`);
      await this.run('mkdir', norm, (c) => c.send(`MKD ${this.remote(p)}`));
    }
  }

  /** MFMT; UNSUPPORTED on servers without it. */
  async setMtime(rel: string, mtimeMs: number): Promise<void> {
    const norm = normalizeRelPath(rel);
    await this.run('setMtime', norm, async (c) => {
      if (!c.feats.has('MFMT')) throw new StorageError('UNSUPPORTED', `setMtime ${printable(norm)}: server has no MFMT`);
      return c.send(`MFMT ${formatMlsxTime(mtimeMs)} ${this.remote(norm)}`);
    });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      const root = await this.ops.statOrUndefined('', signal);
      if (root?.type !== 'dir') throw new StorageError('OFFLINE', `storage root ${this.displayUrl} does not exist on the server`);
    } catch (err) {
      if (err instanceof StorageError && err.code === 'IO') throw new StorageError('OFFLINE', err.message, { cause: err });
      throw err;
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  /** Pool counters (connections opened, replaced after early-ended reads, ...). */
  stats(): PoolStats {
    return this.pool.stats();
  }

  // ---- helpers -----------------------------------------------------------------------

  /** Server path of a normalized relative path. Refuses names FTP cannot carry. */
  private remote(norm: string): string {
    if (/[\r\n]/.test(norm)) throw new StorageError('UNSUPPORTED', `${printable(norm)}: FTP cannot carry line breaks in names`);
    if (norm === '') return this.rootPath;
    return this.rootPath === '/' ? `/${norm}` : `${this.rootPath}/${norm}`;
  }

  private async lease(signal: AbortSignal | undefined, op: string, norm: string): Promise<FtpConnection> {
    try {
      return await this.pool.acquire(signal);
    } catch (err) {
      throw this.fail(err, op, norm);
    }
  }

  /** One command on a pooled connection; FTP errors mapped (550 refined by stat). */
  private async run<T>(op: string, norm: string, fn: (c: FtpConnection) => Promise<T>): Promise<T> {
    const c = await this.lease(undefined, op, norm);
    try {
      return await fn(c);
    } catch (err) {
      throw this.fail(err, op, norm);
    } finally {
      this.pool.release(c);
    }
  }

  private async renameRaw(src: string, dst: string, overwrite: boolean): Promise<void> {
    const existing = await this.ops.statOrUndefined(dst);
    if (existing && !overwrite) throw new StorageError('EXISTS', `rename to ${printable(dst)}: already exists`);
    const parent = await this.ops.statOrUndefined(parentRel(dst));
    if (parent?.type !== 'dir') throw new StorageError('NOT_FOUND', `rename to ${printable(dst)}: target directory does not exist`);
    const move = (): Promise<unknown> => this.run('rename', src, async (c) => {
      await c.send(`RNFR ${this.remote(src)}`);
      return c.send(`RNTO ${this.remote(dst)}`);
    });
    try {
      await move();
    } catch (err) {
      // Servers that refuse RNTO onto an existing file: remove it, then move (not atomic).
      if (!existing || existing.type === 'dir') throw err;
      await this.run('rename', dst, (c) => c.send(`DELE ${this.remote(dst)}`));
      await move();
    }
  }

  private fail(err: unknown, op: string, norm: string): Error {
    return mapFtpError(err, op, norm, (s) => this.scrub(s));
  }

  private scrub(s: string): string {
    return this.secret ? s.split(this.secret).join('***') : s;
  }
}

export { TMP_RE };

/** Registry factory: `ftp://host[:port]/path`, `ftps://...` (explicit TLS). */
export function createFtpAdapter(options: AdapterOptions): StorageAdapter {
  return new FtpAdapter(options);
}
