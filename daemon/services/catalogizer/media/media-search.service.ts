/**
 * Catalogizer media search and statistics (GET /api/v1/media/search, /media/stats; upstream
 * MediaBrowseHandler, api-003 §1; shapes in docs/API.md "Catalogizer — Media").
 *
 * Search: candidates come from the index, never a pass over every item:
 *   with `query`  the name-token index (searchByName; virtual items' tokens include their
 *                 genres and people), filtered by kind / media type;
 *   without       the metadata sort index of each requested virtual kind (listByMeta) and,
 *                 for file media types, each visible library's media files.
 * At most CANDIDATE_CAP candidates per source are read; then the access scope and the
 * filters (year, year range, genres, minimum rating, quality, roots, watched status,
 * external ids) apply, the result is sorted and paged. `total` counts matches among the
 * candidates read (`total_capped` says when a source hit the cap).
 *
 * Media types accepted in `media_types` (comma list): movie, show (tv_show, tv), season,
 * episode, artist, album (music), track, collection, and the file media types video, audio,
 * image. Default: movie, show, album.
 */
import { ValidationError } from '../../../domain/errors.js';
import type { AccessRepo, IndexStore } from '../../../domain/ports.js';
import type { Item, ItemKind, MediaType } from '../../../domain/types.js';
import type { AccessScope } from '../../access/access.service.js';
import { dayNumber } from '../../../index/access.repo.js';
import { genresOf, qualityOf, type MediaCatalogItem, type MediaPresenter } from './media-item.js';

export const CANDIDATE_CAP = 5_000;
const KIND_ALIASES: Record<string, ItemKind> = {
  movie: 'movie', movies: 'movie', show: 'show', tv_show: 'show', tv: 'show', series: 'show', season: 'season', episode: 'episode',
  artist: 'artist', album: 'album', music: 'album', track: 'track', song: 'track', collection: 'collection',
};
const FILE_TYPES = new Set<MediaType>(['video', 'audio', 'image']);
const DEFAULT_KINDS: ItemKind[] = ['movie', 'show', 'album'];
const SORTS = new Set(['title', 'year', 'rating', 'created', 'size']);

export interface MediaSearchRequest {
  query?: string;
  mediaTypes?: string[];
  year?: number;
  yearFrom?: number;
  yearTo?: number;
  genres?: string[];
  minRating?: number;
  quality?: string[];
  roots?: string[];
  watchedStatus?: 'watched' | 'unwatched' | 'in_progress';
  hasExternals?: boolean;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface MediaSearchResult {
  media_items: MediaCatalogItem[]; total: number; count: number; limit: number; offset: number; has_more: boolean; total_capped: boolean;
}

const csv = (v: string | null): string[] | undefined => {
  const list = v?.split(',').map((s) => s.trim()).filter(Boolean);
  return list?.length ? list : undefined;
};

function int(raw: string | null, field: string, min: number, max: number): number | undefined {
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`Invalid ${field}`, { field, details: `${field} must be an integer in [${min}, ${max}]` }, 'INVALID_PARAMETER');
  return n;
}

/** Query string -> request (ValidationError on malformed values, never a silent default). */
export function parseMediaSearch(q: URLSearchParams): MediaSearchRequest {
  const sortBy = q.get('sort_by') || 'title';
  if (!SORTS.has(sortBy)) throw new ValidationError('Invalid sort_by', { field: 'sort_by', details: `one of ${[...SORTS].join(', ')}` }, 'INVALID_PARAMETER');
  const order = q.get('sort_order') || 'asc';
  if (order !== 'asc' && order !== 'desc') throw new ValidationError('Invalid sort_order', { field: 'sort_order', details: 'asc or desc' }, 'INVALID_PARAMETER');
  const mediaTypes = csv(q.get('media_types') ?? q.get('media_type'))?.map((s) => s.toLowerCase());
  for (const t of mediaTypes ?? []) {
    if (!KIND_ALIASES[t] && !FILE_TYPES.has(t as MediaType)) throw new ValidationError('Invalid media_types', { field: 'media_types', details: `unknown media type: ${t}` }, 'INVALID_PARAMETER');
  }
  const minRatingRaw = q.get('min_rating');
  const minRating = minRatingRaw === null || minRatingRaw === '' ? undefined : Number(minRatingRaw);
  if (minRating !== undefined && (!Number.isFinite(minRating) || minRating < 0 || minRating > 10)) throw new ValidationError('Invalid min_rating', { field: 'min_rating', details: 'a number in [0, 10]' }, 'INVALID_PARAMETER');
  const watched = q.get('watched_status') || undefined;
  if (watched !== undefined && watched !== 'watched' && watched !== 'unwatched' && watched !== 'in_progress') {
    throw new ValidationError('Invalid watched_status', { field: 'watched_status', details: 'watched, unwatched or in_progress' }, 'INVALID_PARAMETER');
  }
  const ext = q.get('has_externals');
  return {
    query: q.get('query')?.trim() || q.get('q')?.trim() || undefined,
    mediaTypes,
    year: int(q.get('year'), 'year', 0, 9999),
    yearFrom: int(q.get('year_from'), 'year_from', 0, 9999),
    yearTo: int(q.get('year_to'), 'year_to', 0, 9999),
    genres: csv(q.get('genre') ?? q.get('genres'))?.map((g) => g.toLowerCase()),
    minRating,
    quality: csv(q.get('quality'))?.map((s) => s.toLowerCase()),
    roots: csv(q.get('smb_roots') ?? q.get('smb_root'))?.map((s) => s.toLowerCase()),
    watchedStatus: watched as MediaSearchRequest['watchedStatus'],
    hasExternals: ext === null || ext === '' ? undefined : ext === 'true',
    sortBy, sortOrder: order,
    limit: int(q.get('limit'), 'limit', 1, 1000) ?? 50,
    offset: int(q.get('offset'), 'offset', 0, CANDIDATE_CAP * 10) ?? 0,
  };
}

const titleKey = (it: Item): string => (typeof it.meta?.title === 'string' ? it.meta.title : it.name).toLowerCase();
const numMeta = (it: Item, k: string): number | undefined => (typeof it.meta?.[k] === 'number' ? it.meta[k] as number : undefined);

export class MediaSearchService {
  constructor(
    private readonly index: IndexStore,
    private readonly presenter: MediaPresenter,
    private readonly access: AccessRepo,
    private readonly now: () => number = Date.now,
  ) {}

  search(scope: AccessScope, r: MediaSearchRequest): MediaSearchResult {
    const kinds = new Set<ItemKind>();
    const fileTypes = new Set<MediaType>();
    for (const t of r.mediaTypes ?? []) { if (KIND_ALIASES[t]) kinds.add(KIND_ALIASES[t]); else fileTypes.add(t as MediaType); }
    if (!r.mediaTypes) for (const k of DEFAULT_KINDS) kinds.add(k);
    const libs = this.index.libraries.list().filter((l) => l.purpose === 'library' && scope.allowsLibrary(l.id));
    const libIds = libs.map((l) => l.id);
    const pool = new Map<number, Item>();
    let capped = false;
    const take = (page: { items: Item[]; total: number }): void => {
      if (page.total > page.items.length) capped = true;
      for (const it of page.items) pool.set(it.id, it);
    };
    if (r.query) {
      if (kinds.size) take(this.index.items.searchByName(r.query, { libraryIds: libIds, kinds: [...kinds], limit: CANDIDATE_CAP }));
      if (fileTypes.size) take(this.index.items.searchByName(r.query, { libraryIds: libIds, kinds: ['file'], mediaTypes: [...fileTypes], limit: CANDIDATE_CAP }));
    } else {
      for (const kind of kinds) take(this.index.items.listByMeta({ virtualKind: kind, limit: CANDIDATE_CAP }));
      if (fileTypes.size) {
        for (const id of libIds) {
          const page = this.index.items.listByMeta({ libraryId: id, limit: CANDIDATE_CAP });
          take({ items: page.items.filter((it) => fileTypes.has(it.mediaType)), total: page.total > page.items.length ? page.total : 0 });
        }
      }
    }
    const rootNames = r.roots ? new Set(r.roots) : undefined;
    const libName = new Map(libs.map((l) => [l.id, l.name.toLowerCase()]));
    const matches = [...pool.values()].filter((it) => {
      if (!scope.allows(it) || !libName.has(it.libraryId) && it.libraryId !== 0) return false;
      if (rootNames && !rootNames.has(libName.get(it.libraryId) ?? '')) return false;
      const year = numMeta(it, 'year');
      if (r.year !== undefined && year !== r.year) return false;
      if (r.yearFrom !== undefined && (year === undefined || year < r.yearFrom)) return false;
      if (r.yearTo !== undefined && (year === undefined || year > r.yearTo)) return false;
      if (r.minRating !== undefined && (numMeta(it, 'rating') ?? -1) < r.minRating) return false;
      if (r.genres) { const g = genresOf(it).map((x) => x.toLowerCase()); if (!r.genres.some((x) => g.includes(x))) return false; }
      if (r.hasExternals !== undefined) { const has = ['tmdbId', 'imdbId', 'tvdbId'].some((k) => it.meta?.[k] !== undefined); if (has !== r.hasExternals) return false; }
      if (r.quality) { const q = qualityOf(this.presenter.filesOf(it).find((f) => f.mediaType === 'video'))?.toLowerCase(); if (!q || !r.quality.includes(q)) return false; }
      if (r.watchedStatus) {
        const w = this.presenter.watchState(scope.userId, it);
        const state = w.watched ? 'watched' : w.progress > 0 ? 'in_progress' : 'unwatched';
        if (state !== r.watchedStatus) return false;
      }
      return true;
    });
    const dir = r.sortOrder === 'desc' ? -1 : 1;
    const key = (it: Item): number | string => {
      switch (r.sortBy) {
        case 'year': return numMeta(it, 'year') ?? -1;
        case 'rating': return numMeta(it, 'rating') ?? -1;
        case 'created': return it.addedAt;
        case 'size': return this.presenter.filesOf(it).reduce((s, f) => s + f.size, 0);
        default: return titleKey(it);
      }
    };
    const keyed = matches.map((it) => ({ it, k: key(it), t: titleKey(it) }));
    keyed.sort((a, b) => (a.k < b.k ? -dir : a.k > b.k ? dir : a.t < b.t ? -1 : a.t > b.t ? 1 : a.it.id - b.it.id));
    const page = keyed.slice(r.offset, r.offset + r.limit).map((x) => x.it);
    return {
      media_items: this.presenter.list(page, scope.userId), total: matches.length, count: page.length, limit: r.limit, offset: r.offset,
      has_more: r.offset + page.length < matches.length, total_capped: capped,
    };
  }

  /**
   * Totals from kept counts (listByMeta totals per visible library and kind, library
   * counters), the caller's own data, and recent activity (bounded newest-first scans).
   */
  stats(scope: AccessScope): Record<string, unknown> {
    const libs = this.index.libraries.list().filter((l) => l.purpose === 'library' && scope.allowsLibrary(l.id));
    const kinds: ItemKind[] = ['movie', 'show', 'season', 'episode', 'artist', 'album', 'track'];
    const distribution: Record<string, number> = {};
    for (const kind of kinds) distribution[kind] = libs.reduce((s, l) => s + this.index.items.listByMeta({ libraryId: l.id, virtualKind: kind, limit: 1 }).total, 0);
    const quality: Record<string, number> = { '4K/UHD': 0, '1080p': 0, '720p': 0, Other: 0 };
    let files = 0; let bytes = 0;
    const byCategory: Record<string, number> = {};
    for (const l of libs) {
      const c = this.index.items.libraryCounters(l.id);
      files += c.fileCount; bytes += c.totalSizeBytes;
      for (const [cat, v] of Object.entries(c.byCategory)) byCategory[cat] = (byCategory[cat] ?? 0) + v.count;
      for (const [res, n] of Object.entries(c.byResolution)) {
        const label = res === '4k' ? '4K/UHD' : res === '1080' ? '1080p' : res === '720' ? '720p' : 'Other';
        quality[label] += n;
      }
    }
    const since = this.now() - 86_400_000;
    let new24 = 0;
    for (const kind of ['movie', 'episode', 'track'] as ItemKind[]) {
      for (const l of libs) {
        for (const it of this.index.items.listByMeta({ libraryId: l.id, virtualKind: kind, sort: 'addedAt', order: 'desc', limit: 1_000 }).items) {
          if (it.addedAt < since) break;
          new24++;
        }
      }
    }
    const today = dayNumber(this.now());
    let reads24 = 0;
    for (const l of libs) for (const n of this.access.daily(l.id, today - 1, today).values()) reads24 += n;
    const total = Object.values(distribution).reduce((s, n) => s + n, 0);
    return {
      database: { total_media_items: total, total_files: files, total_size: bytes, libraries: libs.length, files_by_category: byCategory },
      media_type_distribution: distribution,
      quality_distribution: quality,
      recent_activity: { new_items_24h: new24, reads_24h: reads24 },
      user: { favorites: this.index.favorites.count(scope.userId), progress_records: this.index.progress.count(scope.userId) },
      generated_at: new Date(this.now()).toISOString(),
    };
  }
}
