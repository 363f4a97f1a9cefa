/**
 * Downloads (Catalogizer /download/*): one file by item id (ranges handled by the HTTP
 * layer's sendFile), or a directory / a list of paths as a zip, tar or tar.gz streamed as
 * it is read. The member list comes from the index (no storage walk before the first byte);
 * each member is opened only when the writer reaches it, from whatever root holds it.
 */
import type { Readable } from 'node:stream';
import type { AccessRepo, IndexStore } from '../../../domain/ports.js';
import type { Item, Library } from '../../../domain/types.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { VirtualPathService } from '../../browse/virtual-path.service.js';
import { ItemStorage, type GetAdapter } from '../../media-viewer/item-storage.js';
import { ARCHIVE_FORMATS, type ArchiveEntry, type ArchiveFormat } from '../archive/archive-entry.js';
import { attachment } from './content-disposition.js';

export interface DownloadOptions {
  /** Largest archive (sum of member sizes) served; 0 = no limit. Default 0. */
  maxArchiveBytes?: number;
}

export interface FileDownload {
  size: number; mtimeMs: number; contentType: string; disposition: string;
  open(start: number, end: number, signal: AbortSignal): Promise<Readable>;
}

export interface ArchivePlan {
  format: ArchiveFormat;
  filename: string;
  disposition: string;
  totalSize: number;
  fileCount: number;
  entries(): AsyncGenerator<ArchiveEntry>;
}

interface Member { item: Item; name: string }

export class DownloadService {
  private readonly storage: ItemStorage;

  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    getAdapter: GetAdapter,
    private readonly access: AccessRepo,
    private readonly options: DownloadOptions = {},
  ) {
    this.storage = new ItemStorage(index, getAdapter);
  }

  static parseFormat(raw: unknown): ArchiveFormat {
    const format = raw === undefined || raw === null || raw === '' ? 'zip' : String(raw);
    if (!(ARCHIVE_FORMATS as readonly string[]).includes(format)) {
      throw new ValidationError('Invalid format. Supported: zip, tar, tar.gz', { field: 'format' }, 'INVALID_FORMAT');
    }
    return format as ArchiveFormat;
  }

  async file(rawId: string): Promise<FileDownload> {
    if (!/^\d+$/.test(rawId)) throw new ValidationError('Invalid file ID', { field: 'id' }, 'INVALID_FILE_ID');
    const item = this.index.items.get(Number(rawId));
    if (!item || (item.kind !== 'file' && item.kind !== 'dir')) throw new NotFoundError('File not found', 'FILE_NOT_FOUND');
    if (item.kind === 'dir') throw new ValidationError('Cannot download directory as single file', { field: 'id' }, 'IS_DIRECTORY');
    const { adapter, path } = await this.storage.locate(item);
    const st = await adapter.stat(path);
    // Recorded before the bytes flow: a read that starts counts as an access.
    void this.access.record(item, Date.now()).catch(() => undefined);
    return {
      size: st.size, mtimeMs: st.mtimeMs, disposition: attachment(item.name),
      contentType: 'application/octet-stream',
      open: (start, end, signal) => adapter.createReadStream(path, { start, end, signal, highWaterMark: 512 * 1024 }),
    };
  }

  /** A directory (virtual path) as an archive whose members are named `<dir>/<relative path>`. */
  directory(rawPath: string, format: ArchiveFormat): ArchivePlan {
    const r = this.paths.resolve(rawPath.replace(/^\/+|\/+$/g, ''));
    let tops: { item: Item; prefix: string }[];
    let base: string;
    if (r.kind === 'root') throw new NotFoundError('Directory not found or empty', 'DIRECTORY_NOT_FOUND');
    if (r.kind === 'library') { base = r.library.name; tops = r.roots.map((item) => ({ item, prefix: base })); }
    else {
      if (r.item.kind !== 'dir') throw new NotFoundError('Directory not found or empty', 'DIRECTORY_NOT_FOUND');
      base = r.item.name;
      tops = [{ item: r.item, prefix: base }];
    }
    return this.plan(format, `${base}.${format}`, () => this.walk(tops));
  }

  /** Several paths (virtual, or relative to library `rootName`): files as they are, folders recursively. */
  archive(paths: unknown, format: ArchiveFormat, rootName?: string): ArchivePlan {
    if (!Array.isArray(paths) || paths.length === 0) throw new ValidationError('No paths specified', { field: 'paths' }, 'NO_PATHS');
    let lib: Library | undefined;
    if (rootName) {
      lib = this.index.libraries.getByName(rootName);
      if (!lib) throw new NotFoundError(`Storage root not found: ${rootName}`, 'ROOT_NOT_FOUND');
    }
    const tops: { item: Item; prefix: string }[] = [];
    for (const raw of paths) {
      if (typeof raw !== 'string' || !raw.trim()) throw new ValidationError('Each path must be a non-empty string', { field: 'paths' }, 'INVALID_PATH');
      const rel = raw.replace(/^\/+|\/+$/g, '');
      const r = this.paths.resolve(lib ? `${lib.name}/${rel}` : rel);
      if (r.kind === 'item') tops.push({ item: r.item, prefix: rel });
      else if (r.kind === 'library') for (const item of r.roots) tops.push({ item, prefix: r.library.name });
    }
    return this.plan(format, `archive_${Math.floor(Date.now() / 1000)}.${format}`, () => this.walk(tops));
  }

  private plan(format: ArchiveFormat, filename: string, members: () => Generator<Member>): ArchivePlan {
    let totalSize = 0;
    let fileCount = 0;
    for (const m of members()) { totalSize += m.item.size; fileCount++; }
    if (fileCount === 0) throw new NotFoundError('Directory not found or empty', 'DIRECTORY_EMPTY');
    const max = this.options.maxArchiveBytes ?? 0;
    if (max > 0 && totalSize > max) {
      throw new ValidationError('Directory too large for download', { total_size: totalSize, max_size: max }, 'ARCHIVE_TOO_LARGE');
    }
    const storage = this.storage;
    return {
      format, filename, disposition: attachment(filename), totalSize, fileCount,
      async *entries() {
        for (const { item, name } of members()) {
          const { adapter, path } = await storage.locate(item);
          yield {
            name, size: item.size, mtimeMs: item.mtimeMs,
            open: (signal) => adapter.createReadStream(path, { signal, highWaterMark: 512 * 1024 }),
          };
        }
      },
    };
  }

  /** Files under the given items, depth first in name order, read from the index only. */
  private *walk(tops: { item: Item; prefix: string }[]): Generator<Member> {
    const seen = new Set<number>();
    for (const top of tops) {
      if (top.item.kind === 'file') { if (!seen.has(top.item.id)) { seen.add(top.item.id); yield { item: top.item, name: top.prefix }; } continue; }
      const stack: { id: number; prefix: string }[] = [{ id: top.item.id, prefix: top.prefix }];
      while (stack.length) {
        const dir = stack.pop()!;
        const subdirs: { id: number; prefix: string }[] = [];
        for (const child of this.index.items.iterateChildren(dir.id)) {
          const name = `${dir.prefix}/${child.name}`;
          if (child.kind === 'dir') subdirs.push({ id: child.id, prefix: name });
          else if (child.kind === 'file' && !child.offline && !seen.has(child.id)) { seen.add(child.id); yield { item: child, name }; }
        }
        for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
      }
    }
  }
}
