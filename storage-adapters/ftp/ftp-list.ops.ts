/**
 * list() and stat() for the FTP adapter, in two modes:
 * - MLSD / MLST (RFC 3659; pure-ftpd, ProFTPD, FileZilla Server): exact types, sizes and
 *   second-precision mtimes in one round trip;
 * - CWD + LIST for servers without MLST (vsftpd) or when forced: CWD first, because LIST of
 *   a missing directory is an empty listing on vsftpd and LIST of a file lists the file;
 *   LIST without an argument, because servers glob LIST arguments ('[1].mkv'). LIST times
 *   are minutes or days, so file mtimes are then asked with MDTM (seconds), spread over
 *   the pool's connections.
 * Temporary files of in-progress writes are hidden.
 */
import { FTPError } from 'basic-ftp';
import { StorageError, type StorageEntry } from '../types.js';
import { baseName, joinRel, parentRel, printable } from '../path-safety.js';
import { mapLimit } from '../map-limit.js';
import type { ConnectionPool } from './ftp-pool.js';
import type { FtpConnection } from './ftp-connection.js';
import { parseList, parseMlsd, parseMlstReply, parseMlsxTime, type ListedEntry } from './ftp-listing.js';

/** Temporary names of in-progress writes (see ftp.adapter.ts). */
export const TMP_RE = /^\..+\.alcove-tmp-[0-9a-f]+$/;

type Fail = (err: unknown, op: string, norm: string) => Error;

export class FtpListOps {
  constructor(
    private readonly pool: ConnectionPool<FtpConnection>,
    private readonly remote: (norm: string) => string,
    private readonly fail: Fail,
    private readonly forceList: boolean,
  ) {}

  async list(norm: string, signal?: AbortSignal, includeTmp = false): Promise<StorageEntry[]> {
    const listed = await this.withConn('list', norm, signal, async (c) => {
      if (c.hasMlst && !this.forceList) {
        try {
          return { mlsd: true, entries: parseMlsd(await c.rawList(`MLSD ${this.remote(norm)}`)) };
        } catch (err) {
          if (err instanceof FTPError && err.code === 550) return { mlsd: true, missing: err };
          throw err;
        }
      }
      const cwd = await c.sendIgnoringError(`CWD ${this.remote(norm)}`);
      if (cwd.code >= 400) return { mlsd: false, missing: new FTPError(cwd) };
      return { mlsd: false, entries: parseList(await this.listCwd(c)), mdtm: c.feats.has('MDTM') };
    });
    if (!listed.entries) {
      // 550 on MLSD / CWD: a missing path or a file.
      const st = await this.statOrUndefined(norm, signal);
      if (st && st.type !== 'dir') throw new StorageError('NOT_DIR', `list ${printable(norm)}: not a directory`);
      if (st) throw this.fail(listed.missing, 'list', norm);
      throw new StorageError('NOT_FOUND', `list ${printable(norm)}: no such directory`);
    }
    const entries = listed.entries.filter((e) => includeTmp || !TMP_RE.test(e.name));
    if (!listed.mlsd && listed.mdtm) await this.refineMtimes(norm, entries, signal);
    return entries.map((e) => toEntry(e, joinRel(norm, e.name)));
  }

  async stat(norm: string, signal?: AbortSignal): Promise<StorageEntry> {
    const st = await this.statOrUndefined(norm, signal);
    if (!st) throw new StorageError('NOT_FOUND', `stat ${printable(norm)}: not found`);
    return st;
  }

  /** stat, or undefined when the path (or a parent) does not exist. */
  async statOrUndefined(norm: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    const mlst = await this.withConn('stat', norm, signal, async (c) => {
      if (!c.hasMlst || this.forceList) return { use: false as const };
      const res = await c.sendIgnoringError(`MLST ${this.remote(norm)}`);
      if (res.code >= 400) return { use: true as const, missing: true };
      return { use: true as const, entry: parseMlstReply(res.message) };
    });
    if (mlst.use) {
      if (mlst.missing) return undefined;
      if (!mlst.entry) throw new StorageError('IO', `stat ${printable(norm)}: unreadable MLST reply`);
      return toEntry(mlst.entry, norm);
    }
    return this.statByList(norm, signal);
  }

  private async statByList(norm: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    if (norm === '') {
      const ok = await this.withConn('stat', norm, signal, async (c) => (await c.sendIgnoringError(`CWD ${this.remote('')}`)).code < 400);
      return ok ? { name: '', path: '', type: 'dir', size: 0, mtimeMs: 0 } : undefined;
    }
    const parent = parentRel(norm);
    const found = await this.withConn('stat', norm, signal, async (c) => {
      const cwd = await c.sendIgnoringError(`CWD ${this.remote(parent)}`);
      if (cwd.code >= 400) return undefined;
      const name = baseName(norm);
      const entry = parseList(await this.listCwd(c)).find((e) => e.name === name);
      if (entry && entry.type === 'file' && c.feats.has('MDTM')) await this.mdtmInto(c, norm, entry);
      return entry;
    });
    return found ? toEntry(found, norm) : undefined;
  }

  /** LIST of the working directory: `LIST -a` (dotfiles too), plain LIST where refused. */
  private async listCwd(c: FtpConnection): Promise<string> {
    try {
      return await c.rawList('LIST -a');
    } catch (err) {
      if (!(err instanceof FTPError) || err.code < 500) throw err;
      return c.rawList('LIST');
    }
  }

  /** Exact mtimes for file entries of a LIST, MDTM on every pooled connection. */
  private async refineMtimes(dir: string, entries: ListedEntry[], signal?: AbortSignal): Promise<void> {
    const files = entries.filter((e) => e.type === 'file' && e.precision !== 'second');
    const lanes = Math.min(this.pool.size, files.length);
    let next = 0;
    await mapLimit(Array.from({ length: lanes }), lanes, () => this.withConn('list', dir, signal, async (c) => {
      while (next < files.length) {
        signal?.throwIfAborted();
        const e = files[next++] as ListedEntry;
        await this.mdtmInto(c, joinRel(dir, e.name), e);
      }
    }));
  }

  private async mdtmInto(c: FtpConnection, norm: string, e: ListedEntry): Promise<void> {
    const res = await c.sendIgnoringError(`MDTM ${this.remote(norm)}`);
    const ms = res.code === 213 ? parseMlsxTime(res.message.slice(4)) : Number.NaN;
    if (!Number.isNaN(ms)) {
      e.mtimeMs = ms;
      e.precision = 'second';
    }
  }

  /**
   * Run `fn` on a pooled connection. A call that failed because a reused connection had
   * silently died (reset, FIN) is retried once on a fresh one: these calls are idempotent.
   */
  private async withConn<T>(op: string, norm: string, signal: AbortSignal | undefined, fn: (c: FtpConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let c: FtpConnection;
      try {
        c = await this.pool.acquire(signal);
      } catch (err) {
        throw this.fail(err, op, norm);
      }
      const onAbort = (): void => c.close();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await fn(c);
      } catch (err) {
        signal?.throwIfAborted();
        const msg = String((err as Error)?.message ?? '');
        const retry = attempt === 0 && !(err instanceof FTPError) && !(err instanceof StorageError) && !/Timeout/.test(msg) && c.closed;
        if (!retry) throw this.fail(err, op, norm);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.pool.release(c);
      }
    }
  }
}

function toEntry(e: ListedEntry, norm: string): StorageEntry {
  return { name: baseName(norm), path: norm, type: e.type, size: e.size, mtimeMs: Number.isNaN(e.mtimeMs) ? 0 : e.mtimeMs };
}
