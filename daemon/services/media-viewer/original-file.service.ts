/**
 * GET /api/file/{path} (api-000 §3.5): the original bytes of an indexed file. The size and
 * mtime come from a fresh stat of the storage (a file changed since the last scan is still
 * served whole and correctly), bytes from the adapter's ranged createReadStream.
 */
import type { Readable } from 'node:stream';
import mime from 'mime-types';
import { ValidationError } from '../../domain/errors.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import type { ItemStorage } from './item-storage.js';
import type { Viewer } from './media-file.js';
import { requirePath, resolveItem } from './viewer-items.js';

/** Read size for file answers (matches http's STREAM_CHUNK_BYTES; measured best with uWS). */
const CHUNK_BYTES = 512 * 1024;

export interface OriginalFile {
  name: string;
  size: number;
  mtimeMs: number;
  contentType: string;
  open: (start: number, end: number, signal: AbortSignal) => Promise<Readable>;
}

export class OriginalFileService {
  constructor(private readonly paths: VirtualPathService, private readonly storage: ItemStorage) {}

  async get(viewer: Viewer, raw: string): Promise<OriginalFile> {
    const { item } = resolveItem(this.paths, requirePath(raw), viewer);
    if (item.kind !== 'file') throw new ValidationError('Invalid file type', { field: 'path' }, 'NOT_A_FILE');
    const { adapter, path } = await this.storage.locate(item);
    const st = await adapter.stat(path);
    if (st.type !== 'file') throw new ValidationError('Invalid file type', { field: 'path' }, 'NOT_A_FILE');
    return {
      name: item.name,
      size: st.size,
      mtimeMs: st.mtimeMs,
      contentType: item.mime ?? (mime.lookup(item.name) || 'application/octet-stream'),
      open: (start, end, signal) => adapter.createReadStream(path, { start, end, signal, highWaterMark: CHUNK_BYTES }),
    };
  }
}
