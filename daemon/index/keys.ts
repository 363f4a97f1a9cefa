/**
 * The ONE place where LMDB key layouts are encoded. Every sub-database name, every key
 * tuple and every normalisation that feeds a key (sort names, search tokens, path keys)
 * lives here, so a layout change is a change to this file plus a migration step.
 *
 * Keys are arrays encoded by lmdb-js's ordered-binary encoding: arrays compare element
 * by element, numbers numerically, strings by UTF-8 bytes. That ordering is what turns
 * every listing into a range scan.
 */
import { createHash } from 'node:crypto';
import type { Item, MediaType } from '../domain/types.js';

/** Sub-database names (one LMDB environment). */
export const DB = {
  meta: 'meta',
  items: 'items',
  itemPath: 'item-path',
  itemChildren: 'item-children',
  itemTokens: 'item-tokens',
  itemPending: 'item-pending-probe',
  itemByLibrary: 'item-by-library',
  /** Content rules (h3xed restrictions): own rating/labels per library, inheritance links. */
  itemAccess: 'item-access',
  libraries: 'libraries',
  libraryByName: 'library-by-name',
  libraryByUuid: 'library-by-uuid',
  roots: 'roots',
  rootByUrl: 'root-by-url',
  users: 'users',
  userByName: 'user-by-name',
  sessions: 'sessions',
  sessionByUser: 'session-by-user',
  sessionByExpiry: 'session-by-expiry',
  scans: 'scans',
  scanByLibrary: 'scan-by-library',
  kv: 'kv',
  tags: 'tags',
  tagByKey: 'tag-by-key',
  tagItems: 'tag-items',
  itemTags: 'item-tags',
  favorites: 'favorites',
  favoriteByItem: 'favorite-by-item',
  itemMetaSort: 'item-meta-sort',
  itemVirtual: 'item-virtual',
  /** Generic JSON records by [collection, id] (record.repo.ts). */
  records: 'records',
  /** Home surface (h3xed) per-user data: progress.repo.ts, watchlist.repo.ts, invite.repo.ts. */
  progress: 'progress',
  progressByItem: 'progress-by-item',
  progressRecent: 'progress-recent',
  watchlist: 'watchlist',
  watchlistByItem: 'watchlist-by-item',
  invites: 'invites',
  inviteByToken: 'invite-by-token',
} as const;
export type DbName = keyof typeof DB;

// ------------------------------------------------------------------ meta keys

export const META_SCHEMA_VERSION = 'schemaVersion';
export const META_COUNTERS = 'counters';
export type SeqName = 'item' | 'root' | 'library' | 'location' | 'user' | 'scan' | 'tag';
export const seqKey = (name: SeqName): [string, string] => ['seq', name];
/** Marker of a library whose items are still being purged (see LibraryRepo.remove). */
export const deletingLibraryKey = (libraryId: number): [string, number] => ['deleting-library', libraryId];
export const DELETING_RANGE = { start: ['deleting-library'], end: ['deleting-library', Number.MAX_SAFE_INTEGER] };

// ------------------------------------------------------------------ normalisation

/** Letters NFKD does not decompose but every reader treats as their base letters. */
const LETTER_FOLDS: Record<string, string> = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i' };
const LETTER_FOLD_RE = /[ßæœøłđðþı]/g;

/** Lowercase, NFKD, combining marks removed, a few ligatures expanded: 'Éclair' -> 'eclair', 'Straße' -> 'strasse'. */
export function foldText(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(LETTER_FOLD_RE, (c) => LETTER_FOLDS[c] ?? c);
}

const MAX_NAME_KEY = 200;
/**
 * Case- and accent-insensitive sort key with natural number order: each run of digits
 * is prefixed by a character encoding its length (leading zeros dropped), so 'ep9' < 'ep10'.
 */
export function nameKey(name: string): string {
  const folded = foldText(name).replace(/\d+/g, (digits) => {
    const t = digits.replace(/^0+(?=\d)/, '');
    return String.fromCharCode(0x30 + Math.min(t.length, 40)) + t;
  });
  return folded.length > MAX_NAME_KEY ? folded.slice(0, MAX_NAME_KEY) : folded;
}

const MAX_TOKEN = 64;
const MAX_TOKENS = 32;
/** Search tokens of a text: folded, split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of foldText(text).split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    const tok = raw.length > MAX_TOKEN ? raw.slice(0, MAX_TOKEN) : raw;
    if (!out.includes(tok)) out.push(tok);
  }
  return out;
}

/** Meta search words beyond titles: year, genres, people (first few), overview (first words). */
const MAX_META_TOKENS = 64;
const MAX_PEOPLE = 8;
const MAX_OVERVIEW_WORDS = 24;

/**
 * The tokens an item is findable by: its name, meta.title / meta.originalTitle, and (metadata
 * engine) meta.year, meta.genres, meta.people[].name and the first words of meta.overview.
 */
export function itemTokens(item: Pick<Item, 'name' | 'meta'>): string[] {
  const tokens = tokenize(item.name);
  const add = (text: string, cap = MAX_META_TOKENS): void => {
    for (const t of tokenize(text)) { if (tokens.length >= cap) return; if (!tokens.includes(t)) tokens.push(t); }
  };
  for (const field of ['title', 'originalTitle', 'showTitle'] as const) {
    const v = item.meta?.[field];
    if (typeof v === 'string') add(v, MAX_TOKENS);
  }
  const meta = item.meta;
  if (!meta) return tokens.slice(0, MAX_TOKENS);
  if (typeof meta.year === 'number') add(String(meta.year));
  if (Array.isArray(meta.genres)) for (const g of meta.genres) if (typeof g === 'string') add(g);
  if (Array.isArray(meta.people)) {
    for (const p of meta.people.slice(0, MAX_PEOPLE)) {
      const name = (p as { name?: unknown } | null)?.name;
      if (typeof name === 'string') add(name);
    }
  }
  if (typeof meta.overview === 'string') {
    const words = tokenize(meta.overview).filter((w) => w.length >= 4).slice(0, MAX_OVERVIEW_WORDS);
    add(words.join(' '));
  }
  return tokens.slice(0, MAX_META_TOKENS);
}

/** Above this many tokens an entry's value leaves the joined list out (searchers load the item). */
export const MAX_JOINED_TOKENS = 24;

/** Upper bound (exclusive) for a string-prefix range. */
export const prefixEnd = (prefix: string): string => prefix + '\u{10FFFF}';

// ------------------------------------------------------------------ item keys

/** LMDB keys are limited (~1.9 KB); very long paths are keyed by a hash instead. */
const MAX_PATH_BYTES = 1000;
export function pathKey(locationId: number, relPath: string): [number, string] {
  if (Buffer.byteLength(relPath) <= MAX_PATH_BYTES) return [locationId, relPath];
  return [locationId, '//sha256:' + createHash('sha256').update(relPath).digest('hex')];
}
export const locationPathRange = (locationId: number) => ({ start: [locationId], end: [locationId + 1] });

/** 0 = directories (and virtual containers), 1 = everything else. */
export const dirRank = (item: Pick<Item, 'kind' | 'mediaType'>): 0 | 1 =>
  item.kind === 'dir' || item.mediaType === 'folder' ? 0 : 1;

/** Sort discriminators of the children index. */
export type ChildSortCode = 'n' | 'd' | 's' | 't';
export type ChildKey = (string | number)[];
/** Position of the first sort value inside a children key (after code, parentId, rank). */
export const CHILD_SORT_VALUES_AT = 3;

/**
 * Children index keys of one item, one per sort order:
 *   ['n', parentId, rank, nameKey, id]
 *   ['d', parentId, rank, mtimeMs, id]
 *   ['s', parentId, rank, size, id]
 *   ['t', parentId, rank, mediaType, nameKey, id]
 * Value: the item's mediaType, so type filters never load items.
 */
export function childKeys(item: Item): ChildKey[] {
  const r = dirRank(item);
  const nk = nameKey(item.name);
  const p = item.parentId;
  return [
    ['n', p, r, nk, item.id],
    ['d', p, r, item.mtimeMs, item.id],
    ['s', p, r, item.size, item.id],
    ['t', p, r, item.mediaType, nk, item.id],
  ];
}
/** The range of one (sort, parent, rank) segment. */
export const childSegment = (code: ChildSortCode, parentId: number, rank: 0 | 1) => ({
  start: [code, parentId, rank],
  end: [code, parentId, rank + 1],
});
export const childIdOf = (key: ChildKey): number => key[key.length - 1] as number;

/**
 * Token index (schema v2): key [token, id, filterCode], value (a raw UTF-8 string, no
 * msgpack) the item's tokens joined by ' ' ('' when there are more than MAX_JOINED_TOKENS).
 * filterCode packs libraryId * 256 + kindCode * 16 + mediaTypeCode, so counting and
 * filtering a common word read keys only (one number each); the value is read for
 * multi-word queries alone. Order within a token is by id, as before.
 */
export type TokenKey = [string, number, number];
export const TOKEN_KINDS: readonly Item['kind'][] = ['dir', 'file', 'movie', 'show', 'season', 'episode', 'artist', 'album', 'track', 'collection'];
export const TOKEN_MEDIA_TYPES: readonly MediaType[] = ['folder', 'image', 'video', 'audio', 'playlist', 'subtitle', 'nfo', 'other'];
/** Code (0..15) of a kind / media type in token keys; 15: unknown to this version. */
export const kindCode = (kind: Item['kind']): number => { const i = TOKEN_KINDS.indexOf(kind); return i < 0 ? 15 : i; };
export const mediaTypeCode = (t: MediaType): number => { const i = TOKEN_MEDIA_TYPES.indexOf(t); return i < 0 ? 15 : i; };
export const tokenFilterCode = (item: Pick<Item, 'libraryId' | 'kind' | 'mediaType'>): number =>
  item.libraryId * 256 + kindCode(item.kind) * 16 + mediaTypeCode(item.mediaType);
export const tokenKey = (token: string, item: Pick<Item, 'id' | 'libraryId' | 'kind' | 'mediaType'>): TokenKey =>
  [token, item.id, tokenFilterCode(item)];
export const tokenPrefixRange = (prefix: string) => ({ start: [prefix], end: [prefixEnd(prefix)] });

/** Items still to be probed: key = item id. */
export const pendingKey = (id: number): number => id;
/** Every item of a library: [libraryId, id]. */
export const libraryItemKey = (libraryId: number, id: number): [number, number] => [libraryId, id];
export const libraryItemRange = (libraryId: number) => ({ start: [libraryId], end: [libraryId + 1] });

/**
 * Content rules index (item-access; schema v2), what a rating/label restriction can hide:
 *   ['r', libraryId, id] -> [contentRating | null, labels]  items carrying their own rating or labels
 *   ['u', upId, id]      -> null                            id inherits upId's rating and labels
 * (upId: meta.virtualId, ownerId, meta.showId, and a virtual item's parentId: the links
 * services/access follows). Most items carry neither, so a restricted listing starts from
 * the few 'r' entries and follows 'u' down instead of reading every item.
 */
export type ContentMark = [string | null, string[]];
export const contentMarkKey = (libraryId: number, id: number): [string, number, number] => ['r', libraryId, id];
export const contentMarkRange = (libraryId: number) => ({ start: ['r', libraryId], end: ['r', libraryId + 1] });
export const inheritKey = (upId: number, id: number): [string, number, number] => ['u', upId, id];
export const inheritRange = (upId: number) => ({ start: ['u', upId], end: ['u', upId + 1] });
/** The item's own rating and labels, or undefined when it carries neither. */
export function contentMarkOf(item: Pick<Item, 'meta'>): ContentMark | undefined {
  const m = item.meta;
  if (!m) return undefined;
  const rating = typeof m.contentRating === 'string' && m.contentRating.trim() ? m.contentRating : null;
  const labels = Array.isArray(m.labels) ? m.labels.filter((l): l is string => typeof l === 'string') : [];
  return rating !== null || labels.length ? [rating, labels] : undefined;
}
/** Items whose rating and labels `item` inherits (mirrors services/access AccessService.facts). */
export function inheritedFrom(item: Pick<Item, 'id' | 'kind' | 'parentId' | 'ownerId' | 'meta'>): number[] {
  const up: number[] = [];
  const add = (v: unknown) => { if (typeof v === 'number' && v !== item.id && !up.includes(v)) up.push(v); };
  add(item.meta?.virtualId);
  add(item.ownerId);
  add(item.meta?.showId);
  if (item.kind !== 'file' && item.kind !== 'dir' && item.parentId > 0) add(item.parentId);
  return up;
}

// ------------------------------------------------------------------ other entities

export const libraryNameKey = (name: string): string => foldText(name.trim());
export const userNameKey = (username: string): string => username.trim().toLowerCase();
export const sessionUserKey = (userId: number, sessionId: string): [number, string] => [userId, sessionId];
export const sessionUserRange = (userId: number) => ({ start: [userId], end: [userId + 1] });
export const sessionExpiryKey = (expiresAt: number, sessionId: string): [number, string] => [expiresAt, sessionId];
export const scanLibraryKey = (libraryId: number, scanId: number): [number, number] => [libraryId, scanId];
export const scanLibraryRange = (libraryId: number) => ({ start: [libraryId], end: [libraryId + 1] });

// ------------------------------------------------------------------ tags and favorites

const MAX_TAG_KEY = 200;
/**
 * Matching key of a tag name: trimmed, case-folded (Unicode lowercase; accents kept, so
 * 'café' and 'cafe' stay distinct tags), inner whitespace runs collapsed to one space.
 */
export function tagKey(name: string): string {
  const k = name.trim().replace(/\s+/gu, ' ').toLowerCase();
  return k.length > MAX_TAG_KEY ? k.slice(0, MAX_TAG_KEY) : k;
}
/** Tag <-> item links, both directions: [tagId, itemId] and [itemId, tagId]; value null. */
export const tagItemKey = (tagId: number, itemId: number): [number, number] => [tagId, itemId];
export const tagItemRange = (tagId: number) => ({ start: [tagId], end: [tagId + 1] });
export const itemTagKey = (itemId: number, tagId: number): [number, number] => [itemId, tagId];
export const itemTagRange = (itemId: number) => ({ start: [itemId], end: [itemId + 1] });
/** Favorites: [userId, itemId] -> createdAt (ms), and the reverse [itemId, userId] -> null. */
export const favoriteKey = (userId: number, itemId: number): [number, number] => [userId, itemId];
export const favoriteUserRange = (userId: number) => ({ start: [userId], end: [userId + 1] });
export const favoriteItemKey = (itemId: number, userId: number): [number, number] => [itemId, userId];
export const favoriteItemRange = (itemId: number) => ({ start: [itemId], end: [itemId + 1] });

// ------------------------------------------------------------------ watch progress, watchlist, invites (home surface)

/** Progress: [userId, itemId] -> WatchProgress; reverse [itemId, userId] -> null (item removal). */
export const progressKey = (userId: number, itemId: number): [number, number] => [userId, itemId];
export const progressUserRange = (userId: number) => ({ start: [userId], end: [userId + 1] });
export const progressItemKey = (itemId: number, userId: number): [number, number] => [itemId, userId];
export const progressItemRange = (itemId: number) => ({ start: [itemId], end: [itemId + 1] });
/** Recency order of a user's progress: [userId, updatedAt, itemId] -> null (continue watching). */
export const progressRecentKey = (userId: number, updatedAt: number, itemId: number): [number, number, number] => [userId, updatedAt, itemId];
export const progressRecentRange = (userId: number) => ({ start: [userId], end: [userId + 1] });
/** Watchlist: [userId, itemId] -> addedAt (ms); reverse [itemId, userId] -> null. */
export const watchlistKey = (userId: number, itemId: number): [number, number] => [userId, itemId];
export const watchlistUserRange = (userId: number) => ({ start: [userId], end: [userId + 1] });
export const watchlistItemKey = (itemId: number, userId: number): [number, number] => [itemId, userId];
export const watchlistItemRange = (itemId: number) => ({ start: [itemId], end: [itemId + 1] });
/** Invites by id (string); invite-by-token: sha256(token) hex -> invite id (the token itself is never stored). */
export const inviteTokenKey = (tokenHash: string): string => tokenHash;
