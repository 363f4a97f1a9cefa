/**
 * Consistency checks of the home surface's per-user data (verify.ts calls this): progress
 * (record, reverse and recency entries agree; owners and items exist), watchlist (both
 * directions), invites (token index).
 */
import type { IndexDbs } from './env.js';
import { progressItemKey, progressKey, progressRecentKey, watchlistItemKey, watchlistKey } from './keys.js';

export function verifyHomeData(dbs: IndexDbs, itemExists: (id: number) => boolean, report: (p: string) => void): void {
  for (const { key, value } of dbs.progress.getRange({})) {
    const [userId, itemId] = key as [number, number];
    if (value.itemId !== itemId) report(`progress: [${userId}, ${itemId}] holds item ${value.itemId}`);
    if (!itemExists(itemId)) report(`progress: [${userId}, ${itemId}] for a missing item`);
    if (!dbs.users.doesExist(userId)) report(`progress: [${userId}, ${itemId}] belongs to a missing user`);
    if (!dbs.progressByItem.doesExist(progressItemKey(itemId, userId))) report(`progress-by-item: missing [${itemId}, ${userId}]`);
    if (!dbs.progressRecent.doesExist(progressRecentKey(userId, value.updatedAt, itemId))) report(`progress-recent: missing [${userId}, ${value.updatedAt}, ${itemId}]`);
  }
  for (const key of dbs.progressByItem.getKeys({})) {
    const [itemId, userId] = key as [number, number];
    if (!dbs.progress.doesExist(progressKey(userId, itemId))) report(`progress-by-item: stale entry [${itemId}, ${userId}]`);
  }
  for (const key of dbs.progressRecent.getKeys({})) {
    const [userId, updatedAt, itemId] = key as [number, number, number];
    if (dbs.progress.get(progressKey(userId, itemId))?.updatedAt !== updatedAt) report(`progress-recent: stale entry [${userId}, ${updatedAt}, ${itemId}]`);
  }
  for (const key of dbs.watchlist.getKeys({})) {
    const [userId, itemId] = key as [number, number];
    if (!itemExists(itemId)) report(`watchlist: [${userId}, ${itemId}] lists a missing item`);
    if (!dbs.users.doesExist(userId)) report(`watchlist: [${userId}, ${itemId}] belongs to a missing user`);
    if (!dbs.watchlistByItem.doesExist(watchlistItemKey(itemId, userId))) report(`watchlist-by-item: missing [${itemId}, ${userId}]`);
  }
  for (const key of dbs.watchlistByItem.getKeys({})) {
    const [itemId, userId] = key as [number, number];
    if (!dbs.watchlist.doesExist(watchlistKey(userId, itemId))) report(`watchlist-by-item: stale entry [${itemId}, ${userId}]`);
  }
  for (const { key, value } of dbs.invites.getRange({})) {
    if (dbs.inviteByToken.get(value.tokenHash) !== key) report(`invite ${String(key)}: token index missing`);
  }
  for (const { key, value: id } of dbs.inviteByToken.getRange({})) {
    if (dbs.invites.get(id)?.tokenHash !== key) report(`invite-by-token: stale entry for ${id}`);
  }
}
