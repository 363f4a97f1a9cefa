/**
 * WatchlistRepo over LMDB (contract in domain/ports.ts). Layout (keys.ts):
 *   watchlist          [userId, itemId] -> addedAt (ms)
 *   watchlist-by-item  [itemId, userId] -> null   (item removal)
 * `unlinkItemWatchlist` runs inside ItemTxn.removeOne and `removeWatchlistOfUser` inside
 * UserRepo.remove.
 */
import { NotFoundError } from '../domain/errors.js';
import type { WatchlistRepo } from '../domain/ports.js';
import { writeTxn, type IndexDbs, type IndexState } from './env.js';
import { watchlistItemKey, watchlistItemRange, watchlistKey, watchlistUserRange } from './keys.js';

/** Remove an item from every watchlist (call inside a write transaction). */
export function unlinkItemWatchlist(dbs: IndexDbs, itemId: number): void {
  for (const key of [...dbs.watchlistByItem.getKeys(watchlistItemRange(itemId))]) {
    const userId = (key as [number, number])[1];
    dbs.watchlistByItem.remove(key);
    dbs.watchlist.remove(watchlistKey(userId, itemId));
  }
}

/** Remove a user's whole watchlist (call inside a write transaction). Returns the count. */
export function removeWatchlistOfUser(dbs: IndexDbs, userId: number): number {
  let n = 0;
  for (const key of [...dbs.watchlist.getKeys(watchlistUserRange(userId))]) {
    const itemId = (key as [number, number])[1];
    dbs.watchlist.remove(key);
    dbs.watchlistByItem.remove(watchlistItemKey(itemId, userId));
    n++;
  }
  return n;
}

export class LmdbWatchlistRepo implements WatchlistRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(userId: number): { itemId: number; addedAt: number }[] {
    const out: { itemId: number; addedAt: number }[] = [];
    for (const { key, value } of this.dbs.watchlist.getRange(watchlistUserRange(userId))) {
      out.push({ itemId: (key as [number, number])[1], addedAt: value });
    }
    return out.sort((a, b) => b.addedAt - a.addedAt || b.itemId - a.itemId);
  }

  has(userId: number, itemId: number): boolean {
    return this.dbs.watchlist.doesExist(watchlistKey(userId, itemId));
  }

  async add(userId: number, itemId: number): Promise<boolean> {
    return writeTxn(this.dbs, () => {
      if (!this.dbs.items.doesExist(itemId)) throw new NotFoundError(`item ${itemId} not found`, 'ITEM_NOT_FOUND');
      if (this.dbs.watchlist.doesExist(watchlistKey(userId, itemId))) return false;
      this.dbs.watchlist.put(watchlistKey(userId, itemId), this.state.now());
      this.dbs.watchlistByItem.put(watchlistItemKey(itemId, userId), null);
      return true;
    });
  }

  async remove(userId: number, itemId: number): Promise<boolean> {
    return writeTxn(this.dbs, () => {
      if (!this.dbs.watchlist.doesExist(watchlistKey(userId, itemId))) return false;
      this.dbs.watchlist.remove(watchlistKey(userId, itemId));
      this.dbs.watchlistByItem.remove(watchlistItemKey(itemId, userId));
      return true;
    });
  }

  count(userId?: number): number {
    return userId === undefined ? this.dbs.watchlist.getCount() : this.dbs.watchlist.getKeysCount(watchlistUserRange(userId));
  }
}
