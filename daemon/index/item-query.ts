/**
 * The read side for item listings and name search. Both are range scans over ordered
 * indexes; item records are loaded only for the page that is returned.
 */
import { compareKeys, type Key } from 'lmdb';
import type { ChildPageQuery, ChildSort, Page } from '../domain/ports.js';
import type { Item, ItemKind, MediaType } from '../domain/types.js';
import type { IndexDbs } from './env.js';
import {
  CHILD_SORT_VALUES_AT, childIdOf, childSegment, itemTokens, kindCode, mediaTypeCode, prefixEnd, tokenize, tokenPrefixRange,
  type ChildKey, type ChildSortCode, type TokenKey,
} from './keys.js';

const SORT_CODE: Record<ChildSort, ChildSortCode> = { name: 'n', date: 'd', size: 's', type: 't' };
const MAX_LIMIT = 10_000;

interface Entry { key: ChildKey; value: string }

function loadPage(dbs: IndexDbs, ids: number[]): Item[] {
  const out: Item[] = [];
  for (const id of ids) {
    const item = dbs.items.get(id);
    if (item) out.push(item);
  }
  return out;
}

/** Merge two ordered entry streams (folders and files) into one order. */
function* merge(a: Iterator<Entry>, b: Iterator<Entry>, desc: boolean): Generator<Entry> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done) { yield x.value as Entry; x = a.next(); continue; }
    if (x.done) { yield y.value; y = b.next(); continue; }
    let c = compareKeys(x.value.key.slice(CHILD_SORT_VALUES_AT) as Key, y.value.key.slice(CHILD_SORT_VALUES_AT) as Key);
    if (desc) c = -c;
    if (c <= 0) { yield x.value; x = a.next(); } else { yield y.value; y = b.next(); }
  }
}

export function listChildren(dbs: IndexDbs, parentId: number, q: ChildPageQuery = {}): Page<Item> {
  const parent = dbs.items.get(parentId);
  if (!parent) return { items: [], total: 0 };
  if (q.includeOffline === false && parent.offline) return { items: [], total: 0 };
  const code = SORT_CODE[q.sort ?? 'name'] ?? 'n';
  const desc = q.order === 'desc';
  const foldersFirst = q.foldersFirst !== false;
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(q.limit ?? 100)));
  const filter = q.mediaTypes ? new Set<MediaType>(q.mediaTypes) : undefined;

  const segment = (rank: 0 | 1, extra: { offset?: number; limit?: number } = {}) => {
    const s = childSegment(code, parentId, rank);
    const range = desc ? { start: s.end, end: s.start, reverse: true } : s;
    return dbs.itemChildren.getRange({ ...range, ...extra }) as Iterable<Entry>;
  };

  if (!filter && foldersFirst) {
    // Fast path: two range scans with native offset/limit; total from childCount.
    const dirCount = offset > 0 ? dbs.itemChildren.getKeysCount(childSegment(code, parentId, 0)) : 0;
    const ids: number[] = [];
    if (limit > 0) {
      if (offset < dirCount || offset === 0) {
        for (const e of segment(0, { offset, limit })) ids.push(childIdOf(e.key));
      }
      if (ids.length < limit) {
        const skip = Math.max(0, offset - dirCount);
        for (const e of segment(1, { offset: skip, limit: limit - ids.length })) ids.push(childIdOf(e.key));
      }
    }
    return { items: loadPage(dbs, ids), total: parent.childCount ?? 0 };
  }

  if (filter && foldersFirst && code === 'n') {
    const page = typeFilteredByName(dbs, parentId, filter, desc, offset, limit);
    if (page) return page;
  }

  // General path: one ordered stream, filtered on the index value (the mediaType).
  const dirs = segment(0)[Symbol.iterator]();
  const files = segment(1)[Symbol.iterator]();
  const stream = foldersFirst ? concat(dirs, files) : merge(dirs, files, desc);
  const ids: number[] = [];
  let total = 0;
  for (const e of stream) {
    if (filter && !filter.has(e.value as MediaType)) continue;
    if (total >= offset && ids.length < limit) ids.push(childIdOf(e.key));
    total++;
  }
  return { items: loadPage(dbs, ids), total };
}

/**
 * Name order, folders first, filtered to folders and/or ONE file media type: the type
 * index ['t', parent, 1, mediaType, nameKey, id] holds that type's files in name order, so
 * the page is two range scans with native offset/limit and the total two key counts, with
 * no pass over the folder. Other filters (several file types) return undefined.
 */
function typeFilteredByName(dbs: IndexDbs, parentId: number, filter: Set<MediaType>, desc: boolean, offset: number, limit: number): Page<Item> | undefined {
  const fileTypes = [...filter].filter((t) => t !== 'folder');
  if (fileTypes.length > 1) return undefined;
  const dirSeg = filter.has('folder') ? childSegment('n', parentId, 0) : undefined;
  // Every nameKey of this type sorts below prefixEnd(''), the highest code point.
  const fileSeg = fileTypes.length ? { start: ['t', parentId, 1, fileTypes[0]], end: ['t', parentId, 1, fileTypes[0], prefixEnd('')] } : undefined;
  // getKeysCount mutates the options object it is given (lmdb 3.5): always pass a copy.
  const dirCount = dirSeg ? dbs.itemChildren.getKeysCount({ ...dirSeg }) : 0;
  const fileCount = fileSeg ? dbs.itemChildren.getKeysCount({ ...fileSeg }) : 0;
  const scan = (seg: { start: Key; end: Key }, skip: number, take: number): number[] => {
    if (take <= 0) return [];
    const range = desc ? { start: seg.end, end: seg.start, reverse: true } : seg;
    const out: number[] = [];
    for (const { key } of dbs.itemChildren.getRange({ ...range, offset: skip, limit: take }) as Iterable<Entry>) out.push(childIdOf(key));
    return out;
  };
  const ids: number[] = [];
  if (limit > 0 && dirSeg && offset < dirCount) ids.push(...scan(dirSeg, offset, limit));
  if (limit > 0 && fileSeg && ids.length < limit) ids.push(...scan(fileSeg, Math.max(0, offset - dirCount), limit - ids.length));
  return { items: loadPage(dbs, ids), total: dirCount + fileCount };
}

function* concat<T>(a: Iterator<T>, b: Iterator<T>): Generator<T> {
  for (let r = a.next(); !r.done; r = a.next()) yield r.value;
  for (let r = b.next(); !r.done; r = b.next()) yield r.value;
}

/** Iterate children in name order (folders first), in pages so no cursor stays open long. */
export function* iterateChildren(dbs: IndexDbs, parentId: number, pageSize = 500): Generator<Item> {
  for (const rank of [0, 1] as const) {
    const seg = childSegment('n', parentId, rank);
    let start: Key = seg.start;
    let exclusive = false;
    for (;;) {
      const page = [...dbs.itemChildren.getKeys({ start, end: seg.end, limit: pageSize, exclusiveStart: exclusive })] as ChildKey[];
      if (page.length === 0) break;
      yield* loadPage(dbs, page.map(childIdOf));
      if (page.length < pageSize) break;
      start = page[page.length - 1];
      exclusive = true;
    }
  }
}

export interface SearchOptions {
  libraryIds?: number[]; mediaTypes?: MediaType[]; kinds?: ItemKind[]; offset?: number; limit?: number;
}

/** How many candidates to count per token when picking the rarest one. */
const RARITY_PROBE = 2_000;

/** Tokens of an item whose token entries leave the joined list out (see item-indexes.ts). */
function tokensOfItem(dbs: IndexDbs, id: number): string[] {
  const item = dbs.items.get(id);
  return item ? itemTokens(item) : [];
}

/** Accepted low bytes of filter codes (kindCode * 16 + mediaTypeCode), or undefined for all. */
function lowCodeFilter(kinds: ItemKind[] | undefined, types: MediaType[] | undefined): Uint8Array | undefined {
  if (!kinds && !types) return undefined;
  const k = kinds ? new Set(kinds.map(kindCode)) : undefined;
  const m = types ? new Set(types.map(mediaTypeCode)) : undefined;
  const ok = new Uint8Array(256);
  for (let c = 0; c < 256; c++) if ((!k || k.has(c >> 4)) && (!m || m.has(c & 15))) ok[c] = 1;
  return ok;
}

/**
 * Token search. The rarest query token (native key counts, capped) drives a prefix range
 * scan of the token index; libraries, kinds and media types are checked on the key's
 * filter code (keys.ts tokenKey), so a single-word query, total included,
 * reads keys only. Other words are checked on the entry's value, the item's joined tokens
 * (or the item itself when the entry leaves them out). A prefix can span several tokens
 * of one item: ids are deduplicated once a second token shows up in the range.
 */
export function searchByName(dbs: IndexDbs, query: string, opts: SearchOptions = {}): Page<Item> {
  const tokens = tokenize(query);
  if (tokens.length === 0) return { items: [], total: 0 };
  const offset = Math.max(0, Math.floor(opts.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(opts.limit ?? 50)));
  let driver = tokens[0];
  if (tokens.length > 1) {
    let best = Infinity;
    for (const t of tokens) {
      // getKeysCount mutates the options object it is given (lmdb 3.5): a fresh one each time.
      const n = dbs.itemTokens.getKeysCount({ ...tokenPrefixRange(t), limit: RARITY_PROBE });
      if (n < best) { best = n; driver = t; }
    }
  }
  const others = tokens.filter((t) => t !== driver);
  const spaced = others.map((q) => ' ' + q);
  const libs = opts.libraryIds ? new Set(opts.libraryIds) : undefined;
  const lowOk = lowCodeFilter(opts.kinds, opts.mediaTypes);
  const accepts = (key: TokenKey): boolean => {
    const code = key[2];
    const lib = Math.floor(code / 256);
    return (!libs || libs.has(lib)) && (!lowOk || lowOk[code - lib * 256] === 1);
  };
  // Does one of the space-joined tokens start with each other word? (Tokens hold no spaces.)
  const hasOthers = (joined: string): boolean => {
    for (let i = 0; i < others.length; i++) if (!joined.startsWith(others[i]) && !joined.includes(spaced[i])) return false;
    return true;
  };
  const ids: number[] = [];
  let total = 0;
  // Ids accepted so far; only needed (and built) once the range reaches a second token.
  const accepted: number[] = [];
  let seen: Set<number> | undefined;
  let current: string | undefined;
  const take = (key: TokenKey): void => {
    const id = key[1];
    if (key[0] !== current) {
      if (current !== undefined && !seen) seen = new Set(accepted);
      current = key[0];
    }
    if (seen) { if (seen.has(id)) return; seen.add(id); } else accepted.push(id);
    if (total >= offset && ids.length < limit) ids.push(id);
    total++;
  };
  const range = tokenPrefixRange(driver);
  if (others.length === 0) {
    for (const key of dbs.itemTokens.getKeys(range) as Iterable<TokenKey>) if (accepts(key)) take(key);
  } else {
    for (const { key, value } of dbs.itemTokens.getRange(range) as Iterable<{ key: TokenKey; value: string }>) {
      if (!accepts(key)) continue;
      if (seen?.has(key[1])) continue;
      if (value) { if (!hasOthers(value)) continue; }
      else {
        const all = tokensOfItem(dbs, key[1]);
        if (!others.every((q) => all.some((t) => t.startsWith(q)))) continue;
      }
      take(key);
    }
  }
  return { items: loadPage(dbs, ids), total };
}
