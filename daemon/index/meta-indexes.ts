/**
 * Metadata indexes (the metadata engine's view of items), decided here once so writers
 * and verify.ts agree:
 *
 *   item-meta-sort  [code, scope, ...sortValue, id] -> [libraryId, categoryCode]
 *     code: 't' title, 'a' addedAt, 'y' year (then title), 'z' size
 *     scope (a number, so a scope is the range [code, scope] .. [code, scope + 1]):
 *       media files ("library files", OmniLux): 0 = every library, libraryId, and
 *       -1..-9 = a category (movie, tv, music, photo, ...) across libraries;
 *       virtual items: -(1000 + libraryId * 16 + kindIndex), and libraryId 0 for all libraries.
 *   item-virtual    ['k', libraryId, kind, parentId, titleKey, year] -> id  (attach files to the same movie/show)
 *                   ['p', libraryId, provider, providerId, kind] -> id      (tmdb/imdb/tvdb ids)
 *
 * Counts per scope and per-library counters (files, bytes, by category, codec, resolution)
 * live in the meta sub-db and change in the same transaction as the items (MetaCounterTxn).
 */
import type { Key } from 'lmdb';
import type { Item, ItemKind, LibraryCounters } from '../domain/types.js';
import { nameKey } from './keys.js';

/** OmniLux media categories of library files. */
export const CATEGORIES = ['movie', 'tv', 'music', 'photo', 'book', 'audiobook', 'comic', 'game', 'other'] as const;
export type Category = typeof CATEGORIES[number];
const VIRTUAL_KINDS: readonly ItemKind[] = ['movie', 'show', 'season', 'episode', 'artist', 'album', 'track', 'collection'];

export type MetaSortCode = 't' | 'a' | 'y' | 'z';

export type { LibraryCounters };

export const emptyLibraryCounters = (): LibraryCounters =>
  ({ fileCount: 0, totalSizeBytes: 0, byCategory: {}, byCodec: {}, byResolution: {} });

export const libraryCountersKey = (libraryId: number): [string, number] => ['lib-counters', libraryId];
export const LIBRARY_COUNTERS_RANGE = { start: ['lib-counters'], end: ['lib-counters', Number.MAX_SAFE_INTEGER] };
export const sortCountKey = (scope: number): [string, number] => ['sort-count', scope];
export const SORT_COUNT_RANGE = { start: ['sort-count', -Number.MAX_SAFE_INTEGER], end: ['sort-count', Number.MAX_SAFE_INTEGER] };

/** Scope numbers (see the header). */
export const categoryScope = (c: Category): number => -1 - CATEGORIES.indexOf(c);
export const virtualScope = (libraryId: number, kind: ItemKind): number => -(1000 + libraryId * 16 + VIRTUAL_KINDS.indexOf(kind));
export const metaSortRange = (code: MetaSortCode, scope: number) => ({ start: [code, scope], end: [code, scope + 1] });
export const metaSortIdOf = (key: Key): number => { const k = key as (string | number)[]; return k[k.length - 1] as number; };

/** Kodi/Jellyfin artwork names: images that describe media rather than being photos. */
const ARTWORK_NAME_RE = /(?:^|[-.])(?:poster|folder|cover|fanart|backdrop|banner|logo|clearart|clearlogo|landscape|disc|thumb)\.(?:jpe?g|png|webp|gif|tbn)$|^season(?:\d+|-specials|-all)?-?(?:poster|banner|fanart)?\.(?:jpe?g|png|webp)$/i;

/** A media file of a library: what OmniLux lists and counts (artwork images excluded). */
export function isLibraryFile(item: Item): boolean {
  if (item.kind !== 'file') return false;
  if (item.mediaType === 'video' || item.mediaType === 'audio') return true;
  return item.mediaType === 'image' && !ARTWORK_NAME_RE.test(item.name);
}

/**
 * The category of a library file, from what is known about the item alone (so indexes
 * stay pure functions of the item): a video identified as an episode is 'tv', other
 * videos 'movie'; audio 'music'; images 'photo'. meta.category (set by the metadata
 * engine from the library type) wins.
 */
export function categoryOf(item: Item): Category | undefined {
  if (!isLibraryFile(item)) return undefined;
  const set = item.meta?.category;
  if (typeof set === 'string' && (CATEGORIES as readonly string[]).includes(set)) return set as Category;
  if (item.mediaType === 'video') return item.meta?.type === 'episode' ? 'tv' : 'movie';
  if (item.mediaType === 'audio') return 'music';
  return 'photo';
}

/** 'hevc' -> 'h265', 'avc'/'h264' -> 'h264'; others lower-cased. */
export function normalizeCodec(codec: string | undefined): string | undefined {
  if (!codec) return undefined;
  const c = codec.toLowerCase();
  if (c === 'hevc' || c === 'h265' || c === 'x265') return 'h265';
  if (c === 'avc' || c === 'avc1' || c === 'h264' || c === 'x264') return 'h264';
  return c;
}

/** Resolution label from a frame size: 2160p, 1440p, 1080p, 720p, 576p, 480p, SD. */
export function resolutionLabel(width: number | undefined, height: number | undefined): string | undefined {
  if (!width || !height) return undefined;
  if (width >= 3200 || height >= 2000) return '2160p';
  if (width >= 2400 || height >= 1400) return '1440p';
  if (width >= 1800 || height >= 1000) return '1080p';
  if (width >= 1200 || height >= 700) return '720p';
  if (height >= 560) return '576p';
  if (height >= 470) return '480p';
  return 'SD';
}

/** Video codec and resolution of a probed video file. */
export function videoFacts(item: Item): { codec?: string; resolution?: string } {
  if (item.kind !== 'file' || item.mediaType !== 'video') return {};
  const v = item.probe?.video?.[0];
  return { codec: normalizeCodec(v?.codec), resolution: resolutionLabel(v?.width ?? item.probe?.width, v?.height ?? item.probe?.height) };
}

const titleOf = (item: Item): string => {
  const t = item.meta?.sortTitle ?? item.meta?.title;
  return typeof t === 'string' && t ? t : item.name;
};
const yearOf = (item: Item): number => (typeof item.meta?.year === 'number' ? item.meta.year : 0);

/** The scopes an item is listed under (empty: not in the metadata sort index). */
export function sortScopes(item: Item): number[] {
  if (item.kind === 'file' || item.kind === 'dir') {
    const c = categoryOf(item);
    return c ? [0, item.libraryId, categoryScope(c)] : [];
  }
  if (!VIRTUAL_KINDS.includes(item.kind)) return [];
  return [virtualScope(0, item.kind), virtualScope(item.libraryId, item.kind)];
}

export interface MetaIndexEntry { db: 'itemMetaSort' | 'itemVirtual'; key: Key; value: unknown }

const SORT_CODES: readonly MetaSortCode[] = ['t', 'a', 'y', 'z'];

/** The item-meta-sort key of one sort order and scope (tk: nameKey of the title). */
function sortKey(code: MetaSortCode, scope: number, item: Item, tk: string): Key {
  switch (code) {
    case 't': return ['t', scope, tk, item.id];
    case 'a': return ['a', scope, item.addedAt, item.id];
    case 'y': return ['y', scope, yearOf(item), tk, item.id];
    case 'z': return ['z', scope, item.kind === 'file' ? item.size : 0, item.id];
  }
}

/** The item's key in one sort order of one scope, or undefined when it is not listed there. */
export function metaSortKeyOf(item: Item, code: MetaSortCode, scope: number): Key | undefined {
  if (!sortScopes(item).includes(scope)) return undefined;
  return sortKey(code, scope, item, code === 't' || code === 'y' ? nameKey(titleOf(item)) : '');
}

/** Every item-meta-sort and item-virtual entry of an item. */
export function metaIndexEntries(item: Item): MetaIndexEntry[] {
  const out: MetaIndexEntry[] = [];
  const scopes = sortScopes(item);
  if (scopes.length) {
    const tk = nameKey(titleOf(item));
    const cat = categoryOf(item);
    const value = [item.libraryId, cat ? CATEGORIES.indexOf(cat) : -1];
    for (const s of scopes) {
      for (const code of SORT_CODES) out.push({ db: 'itemMetaSort', key: sortKey(code, s, item, tk), value });
    }
  }
  if (item.kind !== 'file' && item.kind !== 'dir') {
    const key = item.meta?.matchKey;
    if (typeof key === 'string' && key) out.push({ db: 'itemVirtual', key: virtualTitleKey(item.libraryId, item.kind, item.parentId, key, yearOf(item)), value: item.id });
    for (const provider of ['tmdbId', 'imdbId', 'tvdbId'] as const) {
      const v = item.meta?.[provider];
      if (typeof v === 'number' || (typeof v === 'string' && v)) out.push({ db: 'itemVirtual', key: virtualProviderKey(item.libraryId, provider, v, item.kind), value: item.id });
    }
  }
  return out;
}

export const virtualTitleKey = (libraryId: number, kind: ItemKind, parentId: number, matchKey: string, year: number): Key =>
  ['k', libraryId, kind, parentId, matchKey.slice(0, 200), year];
export const virtualProviderKey = (libraryId: number, provider: string, id: string | number, kind: ItemKind): Key =>
  ['p', libraryId, provider, String(id), kind];

/** Accumulates per-library counters and per-scope counts inside one write transaction. */
export class MetaCounterTxn {
  private readonly libs = new Map<number, LibraryCounters>();
  private readonly scopes = new Map<number, number>();

  constructor(private readonly read: (key: Key) => unknown) {}

  apply(item: Item, sign: 1 | -1): void {
    for (const s of sortScopes(item)) this.scopes.set(s, this.scopeCount(s) + sign);
    const cat = categoryOf(item);
    if (!cat) return;
    const c = this.lib(item.libraryId);
    addLibraryFile(c, item, cat, sign);
  }

  private scopeCount(s: number): number {
    return this.scopes.get(s) ?? ((this.read(sortCountKey(s)) as number | undefined) ?? 0);
  }

  private lib(id: number): LibraryCounters {
    let c = this.libs.get(id);
    if (!c) {
      const stored = this.read(libraryCountersKey(id)) as LibraryCounters | undefined;
      c = stored ? structuredClone(stored) : emptyLibraryCounters();
      this.libs.set(id, c);
    }
    return c;
  }

  /** Write what changed; empty counters are deleted. */
  flush(put: (key: Key, value: unknown) => void, remove: (key: Key) => void): void {
    for (const [s, n] of this.scopes) { if (n > 0) put(sortCountKey(s), n); else remove(sortCountKey(s)); }
    for (const [id, c] of this.libs) { if (c.fileCount > 0) put(libraryCountersKey(id), c); else remove(libraryCountersKey(id)); }
  }
}

/** Add (1) or remove (-1) one library file's contribution; shared with verify.ts. */
export function addLibraryFile(c: LibraryCounters, item: Item, cat: Category, sign: 1 | -1): void {
  c.fileCount += sign;
  c.totalSizeBytes += sign * item.size;
  const m = c.byCategory[cat] ?? (c.byCategory[cat] = { count: 0, sizeBytes: 0 });
  m.count += sign;
  m.sizeBytes += sign * item.size;
  if (m.count === 0) delete c.byCategory[cat];
  const { codec, resolution } = videoFacts(item);
  if (codec) { c.byCodec[codec] = (c.byCodec[codec] ?? 0) + sign; if (c.byCodec[codec] === 0) delete c.byCodec[codec]; }
  if (resolution) { c.byResolution[resolution] = (c.byResolution[resolution] ?? 0) + sign; if (c.byResolution[resolution] === 0) delete c.byResolution[resolution]; }
}
