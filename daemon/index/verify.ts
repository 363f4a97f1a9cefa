/**
 * verifyIndexConsistency: a full recount of the item data against every secondary index,
 * childCount and the persisted counters. O(items) time and memory: for tests, the crash
 * test, and an admin "check index" command, never for request paths.
 */
import type { IndexStore } from '../domain/ports.js';
import type { IndexCounters, Item } from '../domain/types.js';
import { applyItem, diffCounters, emptyCounters } from './counters.js';
import type { IndexDbs } from './env.js';
import { ITEM_INDEX_DBS, indexEntries, type IndexDbName } from './item-indexes.js';
import { verifyMetaCounters } from './verify-meta.js';
import { verifyHomeData } from './verify-home.js';
import { DELETING_RANGE, META_COUNTERS, favoriteItemKey, favoriteKey, itemTagKey, libraryNameKey, seqKey, tagItemKey, tagKey } from './keys.js';

const MAX_PROBLEMS = 200;

function dbsOf(store: IndexStore): IndexDbs {
  const dbs = (store as IndexStore & { dbs?: IndexDbs }).dbs;
  if (!dbs) throw new TypeError('verifyIndexConsistency needs a store opened by openIndexStore');
  return dbs;
}

/** Returns human-readable problems; an empty list means the index is consistent. */
export function verifyIndexConsistency(store: IndexStore): string[] {
  const dbs = dbsOf(store);
  const problems: string[] = [];
  const report = (p: string) => { if (problems.length < MAX_PROBLEMS) problems.push(p); };
  const deleting = new Set([...dbs.meta.getKeys(DELETING_RANGE)].map((k) => (k as [string, number])[1]));

  const expected = new Map<IndexDbName, Map<string, unknown>>(ITEM_INDEX_DBS.map((d) => [d, new Map()]));
  const children = new Map<number, number>();
  const recount: IndexCounters = emptyCounters();
  const items = new Map<number, Pick<Item, 'parentId' | 'childCount' | 'libraryId'>>();
  let maxId = 0;
  for (const { key, value: item } of dbs.items.getRange({})) {
    if (item.id !== key) report(`item key ${key} holds item ${item.id}`);
    maxId = Math.max(maxId, item.id);
    items.set(item.id, { parentId: item.parentId, childCount: item.childCount, libraryId: item.libraryId });
    applyItem(recount, item, 1);
    if (item.parentId > 0) children.set(item.parentId, (children.get(item.parentId) ?? 0) + 1);
    for (const e of indexEntries(item)) {
      const map = expected.get(e.db) as Map<string, unknown>;
      const sig = JSON.stringify(e.key);
      if (map.has(sig)) report(`${e.db}: two items claim key ${sig}`);
      map.set(sig, e.value);
    }
  }

  for (const db of ITEM_INDEX_DBS) {
    const want = expected.get(db) as Map<string, unknown>;
    for (const { key, value } of dbs[db].getRange({})) {
      const sig = JSON.stringify(key);
      if (!want.has(sig)) { report(`${db}: stale entry ${sig}`); continue; }
      if (JSON.stringify(want.get(sig)) !== JSON.stringify(value)) report(`${db}: entry ${sig} has value ${JSON.stringify(value)}`);
      want.delete(sig);
    }
    for (const sig of want.keys()) report(`${db}: missing entry ${sig}`);
  }

  for (const [id, item] of items) {
    const actual = children.get(id) ?? 0;
    if ((item.childCount ?? 0) !== actual) report(`item ${id}: childCount ${item.childCount ?? 0}, actual children ${actual}`);
    if (item.parentId > 0 && !items.has(item.parentId) && !deleting.has(item.libraryId)) {
      report(`item ${id}: parent ${item.parentId} does not exist`);
    }
  }

  const stored = (dbs.meta.get(META_COUNTERS) as IndexCounters | undefined) ?? emptyCounters();
  for (const p of diffCounters(stored, recount)) report(p);
  for (const p of verifyMetaCounters(dbs)) report(p);
  const seq = (dbs.meta.get(seqKey('item')) as number | undefined) ?? 0;
  if (seq < maxId) report(`item counter ${seq} is below the highest item id ${maxId}`);

  for (const { value: lib } of dbs.libraries.getRange({})) {
    if (dbs.libraryByName.get(libraryNameKey(lib.name)) !== lib.id) report(`library ${lib.id}: name index missing`);
    if (dbs.libraryByUuid.get(lib.uuid) !== lib.id) report(`library ${lib.id}: uuid index missing`);
    for (const loc of lib.locations) {
      const root = dbs.items.get(loc.rootItemId);
      if (!root || root.locationId !== loc.id || root.relPath !== '' || root.libraryId !== lib.id) {
        report(`library ${lib.id}: location ${loc.id} root item ${loc.rootItemId} is missing or wrong`);
      }
    }
  }
  verifyUserData(dbs, (id) => items.has(id), report);
  verifyHomeData(dbs, (id) => items.has(id), report);
  return problems;
}

/** Tags (both link directions, counts, key index) and favorites (both directions, users). */
function verifyUserData(dbs: IndexDbs, itemExists: (id: number) => boolean, report: (p: string) => void): void {
  const counts = new Map<number, number>();
  for (const { value: tag } of dbs.tags.getRange({})) {
    counts.set(tag.id, 0);
    if (tag.key !== tagKey(tag.name)) report(`tag ${tag.id}: key '${tag.key}' does not match name '${tag.name}'`);
    if (dbs.tagByKey.get(tag.key) !== tag.id) report(`tag ${tag.id}: name index missing`);
  }
  for (const { key, value: id } of dbs.tagByKey.getRange({})) {
    if (dbs.tags.get(id)?.key !== key) report(`tag-by-key: stale entry '${String(key)}'`);
  }
  for (const key of dbs.tagItems.getKeys({})) {
    const [tagId, itemId] = key as [number, number];
    if (!counts.has(tagId)) report(`tag-items: link [${tagId}, ${itemId}] to a missing tag`);
    else counts.set(tagId, (counts.get(tagId) ?? 0) + 1);
    if (!itemExists(itemId)) report(`tag-items: link [${tagId}, ${itemId}] to a missing item`);
    if (!dbs.itemTags.doesExist(itemTagKey(itemId, tagId))) report(`item-tags: missing reverse link [${itemId}, ${tagId}]`);
  }
  for (const key of dbs.itemTags.getKeys({})) {
    const [itemId, tagId] = key as [number, number];
    if (!dbs.tagItems.doesExist(tagItemKey(tagId, itemId))) report(`item-tags: stale link [${itemId}, ${tagId}]`);
  }
  for (const [tagId, n] of counts) {
    const stored = dbs.tags.get(tagId)?.itemCount ?? 0;
    if (stored !== n) report(`tag ${tagId}: itemCount ${stored}, actual links ${n}`);
  }
  for (const key of dbs.favorites.getKeys({})) {
    const [userId, itemId] = key as [number, number];
    if (!itemExists(itemId)) report(`favorites: [${userId}, ${itemId}] marks a missing item`);
    if (!dbs.users.doesExist(userId)) report(`favorites: [${userId}, ${itemId}] belongs to a missing user`);
    if (!dbs.favoriteByItem.doesExist(favoriteItemKey(itemId, userId))) report(`favorite-by-item: missing reverse [${itemId}, ${userId}]`);
  }
  for (const key of dbs.favoriteByItem.getKeys({})) {
    const [itemId, userId] = key as [number, number];
    if (!dbs.favorites.doesExist(favoriteKey(userId, itemId))) report(`favorite-by-item: stale entry [${itemId}, ${userId}]`);
  }
}
