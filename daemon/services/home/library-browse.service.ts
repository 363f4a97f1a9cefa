/**
 * Plex-style library browsing: a library's items (the kind its type lists: movies, shows,
 * artists, or its files), recently added, and recently added across libraries.
 *
 * Unfiltered pages are one range scan of the metadata sort index with native offset/limit
 * (ItemRepo.listByMeta); for a user with content rules the scan leaves out the items
 * AccessScope.hiddenIn finds from the index (rated/labelled items and what inherits from
 * them), so no item-by-item pass. Filters (genre, year, watched) need a pass: genre and
 * year candidates come from the search token index (item tokens include genres and years),
 * the rest from the library's items; matches are sorted in memory and paged.
 */
import { ValidationError } from '../../domain/errors.js';
import type { IndexStore, MetaSort } from '../../domain/ports.js';
import type { Item, ItemKind, Library } from '../../domain/types.js';
import { nameKey } from '../../index/keys.js';
import type { AccessScope } from '../access/access.service.js';
import type { HomeItem, HomePresenter } from './home-item.js';
import type { ItemTree } from './item-tree.js';
import type { ProgressService } from './progress.service.js';

export interface ItemsQuery {
  offset: number; limit: number; sort: MetaSort; order: 'asc' | 'desc';
  /** movie, show, season, episode, artist, album, track, or 'file'. */
  type?: string; genre?: string; year?: number;
  /** 'watched' | 'unwatched' | 'partial'. */
  watched?: string;
}

export interface ItemsPage {
  library: { id: string; numericId: number; name: string; type: string };
  items: HomeItem[]; totalCount: number; offset: number; limit: number;
}

const TYPES = ['movie', 'show', 'season', 'episode', 'artist', 'album', 'track', 'file'] as const;
const SORTS: readonly MetaSort[] = ['title', 'addedAt', 'year', 'size'];
export const MAX_PAGE = 500;
const CHUNK = 500;
const MAX_SCAN = 200_000;

/** Parse ?offset&limit&sort&order&type&genre&year&watched (400 on nonsense). */
export function parseItemsQuery(q: URLSearchParams): ItemsQuery {
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = q.get(name);
    if (raw === null || raw === '') return def;
    if (!/^\d{1,9}$/.test(raw)) throw new ValidationError(`${name} must be a non-negative integer`, { field: name });
    const n = Number(raw);
    if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}`, { field: name });
    return n;
  };
  const [sortRaw, orderRaw] = (q.get('sort') ?? 'title').split(':');
  const sort = (sortRaw === 'added' ? 'addedAt' : sortRaw) as MetaSort;
  if (!SORTS.includes(sort)) throw new ValidationError(`sort must be one of ${SORTS.join(', ')}`, { field: 'sort' });
  const order = (q.get('order') ?? orderRaw ?? (sort === 'addedAt' ? 'desc' : 'asc')).toLowerCase();
  if (order !== 'asc' && order !== 'desc') throw new ValidationError('order must be asc or desc', { field: 'order' });
  const type = q.get('type') ?? undefined;
  if (type !== undefined && !(TYPES as readonly string[]).includes(type)) throw new ValidationError(`type must be one of ${TYPES.join(', ')}`, { field: 'type' });
  const watched = q.get('watched') ?? (q.get('unwatched') === 'true' ? 'unwatched' : undefined);
  const w = watched === 'true' ? 'watched' : watched === 'false' ? 'unwatched' : watched;
  if (w !== undefined && w !== 'watched' && w !== 'unwatched' && w !== 'partial') throw new ValidationError('watched must be true, false or partial', { field: 'watched' });
  const out: ItemsQuery = { offset: int('offset', 0, 0, 1e9), limit: int('limit', 50, 1, MAX_PAGE), sort, order };
  if (type) out.type = type;
  const genre = q.get('genre')?.trim(); if (genre) out.genre = genre;
  if (q.get('year')) out.year = int('year', 0, 1800, 3000);
  if (w) out.watched = w;
  return out;
}

/** The kind a library lists by default. */
export function defaultKind(lib: Library, index: IndexStore): ItemKind | 'file' {
  const pick = (k: ItemKind): ItemKind | 'file' => (index.items.listByMeta({ libraryId: lib.id, virtualKind: k, limit: 0 }).total > 0 ? k : 'file');
  if (lib.type === 'movie') return pick('movie');
  if (lib.type === 'tv') return pick('show');
  if (lib.type === 'music' || lib.type === 'audiobook') return pick('artist');
  return 'file';
}

/** Kind listed by "recently added" (episodes and albums are what is new in TV and music). */
function recentKind(lib: Library, index: IndexStore): ItemKind | 'file' {
  const k = defaultKind(lib, index);
  return k === 'show' ? 'episode' : k === 'artist' ? 'album' : k;
}

export class LibraryBrowseService {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly presenter: HomePresenter,
    private readonly progress: ProgressService,
  ) {}

  /** Items of a library (the kind is that of the library type unless `type` names another). */
  items(scope: AccessScope, lib: Library, q: ItemsQuery): ItemsPage {
    const kind = (q.type as ItemKind | 'file' | undefined) ?? defaultKind(lib, this.index);
    const header = { id: lib.uuid, numericId: lib.id, name: lib.name, type: lib.type };
    const base = kind === 'file' ? { libraryId: lib.id } : { libraryId: lib.id, virtualKind: kind };
    const filtered = q.genre !== undefined || q.year !== undefined || q.watched !== undefined;
    if (!filtered) {
      // Content rules: the same range scan without the (few) hidden items, found by the index.
      if (!scope.allowsLibrary(lib.id)) return { library: header, items: [], totalCount: 0, offset: q.offset, limit: q.limit };
      const excludeIds = scope.contentFiltered ? scope.hiddenIn(lib.id) : undefined;
      const page = this.index.items.listByMeta({ ...base, sort: q.sort, order: q.order, offset: q.offset, limit: q.limit, excludeIds });
      return { library: header, items: this.presenter.list(page.items, scope.userId), totalCount: page.total, offset: q.offset, limit: q.limit };
    }
    const matches = this.candidates(lib, kind, q).filter((it) => this.keep(scope, it, kind, lib.id, q));
    sortItems(matches, q.sort, q.order);
    const page = matches.slice(q.offset, q.offset + q.limit);
    return { library: header, items: this.presenter.list(page, scope.userId), totalCount: matches.length, offset: q.offset, limit: q.limit };
  }

  /** Recently added in one library, newest first. */
  recent(scope: AccessScope, lib: Library, limit: number): HomeItem[] {
    return this.presenter.list(this.recentItems(scope, lib, limit), scope.userId);
  }

  /** Recently added across the libraries the user may see, newest first. */
  discoverRecent(scope: AccessScope, limit: number): HomeItem[] {
    const all = this.index.libraries.list().filter((l) => l.purpose === 'library' && scope.allowsLibrary(l.id))
      .flatMap((l) => this.recentItems(scope, l, limit));
    all.sort((a, b) => b.addedAt - a.addedAt || b.id - a.id);
    return this.presenter.list(all.slice(0, limit), scope.userId);
  }

  recentItems(scope: AccessScope, lib: Library, limit: number): Item[] {
    const kind = recentKind(lib, this.index);
    const base = kind === 'file' ? { libraryId: lib.id } : { libraryId: lib.id, virtualKind: kind };
    const out: Item[] = [];
    for (let offset = 0; out.length < limit && offset < MAX_SCAN; offset += CHUNK) {
      const page = this.index.items.listByMeta({ ...base, sort: 'addedAt', order: 'desc', offset, limit: CHUNK });
      for (const it of page.items) if (scope.allows(it) && out.length < limit) out.push(it);
      if (offset + CHUNK >= page.total) break;
    }
    return out;
  }

  private candidates(lib: Library, kind: ItemKind | 'file', q: ItemsQuery): Item[] {
    const kinds: ItemKind[] = kind === 'file' ? ['file'] : [kind];
    const term = q.genre ?? (q.year !== undefined ? String(q.year) : undefined);
    if (term !== undefined) {
      return this.index.items.searchByName(term, { libraryIds: [lib.id], kinds, limit: MAX_SCAN }).items;
    }
    const out: Item[] = [];
    for (const it of this.index.items.iterateLibrary(lib.id)) {
      if (kind === 'file' ? it.kind === 'file' && (it.mediaType === 'video' || it.mediaType === 'audio' || it.mediaType === 'image') : it.kind === kind) out.push(it);
      if (out.length >= MAX_SCAN) break;
    }
    return out;
  }

  private keep(scope: AccessScope, it: Item, kind: ItemKind | 'file', libraryId: number, q: ItemsQuery): boolean {
    if (it.libraryId !== libraryId || (kind === 'file' ? it.kind !== 'file' : it.kind !== kind)) return false;
    const m = it.meta ?? {};
    if (q.genre !== undefined) {
      const want = q.genre.toLowerCase();
      if (!Array.isArray(m.genres) || !m.genres.some((g) => typeof g === 'string' && g.toLowerCase() === want)) return false;
    }
    if (q.year !== undefined && m.year !== q.year) return false;
    if (!scope.allows(it)) return false;
    if (q.watched !== undefined) {
      const leaves = this.tree.isPlayable(it) ? [this.tree.canonical(it)] : this.tree.leaves(it, 5_000);
      const states = leaves.map((l) => this.progress.get(scope.userId, l.id));
      const watched = leaves.length > 0 && states.every((s) => s?.watched);
      const partial = states.some((s) => (s?.offsetMs ?? 0) > 0) || (!watched && states.some((s) => s?.watched));
      if (q.watched === 'watched' && !watched) return false;
      if (q.watched === 'unwatched' && (watched || partial)) return false;
      if (q.watched === 'partial' && !partial) return false;
    }
    return true;
  }
}

function sortItems(items: Item[], sort: MetaSort, order: 'asc' | 'desc'): void {
  const title = (i: Item): string => nameKey(String(i.meta?.sortTitle ?? i.meta?.title ?? i.name));
  const keyed = items.map((i) => ({ i, k: sort === 'title' ? title(i) : sort === 'addedAt' ? i.addedAt : sort === 'year' ? (typeof i.meta?.year === 'number' ? i.meta.year : 0) : i.size }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i.id - b.i.id));
  if (order === 'desc') keyed.reverse();
  items.splice(0, items.length, ...keyed.map((x) => x.i));
}

/** Items a library lists by default (movies, shows, artists or files): kept counts, no pass. */
export function libraryItemCount(index: IndexStore, lib: Library): number {
  const k = defaultKind(lib, index);
  return index.items.listByMeta(k === 'file' ? { libraryId: lib.id, limit: 0 } : { libraryId: lib.id, virtualKind: k, limit: 0 }).total;
}
