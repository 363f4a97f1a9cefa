/**
 * Catalog browsing and search (Catalogizer /catalog, /catalog-info, /search*): reads the
 * index only, over the virtual namespace (libraries by name at the top; the library name is
 * Catalogizer's storage root name). Listings of one folder are index range scans; searches
 * start from the name-token index (or, without a query, the library's items) and filter.
 */
import type { CatalogRepo, ChildSort, IndexStore } from '../../../domain/ports.js';
import type { Item, Library } from '../../../domain/types.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { VirtualPathService } from '../../browse/virtual-path.service.js';
import { toFileInfo, type FileInfo } from './file-info.js';
import { compareItems, matches, type SearchFilter } from './search-filter.js';

export interface ListQuery { sortBy: string; sortOrder: 'asc' | 'desc'; limit: number; offset: number }
export interface ListResult { files: FileInfo[]; count: number; limit: number; offset: number; total: number; path: string }

/** Most candidates one search examines (a query matching more is narrowed by its filters). */
const MAX_CANDIDATES = 200_000;

export interface DuplicateGroupView {
  id: number; hash: string; size: number; count: number; file_count: number; total_size: number;
  files: FileInfo[]; created_at: string; updated_at: string;
}

export class CatalogService {
  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    private readonly catalog: CatalogRepo,
  ) {}

  /** Catalogizer storage root names: the libraries, sorted. */
  roots(): string[] { return this.paths.libraries().map((l) => l.name); }

  /** A library by its name (Catalogizer `smb_root`); NotFound when absent. */
  library(name: string): Library {
    const lib = this.paths.libraries().find((l) => l.name === name) ?? this.index.libraries.getByName(name);
    if (!lib || lib.purpose !== 'library') throw new NotFoundError(`Storage root not found: ${name}`, 'ROOT_NOT_FOUND');
    return lib;
  }

  info(pathOrId: string): FileInfo {
    const clean = pathOrId.replace(/^\/+/, '');
    if (!clean) throw new ValidationError('Path is required', { field: 'path' }, 'PATH_REQUIRED');
    if (/^\d+$/.test(clean)) {
      const item = this.index.items.get(Number(clean));
      if (!item || (item.kind !== 'file' && item.kind !== 'dir')) throw new NotFoundError('File not found', 'FILE_NOT_FOUND');
      return this.view(item);
    }
    const r = this.paths.resolve(clean);
    if (r.kind === 'item') return this.view(r.item, r.library);
    if (r.kind === 'library' && r.roots[0]) return this.view(r.roots[0], r.library);
    throw new NotFoundError('File not found', 'FILE_NOT_FOUND');
  }

  list(rawPath: string, q: ListQuery): ListResult {
    const path = rawPath.replace(/^\/+|\/+$/g, '');
    const r = this.paths.resolve(path);
    let items: Item[];
    let total: number;
    if (r.kind === 'root') {
      const all = this.paths.libraries().flatMap((lib) => {
        const root = lib.locations[0] && this.index.items.get(lib.locations[0].rootItemId);
        return root ? [root] : [];
      }).sort(compareItems(q.sortBy, q.sortOrder));
      total = all.length;
      items = all.slice(q.offset, q.offset + q.limit);
    } else {
      const parents = r.kind === 'library' ? r.roots : r.item.kind === 'dir' ? [r.item] : [];
      if (parents.length === 1) {
        const sort: ChildSort = q.sortBy === 'size' ? 'size' : q.sortBy === 'modified' ? 'date' : 'name';
        const page = this.index.items.listChildren(parents[0].id, {
          sort, order: q.sortOrder, foldersFirst: !['name', 'size', 'modified'].includes(q.sortBy), offset: q.offset, limit: q.limit,
        });
        items = page.items;
        total = page.total;
      } else {
        const all = parents.flatMap((p) => [...this.index.items.iterateChildren(p.id)]).sort(compareItems(q.sortBy, q.sortOrder));
        total = all.length;
        items = all.slice(q.offset, q.offset + q.limit);
      }
    }
    return { files: items.map((i) => this.view(i)), count: items.length, limit: q.limit, offset: q.offset, total, path };
  }

  search(f: SearchFilter): { files: FileInfo[]; total: number; count: number; limit: number; offset: number } {
    const libs = f.roots ? f.roots.map((n) => this.index.libraries.getByName(n)).filter((l): l is Library => Boolean(l && l.purpose === 'library'))
      : this.paths.libraries();
    const libIds = libs.map((l) => l.id);
    const byId = new Map(libs.map((l) => [l.id, l]));
    const hits: Item[] = [];
    const consider = (item: Item): void => {
      if (item.kind !== 'file' && item.kind !== 'dir') return;
      const lib = byId.get(item.libraryId);
      if (!lib || !item.relPath) return;
      if (matches(item, `${lib.name}/${item.relPath}`, f)) hits.push(item);
    };
    if (libIds.length) {
      if (f.query) {
        const page = this.index.items.searchByName(f.query, { libraryIds: libIds, kinds: ['file', 'dir'], limit: MAX_CANDIDATES });
        for (const item of page.items) consider(item);
      } else {
        let seen = 0;
        for (const lib of libs) {
          for (const item of this.index.items.iterateLibrary(lib.id)) { consider(item); if (++seen >= MAX_CANDIDATES) break; }
        }
      }
    }
    hits.sort(compareItems(f.sortBy, f.sortOrder));
    const page = hits.slice(f.offset, f.offset + f.limit);
    return { files: page.map((i) => this.view(i, byId.get(i.libraryId))), total: hits.length, count: page.length, limit: f.limit, offset: f.offset };
  }

  /** Duplicate groups of one library (from the background detector's cached result). */
  duplicates(rootName: string, minCount: number, limit: number): { groups: DuplicateGroupView[]; count: number; computed_at: string | null } {
    const lib = this.library(rootName);
    const result = this.catalog.duplicates(lib.id);
    const at = result ? new Date(result.computedAt).toISOString() : null;
    const groups = (result?.groups ?? [])
      .map((g) => ({ g, items: this.index.items.getMany(g.ids).filter((i): i is Item => Boolean(i)) }))
      .filter(({ items }) => items.length >= Math.max(2, minCount))
      .sort((a, b) => b.items.length - a.items.length || b.g.size - a.g.size)
      .slice(0, limit)
      .map(({ g, items }, i) => ({
        id: i + 1, hash: g.hash, size: g.size, count: items.length, file_count: items.length, total_size: g.size * items.length,
        files: items.map((it) => this.view(it, lib)), created_at: at ?? '', updated_at: at ?? '',
      }));
    return { groups, count: groups.length, computed_at: at };
  }

  view(item: Item, library?: Library): FileInfo {
    const lib = library ?? this.index.libraries.get(item.libraryId);
    return toFileInfo(item, lib, this.catalog.hashes(item.id)?.full);
  }
}
