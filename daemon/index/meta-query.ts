/**
 * Reads of the metadata indexes (meta-indexes.ts): pages in metadata order as range scans
 * with native offset/limit, per-library counters, virtual item lookups.
 */
import { compareKeys, type Key } from 'lmdb';
import type { MetaListQuery, Page, VirtualLookup } from '../domain/ports.js';
import type { Item, LibraryCounters } from '../domain/types.js';
import type { IndexDbs } from './env.js';
import {
  CATEGORIES, categoryScope, emptyLibraryCounters, libraryCountersKey, metaSortIdOf, metaSortKeyOf, metaSortRange,
  sortCountKey, virtualProviderKey, virtualScope, virtualTitleKey, type Category, type MetaSortCode,
} from './meta-indexes.js';

const SORT_CODE: Record<NonNullable<MetaListQuery['sort']>, MetaSortCode> = { title: 't', addedAt: 'a', year: 'y', size: 'z' };
const MAX_LIMIT = 1000;

export function libraryCounters(dbs: IndexDbs, libraryId: number): LibraryCounters {
  const c = dbs.meta.get(libraryCountersKey(libraryId)) as LibraryCounters | undefined;
  return c ? structuredClone(c) : emptyLibraryCounters();
}

function scopeOf(q: MetaListQuery): { scope: number; filterCategory?: number } {
  const cat = q.category !== undefined ? CATEGORIES.indexOf(q.category as Category) : undefined;
  if (q.virtualKind) return { scope: virtualScope(q.libraryId ?? 0, q.virtualKind) };
  if (q.libraryId !== undefined) return { scope: q.libraryId, filterCategory: cat };
  if (cat !== undefined) return { scope: cat < 0 ? Number.NaN : categoryScope(q.category as Category) };
  return { scope: 0 };
}

export function listByMeta(dbs: IndexDbs, q: MetaListQuery): Page<Item> {
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(q.limit ?? 50)));
  const { scope, filterCategory } = scopeOf(q);
  if (Number.isNaN(scope) || filterCategory === -1) return { items: [], total: 0 };
  const range = metaSortRange(SORT_CODE[q.sort ?? 'title'], scope);
  const reverse = q.order === 'desc';
  const opts = reverse ? { start: range.end, end: range.start, reverse: true } : { start: range.start, end: range.end };
  const ids: number[] = [];
  const exclude = q.excludeIds?.size ? q.excludeIds : undefined;
  if (filterCategory === undefined && exclude) {
    return pageWithout(dbs, SORT_CODE[q.sort ?? 'title'], scope, opts, reverse, exclude, offset, limit);
  }
  if (filterCategory === undefined) {
    const total = (dbs.meta.get(sortCountKey(scope)) as number | undefined) ?? 0;
    if (limit > 0 && offset < total) {
      // Skipping `offset` keys costs O(offset): deep pages are read from the other end.
      const end = Math.min(total, offset + limit);
      if (offset > total - end) {
        const back = reverse ? { start: range.start, end: range.end } : { start: range.end, end: range.start, reverse: true };
        for (const key of dbs.itemMetaSort.getKeys({ ...back, offset: total - end, limit: end - offset })) ids.push(metaSortIdOf(key as Key));
        ids.reverse();
      } else {
        for (const key of dbs.itemMetaSort.getKeys({ ...opts, offset, limit })) ids.push(metaSortIdOf(key as Key));
      }
    }
    return { items: load(dbs, ids), total };
  }
  // Library + category: one library rarely mixes categories; filter on the entry values.
  let seen = 0;
  for (const { key, value } of dbs.itemMetaSort.getRange(opts) as Iterable<{ key: Key; value: [number, number] }>) {
    if (value[1] !== filterCategory || exclude?.has(metaSortIdOf(key))) continue;
    if (seen >= offset && ids.length < limit) ids.push(metaSortIdOf(key));
    seen++;
  }
  return { items: load(dbs, ids), total: seen };
}

/**
 * A page of one scope's sort order without the `exclude` ids, still found with native
 * offsets: the excluded items' own sort keys are computed, then the raw start
 * position p solves p = offset + (excluded keys before the key at p), iterated from
 * p = offset (p only grows; a few rounds, capped, the rest is skipped while reading).
 */
function pageWithout(
  dbs: IndexDbs, code: MetaSortCode, scope: number, opts: { start: Key; end: Key; reverse?: boolean },
  reverse: boolean, exclude: ReadonlySet<number>, offset: number, limit: number,
): Page<Item> {
  const hidden: Key[] = [];
  const hiddenIds = new Set<number>();
  for (const id of exclude) {
    const item = dbs.items.get(id);
    const key = item && metaSortKeyOf(item, code, scope);
    if (key) { hidden.push(key); hiddenIds.add(id); }
  }
  const stored = (dbs.meta.get(sortCountKey(scope)) as number | undefined) ?? 0;
  const total = Math.max(0, stored - hidden.length);
  if (limit === 0 || offset >= total) return { items: [], total };
  // Walk to the raw position p where p - (excluded keys before p) = offset: first a native
  // skip of `offset`, then relative skips from the key reached (each round costs only the
  // distance moved). Excluded keys are compared once each as they fall behind.
  const first = (from: Key | undefined, skip: number): Key | undefined =>
    [...dbs.itemMetaSort.getKeys(from === undefined ? { ...opts, offset: skip, limit: 1 } : { ...opts, start: from, offset: skip, limit: 1 })][0] as Key | undefined;
  const isBefore = (h: Key, at: Key): boolean => { const c = compareKeys(h, at); return reverse ? c > 0 : c < 0; };
  let rest = hidden;
  let skipped = 0;
  let p = offset;
  let at = first(undefined, p);
  const fallBehind = () => {
    if (at === undefined) return;
    const ahead: Key[] = [];
    for (const h of rest) { if (isBefore(h, at)) skipped++; else ahead.push(h); }
    rest = ahead;
  };
  fallBehind();
  for (let round = 0; round < 8 && at !== undefined && offset + skipped > p; round++) {
    const move = offset + skipped - p;
    at = first(at, move);
    p += move;
    fallBehind();
  }
  if (at === undefined) return { items: [], total };
  // Visible items before p: p - skipped (never more than offset); skip any rest while reading.
  let toSkip = offset - (p - skipped);
  const ids: number[] = [];
  for (const key of dbs.itemMetaSort.getKeys({ ...opts, start: at })) {
    const id = metaSortIdOf(key as Key);
    if (hiddenIds.has(id)) continue;
    if (toSkip > 0) { toSkip--; continue; }
    ids.push(id);
    if (ids.length >= limit) break;
  }
  return { items: load(dbs, ids), total };
}

function load(dbs: IndexDbs, ids: number[]): Item[] {
  const out: Item[] = [];
  for (const id of ids) { const it = dbs.items.get(id); if (it) out.push(it); }
  return out;
}

export function findVirtual(dbs: IndexDbs, q: VirtualLookup): Item | undefined {
  const key = 'matchKey' in q
    ? virtualTitleKey(q.libraryId, q.kind, q.parentId, q.matchKey, q.year ?? 0)
    : virtualProviderKey(q.libraryId, q.provider, q.providerId, q.kind);
  const id = dbs.itemVirtual.get(key);
  return id === undefined ? undefined : dbs.items.get(id);
}
