/**
 * The `webdav:` (http) and `webdavs:` (https) adapter.
 *
 *   list  -> PROPFIND Depth: 1 asking for resourcetype, getcontentlength, getlastmodified
 *   stat  -> PROPFIND Depth: 0 (same properties)
 *   read  -> GET with Range (range-read.stream.ts: abortable, idle watchdog)
 *   write -> PUT to '.alcove-tmp-<hex>' beside the target, then MOVE with Overwrite F/T
 *   mkdir -> MKCOL (recursive: create missing parents on 409)
 *   delete, rename -> DELETE, MOVE
 *   setMtime -> PROPPATCH getlastmodified; UNSUPPORTED where the server refuses it
 *               (Apache mod_dav_fs answers "409 Property is read-only")
 *
 * WebDAV DELETE of a collection is always recursive (RFC 4918 9.6.1), so a
 * non-recursive delete checks the collection is empty first. A MOVE with Overwrite: T
 * onto a collection would delete that tree, so rename/write refuse a directory target.
 */
import { randomBytes } from 'node:crypto';
import { addAbortSignal, type Readable, type Writable } from 'node:stream';
import {
  StorageError,
  type AdapterOptions, type ReadOptions, type StorageAdapter, type StorageEntry, type WriteOptions,
} from '../types.js';
import { baseName, joinRel, normalizeRelPath, parentRel, printable, readRange } from '../path-safety.js';
import { DavClient } from './dav-client.js';
import { decodedPath, hrefPath } from './dav-paths.js';
import { httpError } from './dav-errors.js';
import type { DavResponse } from './multistatus.parser.js';
import { openRangeRead } from './range-read.stream.js';
import { DavWriteStream } from './dav-write.stream.js';

/** Temporary files of in-progress writes (ours, and mod_dav_fs's own during a PUT); hidden from list(). */
const TMP_RE = /^\.alcove-tmp-[0-9a-f]+$|^\.davfs\.tmp/;

export class WebdavAdapter implements StorageAdapter {
  readonly scheme: string;
  readonly displayUrl: string;
  private readonly dav: DavClient;
  /** Set once the server refused PROPPATCH getlastmodified: skip it on later writes. */
  private mtimeRefused = false;

  constructor(options: AdapterOptions) {
    this.scheme = options.url.protocol.replace(/:$/, '').toLowerCase();
    this.dav = new DavClient(options.url, options.credentials, options.timeoutMs);
    const shown = new URL(options.url.href);
    shown.username = '';
    shown.password = '';
    this.displayUrl = safeDecode(shown.href.replace(/\/$/, ''));
  }

  async list(rel: string, signal?: AbortSignal): Promise<StorageEntry[]> {
    const norm = normalizeRelPath(rel);
    const responses = await this.dav.propfind(norm, 1, 'list', signal);
    const self = decodedPath(this.dav.base, norm);
    const entries: StorageEntry[] = [];
    let selfSeen: DavResponse | undefined;
    for (const r of responses) {
      const p = hrefPath(r.href);
      if (p === self) {
        selfSeen = r;
        continue;
      }
      if (r.status !== undefined && (r.status < 200 || r.status >= 300)) continue;
      const name = p.slice(p.lastIndexOf('/') + 1);
      if (name === '' || TMP_RE.test(name)) continue;
      entries.push(toEntry(name, joinRel(norm, name), r));
    }
    if (selfSeen && !selfSeen.isDir) throw new StorageError('NOT_DIR', `list ${printable(norm)}: not a directory`);
    return entries;
  }

  async stat(rel: string, signal?: AbortSignal): Promise<StorageEntry> {
    const norm = normalizeRelPath(rel);
    return this.statNorm(norm, 'stat', signal);
  }

  async createReadStream(rel: string, options: ReadOptions = {}): Promise<Readable> {
    options.signal?.throwIfAborted();
    const norm = normalizeRelPath(rel);
    const { start, end } = readRange(norm, options);
    const opened = await openRangeRead({
      url: this.dav.url(norm), headers: this.dav.authHeaders(), agent: this.dav.agent,
      start, end, timeoutMs: this.dav.timeoutMs, signal: options.signal, highWaterMark: options.highWaterMark, rel: norm,
    });
    if (opened.stream) return opened.stream;
    if (opened.status === 404 || opened.status === 403 || opened.status === 405) {
      // Apache answers 404 for GET on a collection: tell the two apart.
      const st = await this.statOrUndefined(norm, 'read', options.signal);
      if (st?.type === 'dir') throw new StorageError('IS_DIR', `read ${printable(norm)}: is a directory`);
    }
    throw httpError(opened.status, 'read', norm);
  }

  async createWriteStream(rel: string, options: WriteOptions = {}): Promise<Writable> {
    options.signal?.throwIfAborted();
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('IS_DIR', 'write /: is the storage root');
    const existing = await this.statOrUndefined(norm, 'write', options.signal);
    if (existing?.type === 'dir') throw new StorageError('IS_DIR', `write ${printable(norm)}: is a directory`);
    if (existing && !options.overwrite) throw new StorageError('EXISTS', `write ${printable(norm)}: already exists`);
    const parent = parentRel(norm);
    if (!existing) {
      const dir = await this.statOrUndefined(parent, 'write', options.signal);
      if (!dir) throw new StorageError('NOT_FOUND', `write ${printable(norm)}: parent directory not found`);
      if (dir.type !== 'dir') throw new StorageError('NOT_DIR', `write ${printable(norm)}: parent is not a directory`);
    }
    const mtimeMs = options.mtimeMs;
    const ws = new DavWriteStream({
      client: this.dav,
      rel: norm,
      tempRel: joinRel(parent, `.alcove-tmp-${randomBytes(8).toString('hex')}`),
      overwrite: Boolean(options.overwrite),
      ...(mtimeMs !== undefined ? { afterCommit: () => this.bestEffortMtime(norm, mtimeMs) } : {}),
    });
    if (options.signal) addAbortSignal(options.signal, ws);
    return ws;
  }

  async delete(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = normalizeRelPath(rel);
    if (norm === '') throw new StorageError('PERMISSION', 'delete /: not allowed on the storage root');
    if (!options.recursive) {
      // DELETE on a collection removes the whole tree: refuse unless it is empty.
      const responses = await this.dav.propfind(norm, 1, 'delete');
      const self = decodedPath(this.dav.base, norm);
      const me = responses.find((r) => hrefPath(r.href) === self);
      if (me?.isDir && responses.length > 1) {
        throw new StorageError('IO', `delete ${printable(norm)}: directory not empty`);
      }
    }
    const res = await this.dav.request('DELETE', norm, { op: 'delete' });
    if (res.status === 207) throw new StorageError('IO', `delete ${printable(norm)}: some entries could not be deleted`);
    if (res.status < 200 || res.status >= 300) throw httpError(res.status, 'delete', norm);
  }

  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const src = normalizeRelPath(from);
    const dst = normalizeRelPath(to);
    if (src === '' || dst === '') throw new StorageError('PERMISSION', 'rename: not allowed on the storage root');
    if (options.overwrite) {
      const target = await this.statOrUndefined(dst, 'rename');
      if (target?.type === 'dir') throw new StorageError('IS_DIR', `rename to ${printable(dst)}: a directory has that name`);
    }
    const res = await this.dav.request('MOVE', src, {
      op: 'rename',
      headers: { Destination: this.dav.url(dst), Overwrite: options.overwrite ? 'T' : 'F' },
    });
    if (res.status === 201 || res.status === 204) return;
    if (res.status === 412) throw new StorageError('EXISTS', `rename to ${printable(dst)}: already exists`);
    if (res.status === 409) throw new StorageError('NOT_FOUND', `rename to ${printable(dst)}: parent directory not found`);
    throw httpError(res.status, 'rename', src);
  }

  async mkdir(rel: string, options: { recursive?: boolean } = {}): Promise<void> {
    const norm = normalizeRelPath(rel);
    if (norm === '') {
      if (options.recursive) return;
      throw new StorageError('EXISTS', 'mkdir /: the storage root exists');
    }
    let res = await this.dav.request('MKCOL', norm, { op: 'mkdir', dir: true });
    if (res.status === 409 && options.recursive) {
      await this.mkdir(parentRel(norm), { recursive: true });
      res = await this.dav.request('MKCOL', norm, { op: 'mkdir', dir: true });
    }
    if (res.status === 201) return;
    if (res.status === 405) {
      // Something has that name already.
      const st = await this.statOrUndefined(norm, 'mkdir');
      if (options.recursive && st?.type === 'dir') return;
      throw new StorageError('EXISTS', `mkdir ${printable(norm)}: ${st?.type === 'dir' ? 'already exists' : 'a file has that name'}`);
    }
    throw httpError(res.status, 'mkdir', norm);
  }

  /** PROPPATCH getlastmodified; UNSUPPORTED when the server keeps it read-only (Apache). */
  async setMtime(rel: string, mtimeMs: number): Promise<void> {
    const norm = normalizeRelPath(rel);
    const when = new Date(mtimeMs).toUTCString();
    const res = await this.dav.request('PROPPATCH', norm, {
      op: 'setMtime',
      headers: { 'Content-Type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
        + `<D:getlastmodified>${when}</D:getlastmodified></D:prop></D:set></D:propertyupdate>`,
    });
    if (res.status === 404) throw httpError(404, 'setMtime', norm);
    const statuses = [...res.text.matchAll(/<(?:[\w.-]+:)?status>\s*\S+\s+(\d{3})/g)].map((m) => Number(m[1]));
    const accepted = res.status === 207 && statuses.length > 0 && statuses.every((s) => s >= 200 && s < 300);
    if (accepted) {
      // Some servers answer 200 and ignore the value: believe only what stat shows.
      const st = await this.statNorm(norm, 'setMtime');
      if (Math.abs(st.mtimeMs - mtimeMs) <= 1000) return;
    }
    if (res.status >= 400 && res.status !== 409 && res.status !== 403 && res.status !== 405 && res.status !== 501) {
      throw httpError(res.status, 'setMtime', norm);
    }
    throw new StorageError('UNSUPPORTED', `setMtime ${printable(norm)}: the server keeps modification times read-only`);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const root = await this.statNorm('', 'ping', signal);
    if (root.type !== 'dir') throw new StorageError('NOT_DIR', `storage root ${this.displayUrl} is not a directory`);
  }

  async close(): Promise<void> {
    this.dav.close();
  }

  private async statNorm(norm: string, op: string, signal?: AbortSignal): Promise<StorageEntry> {
    const [r] = await this.dav.propfind(norm, 0, op, signal);
    if (!r) throw new StorageError('IO', `${op} ${printable(norm)}: empty multistatus`);
    if (r.status !== undefined && (r.status < 200 || r.status >= 300)) throw httpError(r.status, op, norm);
    return toEntry(baseName(norm), norm, r);
  }

  private async statOrUndefined(norm: string, op: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
    try {
      return await this.statNorm(norm, op, signal);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  private async bestEffortMtime(norm: string, mtimeMs: number): Promise<void> {
    if (this.mtimeRefused) return;
    try {
      await this.setMtime(norm, mtimeMs);
    } catch (err) {
      if ((err as { code?: string }).code !== 'UNSUPPORTED') throw err;
      this.mtimeRefused = true; // WriteOptions.mtimeMs is best effort on such servers
    }
  }
}

/** Factory for the registry: `webdav://host[:port]/path` (http) and `webdavs://` (https). */
export function createWebdavAdapter(options: AdapterOptions): StorageAdapter {
  return new WebdavAdapter(options);
}

function toEntry(name: string, path: string, r: DavResponse): StorageEntry {
  return { name, path, type: r.isDir ? 'dir' : 'file', size: r.isDir ? 0 : r.size, mtimeMs: r.mtimeMs };
}

function safeDecode(s: string): string {
  try {
    return decodeURI(s);
  } catch {
    return s;
  }
}
