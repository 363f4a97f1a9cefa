/**
 * The personal watch endpoints of the home surface: report progress, mark watched /
 * unwatched (a show, season, artist or album marks every playable item under it), batch
 * watch state, and the watchlist. Every read and write is scoped to the calling user and
 * to what they may see (hidden items answer 404 like missing ones).
 */
import { ValidationError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import type { AccessScope, AccessService } from '../access/access.service.js';
import type { HomeItem, HomePresenter } from './home-item.js';
import type { ItemTree } from './item-tree.js';
import type { ProgressService, WatchState } from './progress.service.js';

const MAX_KEYS = 500;
const MAX_OFFSET_MS = 1e10;

/** Parse a ratingKey (digits) from a route param or body field. */
export function parseRatingKey(raw: unknown, field = 'ratingKey'): number {
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s !== 'string' || !/^\d{1,15}$/.test(s) || Number(s) <= 0) throw new ValidationError(`${field} must be a ratingKey (a positive integer string)`, { field });
  return Number(s);
}

export interface ContainerState extends WatchState { leafCount: number; viewedLeafCount: number }

export class WatchService {
  constructor(
    private readonly index: IndexStore,
    private readonly access: AccessService,
    private readonly tree: ItemTree,
    private readonly presenter: HomePresenter,
    private readonly progress: ProgressService,
  ) {}

  /** POST /api/progress {ratingKey, offset[, duration]} */
  report(scope: AccessScope, body: Record<string, unknown>): WatchState {
    const id = parseRatingKey(body.ratingKey);
    const offset = body.offset ?? body.viewOffset ?? body.time;
    if (typeof offset !== 'number' || !Number.isFinite(offset) || offset < 0 || offset > MAX_OFFSET_MS) {
      throw new ValidationError('offset must be a non-negative number of milliseconds', { field: 'offset' });
    }
    const duration = body.duration;
    if (duration !== undefined && (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0 || duration > MAX_OFFSET_MS)) {
      throw new ValidationError('duration must be a non-negative number of milliseconds', { field: 'duration' });
    }
    const item = this.playable(scope, id);
    return this.progress.report(scope.userId, item, offset, duration as number | undefined);
  }

  async markWatched(scope: AccessScope, rawKey: unknown): Promise<{ success: true; ratingKey: string; marked: number }> {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    const leaves = this.tree.leaves(item).filter((l) => scope.allows(l));
    if (!leaves.length) throw new ValidationError('Nothing playable under this item', { ratingKey: String(item.id) }, 'NOT_PLAYABLE');
    const marked = await this.progress.markWatched(scope.userId, leaves);
    return { success: true, ratingKey: String(item.id), marked };
  }

  async markUnwatched(scope: AccessScope, rawKey: unknown): Promise<{ success: true; ratingKey: string; cleared: number }> {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    const leaves = this.tree.leaves(item);
    const cleared = await this.progress.markUnwatched(scope.userId, leaves);
    return { success: true, ratingKey: String(item.id), cleared };
  }

  /** GET /api/watch-state?keys=a,b,c -> { states: { key: state } }; unknown or hidden keys are left out. */
  states(scope: AccessScope, keysRaw: string | null): { states: Record<string, WatchState | ContainerState> } {
    if (!keysRaw) throw new ValidationError('keys is required (comma-separated ratingKeys)', { field: 'keys' });
    const keys = [...new Set(keysRaw.split(',').map((k) => k.trim()).filter(Boolean))];
    if (keys.length > MAX_KEYS) throw new ValidationError(`At most ${MAX_KEYS} keys per request`, { field: 'keys' });
    const states: Record<string, WatchState | ContainerState> = {};
    for (const k of keys) {
      const id = parseRatingKey(k, 'keys');
      const item = this.index.items.get(id);
      if (!item || !scope.allows(item)) continue;
      states[k] = this.stateOf(scope, item);
    }
    return { states };
  }

  stateOf(scope: AccessScope, item: Item): WatchState | ContainerState {
    if (this.tree.isPlayable(item)) {
      const c = this.tree.canonical(item);
      return { ...this.progress.view(this.progress.get(scope.userId, c.id), c.id, this.tree.durationOf(c)), ratingKey: String(item.id) };
    }
    const leaves = this.tree.leaves(item, 5_000).filter((l) => scope.allows(l));
    const states = leaves.map((l) => this.progress.get(scope.userId, l.id));
    const viewed = states.filter((s) => s?.watched).length;
    const last = Math.max(0, ...states.map((s) => s?.lastViewedAt ?? 0));
    const out: ContainerState = {
      ratingKey: String(item.id), viewOffset: 0, duration: 0, watched: leaves.length > 0 && viewed === leaves.length,
      viewCount: viewed, leafCount: leaves.length, viewedLeafCount: viewed,
    };
    if (last) out.lastViewedAt = Math.floor(last / 1000);
    return out;
  }

  // ---------------------------------------------------------------- watchlist

  watchlist(scope: AccessScope): { items: (HomeItem & { watchlistedAt: number })[]; totalCount: number } {
    const items: (HomeItem & { watchlistedAt: number })[] = [];
    for (const e of this.index.watchlist.list(scope.userId)) {
      const item = this.index.items.get(e.itemId);
      if (!item || !scope.allows(item)) continue;
      items.push({ ...this.presenter.item(item, scope.userId), watchlistedAt: Math.floor(e.addedAt / 1000) });
    }
    return { items, totalCount: items.length };
  }

  async addToWatchlist(scope: AccessScope, rawKey: unknown): Promise<{ success: true; ratingKey: string; added: boolean }> {
    const item = this.access.requireItem(scope, parseRatingKey(rawKey));
    const added = await this.index.watchlist.add(scope.userId, item.id);
    return { success: true, ratingKey: String(item.id), added };
  }

  async removeFromWatchlist(scope: AccessScope, rawKey: unknown): Promise<{ success: true; ratingKey: string; removed: boolean }> {
    const id = parseRatingKey(rawKey);
    const removed = await this.index.watchlist.remove(scope.userId, id);
    return { success: true, ratingKey: String(id), removed };
  }

  private playable(scope: AccessScope, id: number): Item {
    const item = this.access.requireItem(scope, id);
    if (!this.tree.isPlayable(item)) throw new ValidationError('Progress is reported on a movie, episode, track or media file', { ratingKey: String(id) }, 'NOT_PLAYABLE');
    return this.tree.canonical(item);
  }
}
