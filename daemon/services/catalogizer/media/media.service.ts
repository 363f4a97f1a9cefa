/**
 * Catalogizer media operations (seed 003 "Media Operations"): item detail, watch progress,
 * favorite status, media search and media statistics, on Alcove's core.
 *
 * Contracts:
 * - Ids are item ids (one id space). An id the caller may not read (library restrictions,
 *   content rating, labels: AccessService) is "Media not found", exactly like a missing one.
 * - Progress is a fraction 0..1 written through the home ProgressService on the item's
 *   canonical (metadata) item: offset = fraction x duration. At or past the service's
 *   watched threshold (0.9) the item completes (watched, view count + 1), as on h3xed. An
 *   item of unknown duration records on a nominal 1,000 s scale so the fraction survives.
 * - A progress report that starts a viewing (no earlier record, or the last play more than
 *   SESSION_GAP_MS ago) is recorded as one read in the access log, on the item's first
 *   file: trending and /stats/access count plays as well as downloads.
 * - Favorites are index.favorites: true marks the item itself; false removes the mark from
 *   the item and the ids linked to it (its metadata item, its files), so a movie that Media
 *   Viewer favorited through its file can be unfavorited here.
 */
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { AccessRepo, IndexStore } from '../../../domain/ports.js';
import type { Item } from '../../../domain/types.js';
import type { AccessScope } from '../../access/access.service.js';
import type { ItemTree } from '../../home/item-tree.js';
import type { ProgressService } from '../../home/progress.service.js';
import type { MediaCatalogItem, MediaPresenter } from './media-item.js';

/** Duration used when an item's real one is unknown (the fraction is what matters then). */
export const NOMINAL_DURATION_MS = 1_000_000;
/** A report after this long without one starts a new viewing (one recorded read). */
export const SESSION_GAP_MS = 6 * 3_600_000;

/** Parse a path id: a positive integer, else "Invalid media ID" (400). */
export function parseMediaId(raw: string | undefined, message = 'Invalid media ID', code = 'INVALID_MEDIA_ID'): number {
  const n = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new ValidationError(message, { details: `invalid id: ${String(raw ?? '')}` }, code);
  return n;
}

export class CatalogizerMediaService {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly presenter: MediaPresenter,
    private readonly progress: ProgressService,
    private readonly access: AccessRepo,
    private readonly now: () => number = Date.now,
  ) {}

  /** The item if the scope may read it; "Media not found" (404) otherwise. */
  require(scope: AccessScope, id: number): Item {
    const item = this.index.items.get(id);
    if (!item || !scope.allows(item)) throw new NotFoundError('Media not found', 'MEDIA_NOT_FOUND');
    return item;
  }

  get(scope: AccessScope, id: number): MediaCatalogItem {
    return this.presenter.present(this.require(scope, id), scope.userId);
  }

  /** Record watch progress (fraction 0..1) of the caller. */
  async setProgress(scope: AccessScope, id: number, fraction: number): Promise<void> {
    const item = this.require(scope, id);
    if (!this.tree.isPlayable(item)) throw new ValidationError('Media item is not playable', { details: `item ${id} is a ${item.kind}` }, 'NOT_PLAYABLE');
    const canonical = this.tree.canonical(item);
    const before = this.progress.get(scope.userId, canonical.id);
    const duration = this.tree.durationOf(canonical) || before?.durationMs || NOMINAL_DURATION_MS;
    this.progress.report(scope.userId, canonical, fraction * duration, duration);
    if (fraction > 0 && (!before || this.now() - before.lastViewedAt > SESSION_GAP_MS)) {
      const file = this.tree.filesOf(canonical)[0] ?? (item.kind === 'file' ? item : undefined);
      if (file) await this.access.record(file, this.now());
    }
  }

  async setFavorite(scope: AccessScope, id: number, favorite: boolean): Promise<void> {
    const item = this.require(scope, id);
    if (favorite) await this.index.favorites.add(scope.userId, [item.id]);
    else await this.index.favorites.remove(scope.userId, this.presenter.linkedIds(item));
  }
}
