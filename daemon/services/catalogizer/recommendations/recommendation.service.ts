/**
 * Catalogizer recommendations (seed 003 "Recommendations") computed from real data.
 *
 *   similar       the item's metadata item (a file -> its movie/episode; an episode or a
 *                 season -> its show; a track -> its album) against candidates of the same
 *                 kind found through the search token index by its genres, people and
 *                 collection, plus the first SAME_LIBRARY_POOL of that kind in its library
 *                 (a plain file: its folder's files of the same media type); scored by
 *                 similarity.ts, kept at or above the threshold, best first.
 *   trending      reads recorded in the access log (downloads and plays) in the time range,
 *                 rolled up file -> metadata item -> show/album, most reads first (ties: the
 *                 most recent read day, then id).
 *   personalized  the user's history: progress (finished 1, started 0.5) and favorites
 *                 (1.5), halved every HALF_LIFE_DAYS, accumulate genre / person / collection
 *                 weights; candidates from the token index by the top terms; score = matched
 *                 weight / total weight (person x1.5, collection x2) + rating / 20. Finished
 *                 items and the history's own items are excluded. Short lists are topped up
 *                 with recently added, highly rated items (rating / 10 + freshness).
 * Every list passes the access scope (library restrictions, content rating, labels).
 */
import type { AccessRepo, IndexStore } from '../../../domain/ports.js';
import type { Item, ItemKind } from '../../../domain/types.js';
import type { AccessScope } from '../../access/access.service.js';
import type { ItemTree } from '../../home/item-tree.js';
import type { ProgressService } from '../../home/progress.service.js';
import { dayNumber } from '../../../index/access.repo.js';
import { mediaTypeOf, type MediaCatalogItem, type MediaPresenter } from '../media/media-item.js';
import { factsOf, similarity } from './similarity.js';
import type { ExternalItem, ExternalSimilar } from './external-similar.js';

const PER_TERM = 300;
const SAME_LIBRARY_POOL = 500;
const PROFILE_SIZE = 200;
const HALF_LIFE_DAYS = 90;
const TOP_TERMS = 5;
const FALLBACK_POOL = 200;
export const TIME_RANGES: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

export interface SimilarOptions { maxLocal: number; maxExternal: number; includeExternal: boolean; threshold: number }

export interface SimilarItem {
  media_id: number; media_metadata: MediaCatalogItem; similarity_score: number; similarity_reasons: string[];
  detail_link: string; play_link?: string; download_link?: string; last_accessed?: string; user_rating: number | null;
  is_watched: boolean; is_owned: boolean;
}

export interface Scored { item: Item; score: number; reasons: string[] }

const lc = (s: string): string => s.toLowerCase();
const bump = (m: Map<string, number>, k: string, w: number): void => { m.set(lc(k), (m.get(lc(k)) ?? 0) + w); };
const top = (m: Map<string, number>, n: number): string[] => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);

export class CatalogizerRecommendationService {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly presenter: MediaPresenter,
    private readonly progress: ProgressService,
    private readonly access: AccessRepo,
    private readonly external?: ExternalSimilar,
    private readonly now: () => number = Date.now,
  ) {}

  /** The item recommendations speak about: file -> movie/episode, episode/season -> show, track -> album. */
  seedOf(item: Item): Item {
    const c = this.tree.canonical(item);
    if (c.kind === 'episode') return this.tree.showOf(c) ?? c;
    if (c.kind === 'season' || c.kind === 'track') { const p = c.parentId > 0 ? this.index.items.get(c.parentId) : undefined; if (p && (p.kind === 'show' || p.kind === 'album')) return p; }
    return c;
  }

  async similar(scope: AccessScope, item: Item, o: SimilarOptions): Promise<Record<string, unknown>> {
    const t0 = process.hrtime.bigint();
    const source = this.seedOf(item);
    const facts = factsOf(source.meta, source.libraryId);
    const pool = new Map<number, Item>();
    if (source.kind === 'file' || source.kind === 'dir') {
      if (source.parentId > 0) for (const it of this.index.items.listChildren(source.parentId, { limit: SAME_LIBRARY_POOL, foldersFirst: false }).items) if (it.mediaType === source.mediaType) pool.set(it.id, it);
    } else {
      const libraryIds = this.index.libraries.list().filter((l) => scope.allowsLibrary(l.id)).map((l) => l.id);
      for (const term of [...facts.genres, ...facts.people, ...(facts.collection ? [facts.collection] : [])]) {
        for (const it of this.index.items.searchByName(term, { libraryIds, kinds: [source.kind], limit: PER_TERM }).items) pool.set(it.id, it);
      }
      for (const it of this.index.items.listByMeta({ libraryId: source.libraryId, virtualKind: source.kind, limit: SAME_LIBRARY_POOL }).items) pool.set(it.id, it);
    }
    const ranked: Scored[] = [];
    for (const it of pool.values()) {
      if (it.id === source.id || it.id === item.id || !scope.allows(it)) continue;
      const s = similarity(facts, factsOf(it.meta, it.libraryId));
      if (s.score >= o.threshold) ranked.push({ item: it, ...s });
    }
    ranked.sort((a, b) => b.score - a.score || ((b.item.meta?.rating as number) ?? 0) - ((a.item.meta?.rating as number) ?? 0) || a.item.id - b.item.id);
    const local = ranked.slice(0, o.maxLocal).map((r) => this.similarItem(scope, r));
    const t1 = process.hrtime.bigint();
    let externalItems: ExternalItem[] = [];
    let externalError: string | undefined;
    let apiCalls = 0;
    const tmdbId = Number(source.meta?.tmdbId);
    if (o.includeExternal) {
      if (!this.external) externalError = 'no external provider configured';
      else if (!Number.isSafeInteger(tmdbId) || tmdbId <= 0 || (source.kind !== 'movie' && source.kind !== 'show')) externalError = 'item has no TMDb match';
      else {
        apiCalls = 1;
        try { externalItems = await this.external(source.kind === 'movie' ? 'movie' : 'tv', tmdbId, o.maxExternal); } catch (err) { externalError = (err as Error).message; }
      }
    }
    const t2 = process.hrtime.bigint();
    return {
      media_id: String(item.id),
      source_media_id: source.id,
      local_items: local,
      external_items: externalItems,
      total_local: local.length,
      total_external: externalItems.length,
      total_found: local.length + externalItems.length,
      ...(externalError ? { external_error: externalError } : {}),
      generated_at: new Date(this.now()).toISOString(),
      algorithms_used: ['metadata_similarity', ...(o.includeExternal ? ['tmdb_similar'] : [])],
      performance: {
        local_search_time: Number(t1 - t0), external_search_time: Number(t2 - t1), total_time: Number(t2 - t0),
        local_items_found: ranked.length, external_items_found: externalItems.length, cache_hit_ratio: 0, api_calls_count: apiCalls,
      },
    };
  }

  /** Most read items in the last `days` days (all reads of files roll up to their media item). */
  trending(scope: AccessScope, days: number, mediaType: string | undefined, limit: number): MediaCatalogItem[] {
    const since = dayNumber(this.now()) - days + 1;
    const agg = new Map<number, { item: Item; reads: number; lastDay: number }>();
    const ids = this.access.readsSince(since);
    const items = this.index.items.getMany(ids.map((r) => r.itemId));
    ids.forEach((r, i) => {
      const file = items[i];
      if (!file) return;
      const seed = this.seedOf(file);
      const cur = agg.get(seed.id) ?? { item: seed, reads: 0, lastDay: 0 };
      cur.reads += r.reads;
      cur.lastDay = Math.max(cur.lastDay, r.lastDay);
      agg.set(seed.id, cur);
    });
    const wanted = mediaType ? lc(mediaType) : undefined;
    const list = [...agg.values()]
      .filter((a) => scope.allows(a.item) && (!wanted || mediaTypeOf(a.item) === wanted || a.item.kind === wanted))
      .sort((a, b) => b.reads - a.reads || b.lastDay - a.lastDay || a.item.id - b.item.id)
      .slice(0, limit);
    return list.map((a) => ({ ...this.presenter.present(a.item, scope.userId), reads: a.reads }));
  }

  /** Recommendations for `scope`'s user from their history; recently added, highly rated items fill up. */
  async personalized(scope: AccessScope, limit: number): Promise<(MediaCatalogItem & { score: number; reasons: string[] })[]> {
    const genres = new Map<string, number>(); const people = new Map<string, number>(); const collections = new Map<string, number>();
    const seeds = new Set<number>(); const kinds = new Set<ItemKind>();
    let total = 0;
    const now = this.now();
    const learn = (item: Item | undefined, w: number): void => {
      if (!item || !scope.allows(item)) return;
      const seed = this.seedOf(item);
      seeds.add(seed.id);
      if (seed.kind !== 'file' && seed.kind !== 'dir') kinds.add(seed.kind);
      const f = factsOf({ ...(item.meta ?? {}), ...(seed.meta ?? {}) }, seed.libraryId);
      for (const g of f.genres) bump(genres, g, w);
      for (const p of f.people) bump(people, p, w);
      if (f.collection) bump(collections, f.collection, w);
      total += w;
    };
    const decay = (at: number): number => Math.pow(0.5, Math.max(0, now - at) / 86_400_000 / HALF_LIFE_DAYS);
    for (const p of await this.progress.recent(scope.userId, PROFILE_SIZE)) learn(this.index.items.get(p.itemId), (p.watched ? 1 : 0.5) * decay(p.lastViewedAt));
    for (const f of this.index.favorites.list(scope.userId).slice(0, PROFILE_SIZE)) learn(this.index.items.get(f.itemId), 1.5 * decay(f.createdAt));

    const ranked: Scored[] = [];
    if (total > 0 && kinds.size) {
      const libraryIds = this.index.libraries.list().filter((l) => scope.allowsLibrary(l.id)).map((l) => l.id);
      const pool = new Map<number, Item>();
      for (const term of [...top(genres, TOP_TERMS), ...top(people, TOP_TERMS), ...top(collections, 2)]) {
        for (const it of this.index.items.searchByName(term, { libraryIds, kinds: [...kinds], limit: PER_TERM }).items) pool.set(it.id, it);
      }
      for (const it of pool.values()) {
        if (seeds.has(it.id) || !scope.allows(it) || this.finished(scope.userId, it)) continue;
        const f = factsOf(it.meta, it.libraryId);
        let s = 0; const reasons: string[] = [];
        for (const g of f.genres) { const w = genres.get(lc(g)); if (w) { s += w; reasons.push(`genre:${g}`); } }
        for (const p of f.people) { const w = people.get(lc(p)); if (w) { s += 1.5 * w; reasons.push(`person:${p}`); } }
        if (f.collection) { const w = collections.get(lc(f.collection)); if (w) { s += 2 * w; reasons.push(`collection:${f.collection}`); } }
        if (s > 0) ranked.push({ item: it, score: s / total + (f.rating ?? 0) / 20, reasons });
      }
      ranked.sort((a, b) => b.score - a.score || b.item.addedAt - a.item.addedAt || a.item.id - b.item.id);
    }
    const out = ranked.slice(0, limit);
    if (out.length < limit) {
      const have = new Set(out.map((r) => r.item.id));
      for (const r of this.fallback(scope, seeds)) { if (out.length >= limit) break; if (!have.has(r.item.id)) { out.push(r); have.add(r.item.id); } }
    }
    return out.map((r) => ({ ...this.presenter.present(r.item, scope.userId), score: Math.round(r.score * 1000) / 1000, reasons: r.reasons }));
  }

  /** Recently added, highly rated movies, shows and albums (files in libraries without them). */
  private fallback(scope: AccessScope, seeds: Set<number>): Scored[] {
    const now = this.now();
    const libs = this.index.libraries.list().filter((l) => l.purpose === 'library' && scope.allowsLibrary(l.id));
    const pool: Item[] = [];
    for (const l of libs) {
      let found = 0;
      for (const kind of ['movie', 'show', 'album'] as ItemKind[]) {
        const page = this.index.items.listByMeta({ libraryId: l.id, virtualKind: kind, sort: 'addedAt', order: 'desc', limit: FALLBACK_POOL }).items;
        found += page.length; pool.push(...page);
      }
      if (!found) pool.push(...this.index.items.listByMeta({ libraryId: l.id, sort: 'addedAt', order: 'desc', limit: FALLBACK_POOL }).items.filter((it) => it.mediaType === 'video' || it.mediaType === 'audio'));
    }
    return pool
      .filter((it) => !seeds.has(it.id) && scope.allows(it) && !this.finished(scope.userId, it))
      .map((it) => {
        const rating = typeof it.meta?.rating === 'number' ? it.meta.rating : 5;
        return { item: it, score: rating / 10 + Math.pow(0.5, Math.max(0, now - it.addedAt) / 86_400_000 / 30), reasons: ['recently_added'] };
      })
      .sort((a, b) => b.score - a.score || a.item.id - b.item.id);
  }

  /** A watched movie/episode/track (or a file of one). */
  private finished(userId: number, it: Item): boolean {
    return this.tree.isPlayable(it) ? this.progress.get(userId, this.tree.canonical(it).id)?.watched ?? false : false;
  }

  private similarItem(scope: AccessScope, r: Scored): SimilarItem {
    const meta = this.presenter.present(r.item, scope.userId);
    const file = this.presenter.filesOf(r.item)[0];
    const w = this.presenter.watchState(scope.userId, r.item);
    const out: SimilarItem = {
      media_id: r.item.id, media_metadata: meta, similarity_score: r.score, similarity_reasons: r.reasons,
      detail_link: `/api/v1/media/${r.item.id}`, user_rating: null, is_watched: w.watched, is_owned: true,
    };
    if (file) { out.download_link = `/api/v1/download/file/${file.id}`; if (file.mediaType === 'video' || file.mediaType === 'audio') out.play_link = `/api/stream/${file.id}`; }
    if (w.lastWatched) out.last_accessed = new Date(w.lastWatched).toISOString();
    return out;
  }
}
