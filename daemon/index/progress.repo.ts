/**
 * ProgressRepo over LMDB (contract in domain/ports.ts). Layout (keys.ts):
 *   progress          [userId, itemId] -> WatchProgress
 *   progress-by-item  [itemId, userId] -> null           (item removal)
 *   progress-recent   [userId, updatedAt, itemId] -> null (continue watching, newest first)
 * `unlinkItemProgress` runs inside ItemTxn.removeOne and `removeProgressOfUser` inside
 * UserRepo.remove, so neither an item nor a user ever leaves progress behind.
 */
import type { ProgressRepo, WatchProgress } from '../domain/ports.js';
import { writeTxn, type IndexDbs, type IndexState } from './env.js';
import {
  progressItemKey, progressItemRange, progressKey, progressRecentKey, progressRecentRange, progressUserRange,
} from './keys.js';

function removeRecord(dbs: IndexDbs, userId: number, itemId: number): boolean {
  const old = dbs.progress.get(progressKey(userId, itemId));
  if (!old) return false;
  dbs.progress.remove(progressKey(userId, itemId));
  dbs.progressByItem.remove(progressItemKey(itemId, userId));
  dbs.progressRecent.remove(progressRecentKey(userId, old.updatedAt, itemId));
  return true;
}

/** Remove every user's progress on an item (call inside a write transaction). */
export function unlinkItemProgress(dbs: IndexDbs, itemId: number): void {
  for (const key of [...dbs.progressByItem.getKeys(progressItemRange(itemId))]) {
    removeRecord(dbs, (key as [number, number])[1], itemId);
  }
}

/** Remove all progress of a user (call inside a write transaction). Returns the count. */
export function removeProgressOfUser(dbs: IndexDbs, userId: number): number {
  let n = 0;
  for (const key of [...dbs.progress.getKeys(progressUserRange(userId))]) {
    if (removeRecord(dbs, userId, (key as [number, number])[1])) n++;
  }
  return n;
}

export class LmdbProgressRepo implements ProgressRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  get(userId: number, itemId: number): WatchProgress | undefined {
    return this.dbs.progress.get(progressKey(userId, itemId));
  }

  getMany(userId: number, itemIds: number[]): (WatchProgress | undefined)[] {
    return itemIds.map((id) => this.get(userId, id));
  }

  *recent(userId: number, limit = Number.MAX_SAFE_INTEGER): Iterable<WatchProgress> {
    const r = progressRecentRange(userId);
    let n = 0;
    for (const key of this.dbs.progressRecent.getKeys({ start: r.end, end: r.start, reverse: true })) {
      if (n >= limit) return;
      const p = this.get(userId, (key as [number, number, number])[2]);
      if (p) { n++; yield p; }
    }
  }

  async putMany(entries: { userId: number; progress: WatchProgress }[]): Promise<number> {
    if (!entries.length) return 0;
    return writeTxn(this.dbs, () => {
      let n = 0;
      for (const { userId, progress } of entries) {
        if (!this.dbs.users.doesExist(userId) || !this.dbs.items.doesExist(progress.itemId)) continue;
        const key = progressKey(userId, progress.itemId);
        const old = this.dbs.progress.get(key);
        if (old) this.dbs.progressRecent.remove(progressRecentKey(userId, old.updatedAt, progress.itemId));
        else this.dbs.progressByItem.put(progressItemKey(progress.itemId, userId), null);
        this.dbs.progress.put(key, progress);
        this.dbs.progressRecent.put(progressRecentKey(userId, progress.updatedAt, progress.itemId), null);
        n++;
      }
      return n;
    });
  }

  async remove(userId: number, itemIds: number[]): Promise<number> {
    return writeTxn(this.dbs, () => {
      let n = 0;
      for (const id of new Set(itemIds)) if (removeRecord(this.dbs, userId, id)) n++;
      return n;
    });
  }

  count(userId?: number): number {
    return userId === undefined ? this.dbs.progress.getCount() : this.dbs.progress.getKeysCount(progressUserRange(userId));
  }
}
