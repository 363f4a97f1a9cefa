/**
 * The secondary index entries an item owns. Writers diff these lists (old item vs new)
 * and verify.ts recomputes them, so "what an item is indexed under" is decided once.
 */
import type { Item } from '../domain/types.js';
import type { IndexDbs } from './env.js';
import {
  childKeys, contentMarkKey, contentMarkOf, inheritedFrom, inheritKey, itemTokens, libraryItemKey, MAX_JOINED_TOKENS, pathKey,
  pendingKey, tokenKey,
} from './keys.js';
import { metaIndexEntries } from './meta-indexes.js';
import type { Database, Key } from 'lmdb';

export type IndexDbName = 'itemPath' | 'itemChildren' | 'itemTokens' | 'itemPending' | 'itemByLibrary' | 'itemMetaSort' | 'itemVirtual' | 'itemAccess';
export const ITEM_INDEX_DBS: readonly IndexDbName[] = ['itemPath', 'itemChildren', 'itemTokens', 'itemPending', 'itemByLibrary', 'itemMetaSort', 'itemVirtual', 'itemAccess'];

export interface IndexEntry { db: IndexDbName; key: Key; value: unknown }

/** A location's root directory: kind 'dir', relPath '', parentId 0, a real location. */
export const isLocationRoot = (item: Item): boolean =>
  item.kind === 'dir' && item.locationId > 0 && item.relPath === '' && item.parentId === 0;

/** Items on storage (files, dirs) are addressable by path; virtual items are not. */
export const hasPath = (item: Item): boolean =>
  item.locationId > 0 && (item.kind === 'file' || item.kind === 'dir');

export function indexEntries(item: Item): IndexEntry[] {
  const out: IndexEntry[] = [];
  if (hasPath(item)) out.push({ db: 'itemPath', key: pathKey(item.locationId, item.relPath), value: item.id });
  // Items at the top (parentId 0: location roots, top-level virtual items) have no listing.
  if (item.parentId > 0) for (const key of childKeys(item)) out.push({ db: 'itemChildren', key, value: item.mediaType });
  if (!isLocationRoot(item)) {
    const tokens = itemTokens(item);
    // Many tokens (metadata words): the value leaves the joined list out ('') to stay small;
    // searchers then read the item's tokens from the item itself.
    const value = tokens.length > MAX_JOINED_TOKENS ? '' : tokens.join(' ');
    for (const t of tokens) out.push({ db: 'itemTokens', key: tokenKey(t, item), value });
  }
  if (item.probeState === 'pending') out.push({ db: 'itemPending', key: pendingKey(item.id), value: null });
  out.push({ db: 'itemByLibrary', key: libraryItemKey(item.libraryId, item.id), value: null });
  const mark = contentMarkOf(item);
  if (mark) out.push({ db: 'itemAccess', key: contentMarkKey(item.libraryId, item.id), value: mark });
  for (const up of inheritedFrom(item)) out.push({ db: 'itemAccess', key: inheritKey(up, item.id), value: null });
  for (const e of metaIndexEntries(item)) out.push(e);
  return out;
}

type AnyDb = Database<unknown, Key>;
const put = (dbs: IndexDbs, e: IndexEntry): void => { (dbs[e.db] as AnyDb).put(e.key, e.value); };

const sig = (e: IndexEntry): string => e.db + '\u0000' + JSON.stringify(e.key);

/** Write the index changes from `before` to `after` (either may be undefined). */
export function writeIndexDiff(dbs: IndexDbs, before: Item | undefined, after: Item | undefined): void {
  const oldEntries = before ? indexEntries(before) : [];
  const newEntries = after ? indexEntries(after) : [];
  if (oldEntries.length === 0) {
    for (const e of newEntries) put(dbs, e);
    return;
  }
  const fresh = new Map<string, IndexEntry>();
  for (const e of newEntries) fresh.set(sig(e), e);
  for (const e of oldEntries) {
    const s = sig(e);
    const n = fresh.get(s);
    if (!n) (dbs[e.db] as AnyDb).remove(e.key);
    else if (JSON.stringify(n.value) === JSON.stringify(e.value)) fresh.delete(s);
  }
  for (const e of fresh.values()) put(dbs, e);
}
