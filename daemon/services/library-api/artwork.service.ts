/**
 * Artwork bytes for a library file: a local image found next to the media
 * (meta.posterItemId / fanartItemId, read through its storage adapter) or a TMDb image
 * downloaded into the artwork cache (meta.posterPath / backdropPath, file names inside
 * AppServices.paths.artworkDir). Answers carry validators and a day of caching.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { IndexStore } from '../../domain/ports.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { ItemSource } from '../../metadata/item-source.js';
import type { OmniLuxService } from './omnilux.service.js';

export interface ArtworkFile {
  size: number; mtimeMs: number; contentType: string; cacheControl: string;
  open: (start: number, end: number, signal: AbortSignal) => Promise<Readable>;
}

const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
const CACHE = 'private, max-age=86400';

export class ArtworkService {
  constructor(
    private readonly index: IndexStore,
    private readonly omni: OmniLuxService,
    private readonly source: ItemSource,
    private readonly artworkDir: string,
  ) {}

  async get(rawId: string, kind: string): Promise<ArtworkFile> {
    if (kind !== 'poster' && kind !== 'fanart') throw new ValidationError('artwork type must be poster or fanart', { field: 'type' });
    const file = this.omni.fileItem(rawId);
    const m = file.meta ?? {};
    const itemId = kind === 'poster' ? m.posterItemId : m.fanartItemId;
    if (typeof itemId === 'number') {
      const img = this.index.items.get(itemId);
      const where = img ? await this.source.locate(img) : undefined;
      if (img && where) {
        const ext = img.name.slice(img.name.lastIndexOf('.') + 1).toLowerCase();
        return {
          size: img.size, mtimeMs: img.mtimeMs, contentType: TYPES[ext] ?? 'application/octet-stream', cacheControl: CACHE,
          open: (start, end, signal) => where.adapter.createReadStream(where.path, { start, end, signal }),
        };
      }
    }
    const cached = kind === 'poster' ? m.posterPath : m.backdropPath;
    if (typeof cached === 'string' && cached) {
      const path = join(this.artworkDir, basename(cached));
      const st = await stat(path).catch(() => undefined);
      if (st) {
        const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
        return {
          size: st.size, mtimeMs: st.mtimeMs, contentType: TYPES[ext] ?? 'image/jpeg', cacheControl: CACHE,
          open: async (start, end) => createReadStream(path, { start, end }),
        };
      }
    }
    throw new NotFoundError(`No ${kind} for file ${file.id}`, 'ARTWORK_NOT_FOUND');
  }
}
