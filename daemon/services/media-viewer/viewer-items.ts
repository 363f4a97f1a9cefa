/**
 * Path -> item resolution for the path-taking Media Viewer endpoints (tags, favorites,
 * thumbnails, originals). A library path stands for its (first) location root item; the
 * virtual root has no item. Traversal is refused by splitVirtualPath (400 INVALID_PATH).
 */
import type { Item, Library } from '../../domain/types.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import type { Viewer } from './media-file.js';

export interface ResolvedItem { item: Item; library: Library }

export function requirePath(raw: unknown, message = 'Path is required'): string {
  if (typeof raw !== 'string' || raw === '') throw new ValidationError(message, { field: 'path' }, 'PATH_REQUIRED');
  return raw;
}

/** Resolve a non-root virtual path to one indexed item (404 PATH_NOT_FOUND otherwise). */
export function resolveItem(paths: VirtualPathService, raw: string, viewer: Viewer): ResolvedItem {
  const r = paths.resolve(raw, viewer.libraryIds);
  if (r.kind === 'root') throw new ValidationError('Path is required', { field: 'path' }, 'PATH_REQUIRED');
  if (r.kind === 'library') {
    const item = r.roots[0];
    if (!item) throw new NotFoundError('File not found', 'PATH_NOT_FOUND');
    return { item, library: r.library };
  }
  return { item: r.item, library: r.library };
}

/** Bulk helper: resolve many paths, collecting up to 10 "<path>: <error>" messages. */
export function resolveMany(paths: VirtualPathService, raws: string[], viewer: Viewer): {
  ids: number[]; failed: number; errors: string[];
} {
  const ids: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  for (const raw of raws) {
    if (raw === '') continue; // upstream skips empty strings, counting neither way
    try {
      ids.push(resolveItem(paths, raw, viewer).item.id);
    } catch (err) {
      failed++;
      if (errors.length < 10) errors.push(`${raw}: ${(err as Error).message}`);
    }
  }
  return { ids, failed, errors };
}
