/**
 * GET /api/file/{path} (api-000 §3.5): the original bytes of an indexed file. The size and
 * mtime come from a fresh stat of the storage (a file changed since the last scan is still
 * served whole and correctly). Bytes: positioned reads of the adapter's openFile where it
 * has one (local disks, through a validated descriptor cache), else its ranged
 * createReadStream.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { ValidationError } from '../../domain/errors.js';
import { StorageError, type OpenedFile } from '../../../storage-adapters/types.js';
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
  /** The open file (adapters with openFile): the caller must release it (sendFile does). */
  file?: OpenedFile;
}

type MimeTypes = typeof import('mime-types');
let mimeTypes: MimeTypes | undefined;
/**
 * MIME type of a file the scanner could not classify (documents, archives...). mime-types
 * is required on first use: its database is ~0.9 MB of heap, and most files already carry
 * the scanner's type.
 */
function lookupMime(name: string): string {
  mimeTypes ??= createRequire(import.meta.url)('mime-types') as MimeTypes;
  return mimeTypes.lookup(name) || 'application/octet-stream';
}

const notAFile = (): ValidationError => new ValidationError('Invalid file type', { field: 'path' }, 'NOT_A_FILE');

export class OriginalFileService {
  constructor(private readonly paths: VirtualPathService, private readonly storage: ItemStorage) {}

  async get(viewer: Viewer, raw: string): Promise<OriginalFile> {
    const { item, library } = resolveItem(this.paths, requirePath(raw), viewer);
    if (item.kind !== 'file') throw notAFile();
    const { adapter, path } = await this.storage.locate(item, library);
    const contentType = item.mime ?? lookupMime(item.name);
    const open = (start: number, end: number, signal: AbortSignal): Promise<Readable> =>
      adapter.createReadStream(path, { start, end, signal, highWaterMark: CHUNK_BYTES });
    if (adapter.openFile) {
      // early: a cached descriptor comes back before its stat; sendFile overlaps that check
      // with the first read and never sends before it (OpenedFile.current).
      const file = await adapter.openFile(path, undefined, { early: true }).catch((err: unknown) => {
        throw err instanceof StorageError && err.code === 'IS_DIR' ? notAFile() : err;
      });
      return { name: item.name, size: file.size, mtimeMs: file.mtimeMs, contentType, open, file };
    }
    const st = await adapter.stat(path);
    if (st.type !== 'file') throw notAFile();
    return { name: item.name, size: st.size, mtimeMs: st.mtimeMs, contentType, open };
  }
}
