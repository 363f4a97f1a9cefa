/**
 * h3xed artwork (/api/artwork/:ratingKey/thumb|art[?width=&height=]): the poster or
 * background found by artwork-source.ts, read through the item's storage adapter or from
 * the artwork cache. With width/height the image is resized by sharp (cover when both are
 * given, fit inside otherwise, never enlarged) to JPEG and cached on disk under
 * cacheDir/home-artwork, keyed by source identity (id, size, mtime) and size, so a changed
 * poster gets a new ETag. Concurrent requests for the same size share one resize.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { loadSharp } from '../../media/lazy-modules.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import type { ItemSource } from '../../metadata/item-source.js';
import { findArtSource, type ArtKind } from './artwork-source.js';

export interface ArtworkAnswer {
  size: number; mtimeMs: number; contentType: string; etag: string;
  open: (start: number, end: number, signal: AbortSignal) => Promise<Readable>;
}

const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };
const MAX_DIM = 4000;
const MAX_SOURCE_BYTES = 40 * 1024 * 1024;

export function parseDimension(raw: string | null, field: string): number | undefined {
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_DIM) throw new ValidationError(`${field} must be an integer 1..${MAX_DIM}`, { field });
  return Number(raw);
}

interface Source { id: string; size: number; mtimeMs: number; contentType: string; open: (start?: number, end?: number, signal?: AbortSignal) => Promise<Readable> }

export class HomeArtworkService {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly index: IndexStore, private readonly source: ItemSource, private readonly artworkDir: string, private readonly cacheDir: string) {}

  async get(item: Item, which: string, width?: number, height?: number): Promise<ArtworkAnswer> {
    if (which !== 'thumb' && which !== 'art') throw new ValidationError('artwork kind must be thumb or art', { field: 'kind' });
    const src = await this.resolve(item, which);
    if (!src) throw new NotFoundError(`No ${which} for item ${item.id}`, 'ARTWORK_NOT_FOUND');
    const ident = `${src.id}:${src.size}:${Math.round(src.mtimeMs)}`;
    if (width === undefined && height === undefined) {
      return {
        size: src.size, mtimeMs: src.mtimeMs, contentType: src.contentType, etag: `"${createHash('sha1').update(ident).digest('hex')}"`,
        open: (start, end, signal) => src.open(start, end, signal),
      };
    }
    const key = createHash('sha1').update(`${ident}|${width ?? 0}x${height ?? 0}`).digest('hex');
    const path = await this.resized(key, src, width, height);
    const st = await stat(path);
    return {
      size: st.size, mtimeMs: st.mtimeMs, contentType: 'image/jpeg', etag: `"${key}"`,
      open: async (start, end) => createReadStream(path, { start, end }),
    };
  }

  private async resolve(item: Item, which: ArtKind): Promise<Source | undefined> {
    const found = findArtSource(this.index, item, which);
    if (!found) return undefined;
    if (found.kind === 'item') {
      const img = found.item;
      const where = await this.source.locate(img);
      if (!where) return undefined;
      const ext = img.name.slice(img.name.lastIndexOf('.') + 1).toLowerCase();
      return {
        id: `item-${img.id}`, size: img.size, mtimeMs: img.mtimeMs, contentType: TYPES[ext] ?? img.mime ?? 'application/octet-stream',
        open: (start, end, signal) => where.adapter.createReadStream(where.path, { start, end, signal }) as Promise<Readable>,
      };
    }
    const path = join(this.artworkDir, basename(found.file));
    const st = await stat(path).catch(() => undefined);
    if (!st) return undefined;
    const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
    return {
      id: `cache-${basename(found.file)}`, size: st.size, mtimeMs: st.mtimeMs, contentType: TYPES[ext] ?? 'image/jpeg',
      open: async (start, end) => createReadStream(path, { start, end }),
    };
  }

  private resized(key: string, src: Source, width?: number, height?: number): Promise<string> {
    const path = join(this.cacheDir, key.slice(0, 2), `${key}.jpg`);
    const running = this.inflight.get(key);
    if (running) return running;
    const job = (async () => {
      if (await stat(path).then(() => true, () => false)) return path;
      if (src.size > MAX_SOURCE_BYTES) throw new ValidationError('Source image is too large to resize', undefined, 'IMAGE_TOO_LARGE');
      const bytes = await readAll(await src.open());
      const sharp = await loadSharp();
      const out = await sharp(bytes, { failOn: 'none' }).rotate()
        .resize({ width, height, fit: width && height ? 'cover' : 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85, mozjpeg: false }).toBuffer()
        .catch(() => { throw new NotFoundError('The artwork image cannot be decoded', 'ARTWORK_UNREADABLE'); });
      await mkdir(join(this.cacheDir, key.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, out);
      await rename(tmp, path);
      return path;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > MAX_SOURCE_BYTES) { stream.destroy(); throw new ValidationError('Source image is too large to resize', undefined, 'IMAGE_TOO_LARGE'); }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

