/**
 * GET /api/search and /api/search/suggestions (api-000 §6; shared with h3xed's search,
 * API-NOTES "Conflicts"). Free text is answered by the index's name-token search (a
 * prefix range scan, no pass over all items); tag filters by the tag -> items index.
 * Results are in index order (token, then id), not sorted by name: sorting every match
 * of a common word would load all of them. Items carry Media Viewer's MediaFile fields
 * plus h3xed's (ratingKey, key, title, thumb, addedAt, librarySectionID...).
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item, Library, MediaType, Tag } from '../../domain/types.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import { MEDIA_FILE_TYPES, fileTypeOf, mediaTypesOf, type MediaFile, type MediaFileType, type MediaFilePresenter, type Viewer } from './media-file.js';
import { parseSearchQuery } from './search-query.js';

export const SEARCH_DEFAULT_PAGE_SIZE = 50;
export const SEARCH_MAX_PAGE_SIZE = 200;
/** Matches gathered when a query needs filtering after the name search (tags, tag-name hits). */
const FILTER_CAP = 10_000;
const KINDS: Item['kind'][] = ['file', 'dir'];
/** Name-search results read per step when paging past excluded items. */
const SCAN_CHUNK = 200;

/**
 * The index's text folding (lowercase, accents removed, a few ligatures) and token split,
 * mirrored here to test one item against a query without a search: every query token
 * must be a prefix of one of the item's name (or title) tokens, as in ItemRepo.searchByName.
 */
const LIGATURES: Record<string, string> = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'ł': 'l', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i' };
const fold = (s: string): string => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[ßæœøłđðþı]/g, (c) => LIGATURES[c] ?? c);
export const queryTokens = (text: string): string[] => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
export function matchesTokens(item: Pick<Item, 'name' | 'meta'>, want: string[]): boolean {
  const have = queryTokens(item.name);
  for (const f of ['title', 'originalTitle'] as const) {
    const v = item.meta?.[f];
    if (typeof v === 'string') have.push(...queryTokens(v));
  }
  return want.every((q) => have.some((t) => t.startsWith(q)));
}

export interface SearchItem extends MediaFile {
  ratingKey: string;
  key: string;
  title: string;
  thumb?: string;
  addedAt: number;
  updatedAt: number;
  librarySectionID: number;
  librarySectionTitle: string;
  duration?: number;
}

export interface SearchResult<T = SearchItem> {
  items: T[]; query: string; totalItems: number; page: number; pageSize: number; totalPages: number;
}

export interface SearchParams { q: string; type: string; page: number; pageSize: number }

export interface Suggestion { path: string; name: string; type: string; highlight: string; itemCount?: number }

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `name` with the first case-insensitive occurrence of `q` in <mark>; HTML-escaped. */
export function highlight(name: string, q: string): string {
  const i = q ? name.toLowerCase().indexOf(q.toLowerCase()) : -1;
  if (i < 0) return escapeHtml(name);
  return escapeHtml(name.slice(0, i)) + '<mark>' + escapeHtml(name.slice(i, i + q.length)) + '</mark>' + escapeHtml(name.slice(i + q.length));
}

export class SearchService {
  constructor(
    private readonly index: IndexStore,
    private readonly paths: VirtualPathService,
    private readonly presenter: MediaFilePresenter,
  ) {}

  search(viewer: Viewer, p: SearchParams): SearchResult {
    if (p.q === '') return { items: [], query: '', totalItems: 0, page: 1, pageSize: p.pageSize, totalPages: 0 };
    const parsed = parseSearchQuery(p.q);
    if (!parsed.text && !parsed.include.length && !parsed.exclude.length) {
      return { items: [], query: p.q, totalItems: 0, page: 0, pageSize: 0, totalPages: 0 };
    }
    const page = p.page;
    const pageSize = Math.min(SEARCH_MAX_PAGE_SIZE, p.pageSize);
    const offset = (page - 1) * pageSize;
    const done = (items: Item[], total: number): SearchResult => ({
      items: this.presentAll(items, viewer), query: p.q, totalItems: total, page, pageSize,
      totalPages: Math.max(1, Math.ceil(total / pageSize)),
    });
    if (p.type && !(MEDIA_FILE_TYPES as readonly string[]).includes(p.type)) return done([], 0);
    const mediaTypes = p.type ? mediaTypesOf(p.type as MediaFileType) : undefined;
    const libraryIds = this.paths.libraries(viewer.libraryIds).map((l) => l.id);
    const include = parsed.include.map((n) => this.index.tags.getByName(n));
    if (include.some((t) => !t)) return done([], 0); // an unknown required tag matches nothing
    const inc = include as Tag[];
    const exc = parsed.exclude.map((n) => this.index.tags.getByName(n)).filter((t): t is Tag => Boolean(t));
    const passes = (id: number) => inc.every((t) => this.index.tags.hasTag(id, t.id)) && !exc.some((t) => this.index.tags.hasTag(id, t.id));
    const libs = new Set(libraryIds);
    const types = mediaTypes ? new Set<MediaType>(mediaTypes) : undefined;
    const visible = (i: Item) => libs.has(i.libraryId) && (i.kind === 'file' || i.kind === 'dir') && (!types || types.has(i.mediaType));

    if (parsed.text) {
      const key = parsed.text.toLowerCase();
      const tagHits = this.index.tags.list().filter((t) => t.itemCount > 0 && t.key.includes(key));
      const opts = { libraryIds, mediaTypes, kinds: KINDS };
      if (!inc.length && !exc.length && !tagHits.length) {
        const r = this.index.items.searchByName(parsed.text, { ...opts, offset, limit: pageSize });
        return done(r.items, r.total);
      }
      if (inc.length) {
        // Every result carries the rarest include tag: walk its items (bounded by the tag's
        // size, not by how common the words are) and keep those whose name matches the text
        // or that carry a tag whose name contains it.
        const want = queryTokens(parsed.text);
        const driver = inc.reduce((a, b) => (b.itemCount < a.itemCount ? b : a));
        const page1: Item[] = [];
        let total = 0;
        this.eachTagged(driver, (item) => {
          if (!item || !visible(item) || !passes(item.id)) return;
          if (!matchesTokens(item, want) && !tagHits.some((t) => this.index.tags.hasTag(item.id, t.id))) return;
          if (total >= offset && page1.length < pageSize) page1.push(item);
          total++;
        });
        return done(page1, total);
      }
      if (!tagHits.length) {
        // Exclusions only: name matches minus those carrying an excluded tag. The total is
        // the index's count less the excluded items that match (a walk of the excluded
        // tags, usually small); the page is read in chunks from the name search.
        const want = queryTokens(parsed.text);
        const excludedIds = new Set<number>();
        for (const t of exc) {
          this.eachTagged(t, (item) => { if (item && visible(item) && matchesTokens(item, want)) excludedIds.add(item.id); });
        }
        const all = this.index.items.searchByName(parsed.text, { ...opts, limit: 0 }).total;
        const page1: Item[] = [];
        let kept = 0;
        for (let at = 0; page1.length < pageSize && at < all; at += SCAN_CHUNK) {
          const chunk = this.index.items.searchByName(parsed.text, { ...opts, offset: at, limit: SCAN_CHUNK }).items;
          for (const item of chunk) {
            if (excludedIds.has(item.id) || !passes(item.id)) continue;
            if (kept >= offset && page1.length < pageSize) page1.push(item);
            kept++;
          }
          if (chunk.length < SCAN_CHUNK) break;
        }
        return done(page1, Math.max(0, all - excludedIds.size));
      }
      // Text that also names tags, with exclusions: gather (bounded) and page.
      const seen = new Set<number>();
      const matches: Item[] = [];
      const take = (item: Item | undefined) => {
        if (!item || seen.has(item.id) || !visible(item) || !passes(item.id)) return;
        seen.add(item.id);
        matches.push(item);
      };
      for (const item of this.index.items.searchByName(parsed.text, { ...opts, limit: FILTER_CAP }).items) take(item);
      for (const t of tagHits) this.eachTagged(t, (item) => take(item));
      return done(matches.slice(offset, offset + pageSize), matches.length);
    }

    // Tag filters only.
    const page1: Item[] = [];
    let total = 0;
    const consider = (item: Item | undefined) => {
      if (!item || !visible(item) || !passes(item.id)) return;
      if (total >= offset && page1.length < pageSize) page1.push(item);
      total++;
    };
    if (inc.length) {
      const driver = inc.reduce((a, b) => (b.itemCount < a.itemCount ? b : a));
      this.eachTagged(driver, consider);
    } else {
      // Only exclusions: every visible item without them (a full pass; rare by nature).
      for (const id of libraryIds) for (const item of this.index.items.iterateLibrary(id)) if (item.relPath !== '') consider(item);
    }
    return done(page1, total);
  }

  suggestions(viewer: Viewer, q: string, limitRaw: number): Suggestion[] {
    const limit = limitRaw <= 0 ? 10 : Math.min(20, limitRaw);
    if (!q) return [];
    const lower = q.toLowerCase();
    if (lower.startsWith('-')) {
      const filter = '-tag:'.startsWith(lower) ? '' : lower.startsWith('-tag:') ? q.slice(5) : q.slice(1);
      return this.tagSuggestions(filter, limit, true);
    }
    if (lower.startsWith('not tag:')) return this.tagSuggestions(q.slice(8), limit, true);
    if (lower.startsWith('not t') && 'not tag:'.startsWith(lower)) return this.tagSuggestions('', limit, true);
    if (lower.startsWith('tag:')) return this.tagSuggestions(q.slice(4), limit, false);
    if (q.length < 2) return [];
    const tags = this.tagSuggestions(q, Math.floor(limit / 2), false);
    const libraryIds = this.paths.libraries(viewer.libraryIds).map((l) => l.id);
    const files = this.index.items.searchByName(q, { libraryIds, kinds: KINDS, limit: limit - tags.length }).items;
    const libs = new Map<number, Library | null>();
    const out = [...tags];
    for (const item of files) {
      const lib = this.presenter.libraryOf(item, viewer, libs);
      if (lib) out.push({ path: this.presenter.pathOf(item, lib), name: item.name, type: fileTypeOf(item.mediaType), highlight: highlight(item.name, q) });
    }
    return out;
  }

  private tagSuggestions(filter: string, limit: number, exclude: boolean): Suggestion[] {
    const f = filter.trim().toLowerCase();
    return this.index.tags.list()
      .filter((t) => !f || t.key.includes(f))
      .sort((a, b) => b.itemCount - a.itemCount || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit)
      .map((t) => ({
        path: `${exclude ? '-tag:' : 'tag:'}${t.name}`, name: t.name, type: exclude ? 'tag-exclude' : 'tag',
        highlight: f ? highlight(t.name, filter.trim()) : t.name, itemCount: t.itemCount,
      }));
  }

  private eachTagged(tag: Tag, fn: (item: Item | undefined) => void): void {
    for (let after = 0; ;) {
      const ids = this.index.tags.itemIdsOf(tag.id, after, 1_000);
      for (const item of this.index.items.getMany(ids)) fn(item);
      if (ids.length < 1_000) return;
      after = ids[ids.length - 1];
    }
  }

  private presentAll(items: Item[], viewer: Viewer): SearchItem[] {
    const libs = new Map<number, Library | null>();
    const out: SearchItem[] = [];
    for (const item of items) {
      const lib = this.presenter.libraryOf(item, viewer, libs);
      if (!lib) continue;
      if (viewer.allows && !viewer.allows(item)) continue;
      const mf = this.presenter.present(item, lib, viewer, { thumbnails: 'browse', tags: true, itemCount: false });
      const title = typeof item.meta?.title === 'string' ? item.meta.title : item.name;
      const extra: SearchItem = {
        ...mf, ratingKey: String(item.id), key: `/api/media/${item.id}`, title,
        addedAt: Math.floor(item.addedAt / 1000), updatedAt: Math.floor(item.updatedAt / 1000),
        librarySectionID: lib.id, librarySectionTitle: lib.name,
      };
      if (mf.thumbnailUrl) extra.thumb = mf.thumbnailUrl;
      if (item.probe?.durationMs) extra.duration = item.probe.durationMs;
      out.push(extra);
    }
    return out;
  }
}
