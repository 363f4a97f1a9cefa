/**
 * Favorites (api-000 §5): per-user marks on indexed items, addressed by virtual path.
 * Marks on items the viewer can no longer see (library restrictions) are kept but not listed.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Library } from '../../domain/types.js';
import { ValidationError } from '../../domain/errors.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import type { BulkResult, MediaFile, MediaFilePresenter, Viewer } from './media-file.js';
import { requirePath, resolveItem, resolveMany } from './viewer-items.js';

/** Most paths one bulk call takes (upstream silently truncates at 100; we refuse past this). */
export const MAX_BULK_FAVORITES = 10_000;

export class FavoriteService {
  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    private readonly presenter: MediaFilePresenter,
  ) {}

  /** Newest first; folders with itemCount, thumbnails for images and videos, no tags. */
  list(viewer: Viewer): MediaFile[] {
    const marks = this.index.favorites.list(viewer.userId);
    const items = this.index.items.getMany(marks.map((m) => m.itemId));
    const libs = new Map<number, Library | null>();
    const out: MediaFile[] = [];
    for (const item of items) {
      if (!item) continue;
      const lib = this.presenter.libraryOf(item, viewer, libs);
      if (!lib) continue;
      const opts = { thumbnails: 'media', tags: false, itemCount: true, favorite: true } as const;
      if (item.relPath === '') {
        const roots = lib.locations.map((l) => this.index.items.get(l.rootItemId)).filter((i) => i !== undefined);
        out.push(this.presenter.presentLibrary(lib, roots, viewer, opts));
      } else out.push(this.presenter.present(item, lib, viewer, opts));
    }
    return out;
  }

  async add(viewer: Viewer, rawPath: unknown): Promise<void> {
    const { item } = resolveItem(this.paths, requirePath(rawPath), viewer);
    await this.index.favorites.add(viewer.userId, [item.id]);
  }

  async remove(viewer: Viewer, rawPath: unknown): Promise<void> {
    const path = requirePath(rawPath);
    let itemId: number;
    try {
      itemId = resolveItem(this.paths, path, viewer).item.id;
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      return; // not indexed (any more): nothing to unmark, like upstream's no-op delete
    }
    await this.index.favorites.remove(viewer.userId, [itemId]);
  }

  check(viewer: Viewer, rawPath: unknown): { isFavorite: boolean } {
    const path = requirePath(rawPath);
    try {
      return { isFavorite: this.index.favorites.has(viewer.userId, resolveItem(this.paths, path, viewer).item.id) };
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      return { isFavorite: false };
    }
  }

  async bulk(viewer: Viewer, paths: string[], add: boolean): Promise<BulkResult> {
    if (paths.length > MAX_BULK_FAVORITES) {
      throw new ValidationError(`Too many items (max ${MAX_BULK_FAVORITES})`, { field: 'items' }, 'TOO_MANY_PATHS');
    }
    const r = resolveMany(this.paths, paths, viewer);
    let failed = r.failed;
    const errors = r.errors;
    if (add) {
      const { missing } = await this.index.favorites.add(viewer.userId, r.ids);
      failed += missing.length;
      for (const id of missing) if (errors.length < 10) errors.push(`item ${id}: File not found`);
    } else {
      await this.index.favorites.remove(viewer.userId, r.ids);
    }
    const out: BulkResult = { success: r.ids.length - (failed - r.failed), failed };
    if (errors.length) out.errors = errors;
    return out;
  }
}
