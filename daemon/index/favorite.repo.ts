/**
 * FavoriteRepo over LMDB (contract in domain/ports.ts). Layout (keys.ts):
 *   favorites          [userId, itemId] -> createdAt (ms)
 *   favorite-by-item   [itemId, userId] -> null   (who marked an item; for item removal)
 * `unlinkItemFavorites` runs inside ItemTxn.removeOne and `removeFavoritesOfUser` inside
 * UserRepo.remove, so neither an item nor a user ever leaves favorites behind.
 */
import type { FavoriteRepo } from '../domain/ports.js';
import { writeTxn, type IndexDbs, type IndexState } from './env.js';
import { favoriteItemKey, favoriteItemRange, favoriteKey, favoriteUserRange } from './keys.js';

/** Remove every favorite mark on an item (call inside a write transaction). */
export function unlinkItemFavorites(dbs: IndexDbs, itemId: number): void {
  for (const key of [...dbs.favoriteByItem.getKeys(favoriteItemRange(itemId))]) {
    const userId = (key as [number, number])[1];
    dbs.favoriteByItem.remove(key);
    dbs.favorites.remove(favoriteKey(userId, itemId));
  }
}

/** Remove every favorite of a user (call inside a write transaction). Returns the count. */
export function removeFavoritesOfUser(dbs: IndexDbs, userId: number): number {
  let n = 0;
  for (const key of [...dbs.favorites.getKeys(favoriteUserRange(userId))]) {
    const itemId = (key as [number, number])[1];
    dbs.favorites.remove(key);
    dbs.favoriteByItem.remove(favoriteItemKey(itemId, userId));
    n++;
  }
  return n;
}

export class LmdbFavoriteRepo implements FavoriteRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  list(userId: number): { itemId: number; createdAt: number }[] {
    const out: { itemId: number; createdAt: number }[] = [];
    for (const { key, value } of this.dbs.favorites.getRange(favoriteUserRange(userId))) {
      out.push({ itemId: (key as [number, number])[1], createdAt: value });
    }
    // Newest first; ties (same millisecond, bulk adds) by id descending for a stable order.
    return out.sort((a, b) => b.createdAt - a.createdAt || b.itemId - a.itemId);
  }

  has(userId: number, itemId: number): boolean {
    return this.dbs.favorites.doesExist(favoriteKey(userId, itemId));
  }

  async add(userId: number, itemIds: number[]): Promise<{ added: number; missing: number[] }> {
    return writeTxn(this.dbs, () => {
      const now = this.state.now();
      const missing: number[] = [];
      let added = 0;
      for (const itemId of new Set(itemIds)) {
        if (!this.dbs.items.doesExist(itemId)) { missing.push(itemId); continue; }
        if (this.dbs.favorites.doesExist(favoriteKey(userId, itemId))) continue;
        this.dbs.favorites.put(favoriteKey(userId, itemId), now);
        this.dbs.favoriteByItem.put(favoriteItemKey(itemId, userId), null);
        added++;
      }
      return { added, missing };
    });
  }

  async remove(userId: number, itemIds: number[]): Promise<number> {
    return writeTxn(this.dbs, () => {
      let n = 0;
      for (const itemId of new Set(itemIds)) {
        if (!this.dbs.favorites.doesExist(favoriteKey(userId, itemId))) continue;
        this.dbs.favorites.remove(favoriteKey(userId, itemId));
        this.dbs.favoriteByItem.remove(favoriteItemKey(itemId, userId));
        n++;
      }
      return n;
    });
  }

  count(userId?: number): number {
    return userId === undefined ? this.dbs.favorites.getCount() : this.dbs.favorites.getKeysCount(favoriteUserRange(userId));
  }
}
