/**
 * OmniLux library API (seed 002) over the one core: roots are libraries with one location,
 * files are the libraries' media files with their identified metadata. No HTTP here: the
 * route module parses requests and calls these methods; errors are domain errors.
 */
import { basename } from 'node:path';
import type { IndexStore, MetaSort } from '../../domain/ports.js';
import type { Item, Library } from '../../domain/types.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { categoryOf, CATEGORIES, isLibraryFile } from '../../index/meta-indexes.js';
import type { LibraryService } from '../libraries/library.service.js';
import {
  presentDetail, presentFile, presentRoot, rootPath, sumStats, type OmniRoot, type OmniStats,
} from './omnilux-present.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
/** Search results sorted by another field than relevance are sorted in memory up to this many. */
const MAX_SEARCH_SORT = 10_000;

export interface FileQuery {
  mediaType?: string; rootId?: number; search?: string;
  sort?: MetaSort; order?: 'asc' | 'desc'; limit: number; offset: number;
}

export interface ScanStarter {
  /** Start (or join) a scan of a library in the background. */
  start(libraryId: number): void;
}

export interface IdentifyHook {
  /** Re-identify one file now (after a manual edit). */
  identifyNow(id: number): Promise<unknown>;
}

const EDITABLE: Record<string, 'string' | 'number' | 'strings' | 'int'> = {
  title: 'string', originalTitle: 'string', sortTitle: 'string', overview: 'string', tagline: 'string',
  year: 'int', tmdbId: 'int', tvdbId: 'int', imdbId: 'string', rating: 'number', genres: 'strings',
  season: 'int', episode: 'int', showTitle: 'string', episodeTitle: 'string',
  artist: 'string', albumArtist: 'string', album: 'string', track: 'int', disc: 'int',
};

/** Parse a path id: non-numeric -> 400, numeric -> the number. */
export function parseId(raw: string, what = 'id'): number {
  if (!/^\d{1,15}$/.test(raw)) throw new ValidationError(`Invalid ${what} "${raw.slice(0, 40)}"`, { field: what }, 'INVALID_ID');
  return Number(raw);
}

export class OmniLuxService {
  constructor(
    private readonly index: IndexStore,
    private readonly libraries: LibraryService,
    private readonly scans: ScanStarter,
    private readonly identify?: IdentifyHook,
  ) {}

  roots(): OmniRoot[] {
    return this.libraries.list().map((lib) => this.presentRoot(lib));
  }

  async addRoot(body: Record<string, unknown>): Promise<OmniRoot> {
    const path = body.path;
    if (typeof path !== 'string' || !path.startsWith('/')) throw new ValidationError('path must be an absolute directory path', { field: 'path' });
    const name = typeof body.name === 'string' && body.name.trim() ? body.name : basename(path) || path;
    const type = body.mediaType === undefined ? 'mixed' : String(body.mediaType);
    const lib = await this.libraries.create({ name, type, locations: [{ url: path }] });
    this.scans.start(lib.id);
    return this.presentRoot(lib);
  }

  async removeRoot(rawId: string): Promise<void> {
    const lib = this.library(parseId(rawId, 'rootId'));
    await this.libraries.remove(lib.id);
  }

  files(q: FileQuery): { items: Record<string, unknown>[]; total: number; limit: number; offset: number } {
    const libraryId = q.rootId !== undefined ? this.library(q.rootId).id : undefined;
    const category = q.mediaType;
    const page = q.search && q.search.trim()
      ? this.searchFiles(q.search, libraryId, category, q)
      : this.index.items.listByMeta({ libraryId, category, sort: q.sort ?? 'title', order: q.order, offset: q.offset, limit: q.limit });
    return { items: page.items.map((it) => presentFile(it, this.absPath(it))), total: page.total, limit: q.limit, offset: q.offset };
  }

  private searchFiles(search: string, libraryId: number | undefined, category: string | undefined, q: FileQuery): { items: Item[]; total: number } {
    const hits = this.index.items.searchByName(search, {
      libraryIds: libraryId !== undefined ? [libraryId] : this.libraries.list().map((l) => l.id),
      mediaTypes: ['video', 'audio', 'image'], kinds: ['file'], limit: MAX_SEARCH_SORT,
    });
    let items = hits.items.filter((it) => isLibraryFile(it) && (!category || categoryOf(it) === category));
    const total = category ? items.length : hits.total;
    if (q.sort) items = sortItems(items, q.sort, q.order ?? 'asc');
    return { items: items.slice(q.offset, q.offset + q.limit), total };
  }

  file(rawId: string): Record<string, unknown> {
    const item = this.fileItem(rawId);
    const subs = (item.sidecarIds ?? []).map((id) => this.index.items.get(id)).filter((s): s is Item => s?.mediaType === 'subtitle');
    return presentDetail(item, this.absPath(item), subs);
  }

  /** Manual edit: writes the given fields and locks them against automatic overwrite. */
  async updateMetadata(rawId: string, body: unknown): Promise<Record<string, unknown>> {
    const item = this.fileItem(rawId);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Expected a JSON object');
    const patch: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      const kind = EDITABLE[k];
      if (!kind) throw new ValidationError(`Unknown metadata field "${k}"`, { field: k });
      patch[k] = checkField(k, kind, v);
    }
    if (Object.keys(patch).length === 0) throw new ValidationError('No metadata fields given');
    const locked = [...new Set([...(item.lockedFields ?? []), ...Object.keys(patch)])];
    await this.index.items.updateMeta(item.id, patch, locked);
    // Re-link the file (a corrected title or year may name another movie/show).
    await this.identify?.identifyNow(item.id).catch(() => undefined);
    return this.file(String(item.id));
  }

  scan(rootId: unknown): { jobId: string; status: 'started' } {
    let libs: Library[];
    if (rootId === undefined || rootId === null) libs = this.libraries.list();
    else {
      if (typeof rootId !== 'number' && !(typeof rootId === 'string' && /^\d+$/.test(rootId))) throw new ValidationError('rootId must be a number', { field: 'rootId' });
      libs = [this.library(Number(rootId))];
    }
    for (const lib of libs) this.scans.start(lib.id);
    return { jobId: `scan-${Math.floor(Date.now() / 1000)}${libs.length === 1 ? `-${libs[0].id}` : ''}`, status: 'started' };
  }

  stats(): OmniStats {
    return sumStats(this.libraries.list().map((lib) => this.index.items.libraryCounters(lib.id)));
  }

  /** A library file by path id (404 for anything that is not one). */
  fileItem(rawId: string): Item {
    const id = parseId(rawId);
    const item = this.index.items.get(id);
    const lib = item ? this.index.libraries.get(item.libraryId) : undefined;
    if (!item || !isLibraryFile(item) || !lib || lib.purpose !== 'library') throw new NotFoundError(`File ${id} not found`, 'FILE_NOT_FOUND');
    return item;
  }

  private library(id: number): Library {
    const lib = this.index.libraries.get(id);
    if (!lib || lib.purpose !== 'library') throw new NotFoundError(`Library root ${id} not found`, 'ROOT_NOT_FOUND');
    return lib;
  }

  private presentRoot(lib: Library): OmniRoot {
    const root = lib.locations[0] ? this.index.roots.get(lib.locations[0].rootId) : undefined;
    return presentRoot(lib, root, this.index.items.libraryCounters(lib.id));
  }

  private absPath(item: Item): string {
    const lib = this.index.libraries.get(item.libraryId);
    const loc = lib?.locations.find((l) => l.id === item.locationId);
    const root = loc ? this.index.roots.get(loc.rootId) : undefined;
    return rootPath(root, [loc?.path, item.relPath].filter(Boolean).join('/'));
  }
}

function checkField(k: string, kind: string, v: unknown): unknown {
  const bad = (what: string): never => { throw new ValidationError(`${k} must be ${what}`, { field: k }); };
  if (v === null) return undefined;
  switch (kind) {
    case 'string': if (typeof v !== 'string' || v.length > 10_000) bad('a string'); return (v as string).trim();
    case 'int': if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad('a non-negative integer'); return v;
    case 'number': if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 10) bad('a number from 0 to 10'); return v;
    default:
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string') || v.length > 50) bad('an array of strings');
      return (v as string[]).map((s) => s.trim()).filter(Boolean);
  }
}

function sortItems(items: Item[], sort: MetaSort, order: 'asc' | 'desc'): Item[] {
  const title = (i: Item): string => String(i.meta?.sortTitle ?? i.meta?.title ?? i.name).toLowerCase();
  const key = (i: Item): number | string => (sort === 'title' ? title(i) : sort === 'addedAt' ? i.addedAt : sort === 'size' ? i.size : Number(i.meta?.year ?? 0));
  const dir = order === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => { const x = key(a); const y = key(b); return (x < y ? -1 : x > y ? 1 : a.id - b.id) * dir; });
}

/** Validate and default the list query (limit default 50, max 500). */
export function parseFileQuery(q: URLSearchParams): FileQuery {
  const intParam = (name: string, min: number, max: number, dflt: number): number => {
    const raw = q.get(name);
    if (raw === null || raw === '') return dflt;
    if (!/^\d+$/.test(raw)) throw new ValidationError(`${name} must be a non-negative integer`, { field: name });
    const n = Number(raw);
    if (n < min || n > max) throw new ValidationError(`${name} must be between ${min} and ${max}`, { field: name });
    return n;
  };
  const out: FileQuery = { limit: intParam('limit', 1, MAX_LIMIT, DEFAULT_LIMIT), offset: intParam('offset', 0, Number.MAX_SAFE_INTEGER, 0) };
  const mediaType = q.get('mediaType');
  if (mediaType) {
    if (!(CATEGORIES as readonly string[]).includes(mediaType)) throw new ValidationError(`mediaType must be one of ${CATEGORIES.join(', ')}`, { field: 'mediaType' });
    out.mediaType = mediaType;
  }
  const rootId = q.get('rootId');
  if (rootId !== null && rootId !== '') out.rootId = parseId(rootId, 'rootId');
  const search = q.get('search');
  if (search) out.search = search.slice(0, 200);
  const sort = q.get('sort');
  if (sort) {
    if (!['title', 'addedAt', 'year', 'size'].includes(sort)) throw new ValidationError('sort must be one of title, addedAt, year, size', { field: 'sort' });
    out.sort = sort as MetaSort;
  }
  const order = q.get('order');
  if (order) {
    if (order !== 'asc' && order !== 'desc') throw new ValidationError('order must be asc or desc', { field: 'order' });
    out.order = order;
  }
  return out;
}
