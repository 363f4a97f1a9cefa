/**
 * Reads of the item-access index (keys.ts contentMarkKey / inheritKey): the items of a
 * library that carry a content rating or labels, and the items that inherit them. What a
 * restriction hides is decided by services/access; this only finds the few candidates.
 */
import type { ContentMarked } from '../domain/ports.js';
import type { IndexDbs } from './env.js';
import { contentMarkRange, inheritRange, type ContentMark } from './keys.js';

export function contentMarked(dbs: IndexDbs, libraryId: number): ContentMarked[] {
  const out: ContentMarked[] = [];
  for (const { key, value } of dbs.itemAccess.getRange(contentMarkRange(libraryId)) as Iterable<{ key: [string, number, number]; value: ContentMark }>) {
    const [rating, labels] = value;
    out.push(rating === null ? { id: key[2], labels } : { id: key[2], contentRating: rating, labels });
  }
  return out;
}

export function inheritorsOf(dbs: IndexDbs, ids: Iterable<number>): number[] {
  const out: number[] = [];
  for (const id of ids) {
    // Most items have no inheritors: a native count (a fresh options object: lmdb 3.5's
    // getKeysCount mutates it) is several times cheaper than opening a key iterator.
    if (dbs.itemAccess.getKeysCount(inheritRange(id)) === 0) continue;
    for (const key of dbs.itemAccess.getKeys(inheritRange(id))) out.push((key as [string, number, number])[2]);
  }
  return out;
}
