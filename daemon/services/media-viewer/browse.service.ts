/**
 * GET /api/files and GET /api/media (api-000 §3.1, §3.3). A page is a range scan of the
 * index's ordered children (listChildren: folders first, name/date/size/type in both
 * directions), so a 10,000-item folder costs one page of reads, not a load-and-sort.
 * The virtual root lists the viewer's libraries; a library merges its locations.
 */
import type { ChildPageQuery, ChildSort, IndexStore, Page } from '../../domain/ports.js';
import type { Item, Library } from '../../domain/types.js';
import type { VirtualPathService, Resolved } from '../browse/virtual-path.service.js';
import { NotFoundError, isDomainError } from '../../domain/errors.js';
import { ListingCache, presentJson, type ListingCacheOptions, type PresentedPage } from './listing-cache.js';
import {
  MEDIA_FILE_TYPES, mediaTypesOf, type MediaFile, type MediaFileType, type MediaFilePresenter, type PathPart, type Viewer,
} from './media-file.js';

export const ROOT_NAME = 'Media';
export const DEFAULT_PAGE_SIZE = 50;
/** Upstream clamps at 100,000; one answer of more than 10,000 items is not a page. */
export const MAX_PAGE_SIZE = 10_000;
const SORTS: readonly ChildSort[] = ['name', 'date', 'size', 'type'];

export interface ListQuery {
  path: string;
  sort: ChildSort;
  order: 'asc' | 'desc';
  type?: MediaFileType;
  /** The raw type filter, echoed into nothing but kept for unknown values (folders only). */
  typeRaw: string;
  page: number;
  pageSize: number;
}

export interface DirectoryListing {
  path: string;
  name: string;
  parent?: string;
  breadcrumb: PathPart[];
  items: MediaFile[];
  favorites?: MediaFile[];
  totalItems: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

const positiveInt = (raw: string | null | undefined, fallback: number): number => {
  if (raw === null || raw === undefined || !/^\s*\d+\s*$/.test(raw)) return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

/** Upstream's lenient parsing: unknown sort -> name, order other than desc -> asc, bad numbers -> defaults. */
export function parseListQuery(q: { get(name: string): string | null }): ListQuery {
  const sort = (SORTS as readonly string[]).includes(q.get('sort') ?? '') ? q.get('sort') as ChildSort : 'name';
  const typeRaw = q.get('type') ?? '';
  return {
    path: q.get('path') ?? '',
    sort,
    order: q.get('order') === 'desc' ? 'desc' : 'asc',
    type: (MEDIA_FILE_TYPES as readonly string[]).includes(typeRaw) ? typeRaw as MediaFileType : undefined,
    typeRaw,
    page: positiveInt(q.get('page'), 1),
    pageSize: Math.min(MAX_PAGE_SIZE, positiveInt(q.get('pageSize'), DEFAULT_PAGE_SIZE)),
  };
}

export function breadcrumbOf(segments: string[]): PathPart[] {
  const out: PathPart[] = [{ name: ROOT_NAME, path: '' }];
  for (let i = 0; i < segments.length; i++) out.push({ name: segments[i], path: segments.slice(0, i + 1).join('/') });
  return out;
}

export class BrowseService {
  /** Serialised pages of listFiles; absent when the index has no write generation. */
  readonly listingCache?: ListingCache;

  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    private readonly presenter: MediaFilePresenter,
    private readonly favoritesOf: (viewer: Viewer) => MediaFile[],
    cache: ListingCacheOptions = {},
  ) {
    const generation = index.writeGeneration?.bind(index);
    if (generation) this.listingCache = new ListingCache(generation, cache);
  }

  /**
   * listFiles serialised, from the listing cache when the index has not changed since the
   * same viewer asked for the same page. Viewers with content rules (`allows`) bypass it.
   */
  presentFiles(q: ListQuery, viewer: Viewer): PresentedPage {
    if (!this.listingCache || viewer.allows) return presentJson(this.listFiles(q, viewer));
    const key = `${viewer.userId}|${viewer.libraryIds?.join(',') ?? '*'}|${q.sort}|${q.order}|${q.page}|${q.pageSize}|${q.typeRaw.length}:${q.typeRaw}|${q.path}`;
    return this.listingCache.get(key, () => this.listFiles(q, viewer));
  }

  listFiles(q: ListQuery, viewer: Viewer): DirectoryListing {
    const segments = q.path.split('/').filter((s) => s !== '' && s !== '.');
    const resolved = this.resolveOrNothing(q.path, viewer);
    const offset = (q.page - 1) * q.pageSize;
    let page: { items: MediaFile[]; total: number } = { items: [], total: 0 };
    const present = { thumbnails: 'browse', tags: true, itemCount: true } as const;
    if (resolved?.kind === 'root') {
      const libs = this.paths.libraries(viewer.libraryIds);
      // Libraries are folders: they survive every type filter and sort by name only.
      const ordered = q.order === 'desc' ? libs.reverse() : libs;
      page = {
        total: ordered.length,
        items: ordered.slice(offset, offset + q.pageSize).map((lib) => this.presenter.presentLibrary(lib, this.rootsOf(lib), viewer, present)),
      };
    } else if (resolved?.kind === 'library' || (resolved?.kind === 'item' && resolved.item.kind === 'dir')) {
      const library = resolved.library;
      const parents = resolved.kind === 'library' ? resolved.roots : [resolved.item];
      const query: ChildPageQuery = {
        sort: q.sort, order: q.order, foldersFirst: true, offset, limit: q.pageSize,
        mediaTypes: q.typeRaw ? ['folder', ...(q.type && q.type !== 'folder' ? mediaTypesOf(q.type) : [])] : undefined,
      };
      const p = this.listMerged(parents, query);
      page = { total: p.total, items: p.items.map((item) => this.presenter.present(item, library, viewer, present)) };
    }
    const totalPages = Math.max(1, Math.ceil(page.total / q.pageSize));
    const listing: DirectoryListing = {
      path: q.path,
      name: segments.length ? segments[segments.length - 1] : ROOT_NAME,
      breadcrumb: breadcrumbOf(segments),
      items: page.items,
      totalItems: page.total,
      page: q.page,
      pageSize: q.pageSize,
      totalPages,
    };
    if (segments.length > 1) listing.parent = segments.slice(0, -1).join('/');
    if (segments.length === 0 && q.page === 1) {
      const favorites = this.favoritesOf(viewer);
      if (favorites.length) listing.favorites = favorites;
    }
    return reorder(listing);
  }

  /** Images and videos directly in a folder, sorted, every one with thumbnailUrl and tags. */
  listMedia(q: ListQuery, viewer: Viewer): MediaFile[] {
    const resolved = this.resolveOrNothing(q.path, viewer);
    if (!resolved || resolved.kind === 'root') return [];
    if (resolved.kind === 'item' && resolved.item.kind !== 'dir') return [];
    const parents = resolved.kind === 'library' ? resolved.roots : [resolved.item];
    const items: Item[] = [];
    for (const parent of parents) {
      for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
        const p = this.index.items.listChildren(parent.id, { sort: q.sort, order: q.order, foldersFirst: true, mediaTypes: ['image', 'video'], offset, limit: MAX_PAGE_SIZE });
        items.push(...p.items);
        if (offset + MAX_PAGE_SIZE >= p.total) break;
      }
    }
    // Upstream's secondary order is name ascending (the index's is id): a stable re-sort.
    const cmp = comparator(q.sort, q.order);
    items.sort((a, b) => cmp(a, b) || byName(a, b));
    return items.map((item) => this.presenter.present(item, resolved.library, viewer, { thumbnails: 'media', tags: true, itemCount: false }));
  }

  /** Upstream answers an unknown folder with an empty listing (200), not 404. */
  private resolveOrNothing(path: string, viewer: Viewer): Resolved | undefined {
    try {
      return this.paths.resolve(path, viewer.libraryIds);
    } catch (err) {
      if (isDomainError(err) && err instanceof NotFoundError) return undefined;
      throw err; // traversal and other invalid paths: 400
    }
  }

  private rootsOf(lib: Library): Item[] {
    return lib.locations.map((l) => this.index.items.get(l.rootItemId)).filter((i): i is Item => Boolean(i));
  }

  /** One parent: the index's page. Several (a multi-location library): merge their pages. */
  private listMerged(parents: Item[], q: ChildPageQuery): Page<Item> {
    if (parents.length === 1) return this.index.items.listChildren(parents[0].id, q);
    const want = (q.offset ?? 0) + (q.limit ?? DEFAULT_PAGE_SIZE);
    let total = 0;
    const all: Item[] = [];
    for (const p of parents) {
      const page = this.index.items.listChildren(p.id, { ...q, offset: 0, limit: want });
      total += page.total;
      all.push(...page.items);
    }
    const cmp = comparator(q.sort ?? 'name', q.order ?? 'asc');
    all.sort((a, b) => rank(a) - rank(b) || cmp(a, b) || a.id - b.id);
    return { items: all.slice(q.offset ?? 0, want), total };
  }
}

const rank = (i: Item): number => (i.kind === 'dir' || i.mediaType === 'folder' ? 0 : 1);
// Created on the first in-memory sort: building a collator maps ~2.5 MB of ICU data.
let collator: Intl.Collator | undefined;
const byName = (a: Item, b: Item): number =>
  (collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })).compare(a.name, b.name);

function comparator(sort: ChildSort, order: 'asc' | 'desc'): (a: Item, b: Item) => number {
  const sign = order === 'desc' ? -1 : 1;
  switch (sort) {
    case 'date': return (a, b) => sign * (a.mtimeMs - b.mtimeMs);
    case 'size': return (a, b) => sign * (a.size - b.size);
    case 'type': return (a, b) => sign * (a.mediaType.localeCompare(b.mediaType) || byName(a, b));
    default: return (a, b) => sign * byName(a, b);
  }
}

/** Upstream key order: path, name, parent, breadcrumb, items, favorites, totals. */
function reorder(l: DirectoryListing): DirectoryListing {
  const out: DirectoryListing = { path: l.path, name: l.name } as DirectoryListing;
  if (l.parent !== undefined) out.parent = l.parent;
  out.breadcrumb = l.breadcrumb;
  out.items = l.items;
  if (l.favorites) out.favorites = l.favorites;
  out.totalItems = l.totalItems;
  out.page = l.page;
  out.pageSize = l.pageSize;
  out.totalPages = l.totalPages;
  return out;
}
