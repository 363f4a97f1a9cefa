/**
 * GET /api/thumbnail/{path} (api-000 §3.4): image and video thumbnails through the
 * Thumbnailer's disk cache, audio cover art, and folder thumbnails: a 2x2 grid of the
 * folder's first images (then videos), composed once per (folder, children, mtimes) and
 * kept in a small in-memory LRU.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IndexStore, Thumbnailer } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import { ValidationError } from '../../domain/errors.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import type { ItemStorage } from './item-storage.js';
import type { Viewer } from './media-file.js';
import { requirePath } from './viewer-items.js';

export const THUMB_WIDTH = 320;
export const FOLDER_GRID_SIZE = 256;
const FOLDER_CACHE_ENTRIES = 256;

export type ThumbAnswer =
  | { kind: 'file'; path: string; size: number; mtimeMs: number; etag: string; contentType: string }
  | { kind: 'folder'; bytes: Buffer; etag: string; contentType: 'image/png' };

export interface ViewerThumbnailDeps {
  index: IndexStore;
  paths: VirtualPathService;
  storage: ItemStorage;
  thumbnails: Thumbnailer;
  /** Media's composeFolderGrid: up to four images in a size x size PNG. */
  composeGrid: (images: Buffer[], size: number) => Promise<Buffer>;
}

export class ViewerThumbnailService {
  private readonly folders = new Map<string, { bytes: Buffer; etag: string }>();

  constructor(private readonly d: ViewerThumbnailDeps) {}

  async forPath(viewer: Viewer, raw: string, signal?: AbortSignal): Promise<ThumbAnswer> {
    const r = this.d.paths.resolve(requirePath(raw), viewer.libraryIds);
    if (r.kind === 'root') throw new ValidationError('Path is required', { field: 'path' }, 'PATH_REQUIRED');
    if (r.kind === 'library') return this.folder(r.roots, signal);
    const item = r.item;
    if (item.kind === 'dir') return this.folder([item], signal);
    if (item.mediaType !== 'image' && item.mediaType !== 'video' && item.mediaType !== 'audio') {
      throw new ValidationError('Unsupported file type', { field: 'path' }, 'UNSUPPORTED_FILE_TYPE');
    }
    const t = await this.file(item, signal);
    return { kind: 'file', ...t };
  }

  /** The cached (or freshly made) thumbnail of one file item. */
  async file(item: Item, signal?: AbortSignal) {
    const source = await this.d.storage.source(item);
    return this.d.thumbnails.get({
      key: { id: String(item.id), size: item.size, mtimeMs: item.mtimeMs },
      source, width: THUMB_WIDTH, durationMs: item.probe?.durationMs,
    }, signal);
  }

  /** Forget composed folder grids (a cache rebuild). */
  clearFolders(): void { this.folders.clear(); }

  private async folder(dirs: Item[], signal?: AbortSignal): Promise<ThumbAnswer> {
    const picks: Item[] = [];
    for (const mediaTypes of [['image'], ['video']] as const) {
      for (const dir of dirs) {
        if (picks.length >= 4) break;
        picks.push(...this.d.index.items.listChildren(dir.id, { sort: 'name', mediaTypes: [...mediaTypes], limit: 4 - picks.length }).items);
      }
    }
    const key = dirs.map((d) => d.id).join(',') + '|' + picks.map((p) => `${p.id}:${p.size}:${p.mtimeMs}`).join(',');
    const hit = this.folders.get(key);
    if (hit) {
      this.folders.delete(key);
      this.folders.set(key, hit); // LRU: most recent last
      return { kind: 'folder', contentType: 'image/png', ...hit };
    }
    const images: Buffer[] = [];
    for (const settled of await Promise.allSettled(picks.map(async (p) => readFile((await this.file(p, signal)).path)))) {
      // A child that cannot be thumbnailed leaves its cell empty rather than failing the folder.
      if (settled.status === 'fulfilled') images.push(settled.value);
    }
    signal?.throwIfAborted();
    const bytes = await this.d.composeGrid(images, FOLDER_GRID_SIZE);
    const entry = { bytes, etag: `"${createHash('md5').update(bytes).digest('hex')}"` };
    this.folders.set(key, entry);
    if (this.folders.size > FOLDER_CACHE_ENTRIES) this.folders.delete(this.folders.keys().next().value as string);
    return { kind: 'folder', contentType: 'image/png', ...entry };
  }
}
