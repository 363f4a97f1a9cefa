/**
 * Recommendations (h3xed /api/libraries/:id/recommended): built from what the user watched.
 *
 *   profile   the user's recent progress (up to PROFILE_SIZE records) mapped to movies and
 *             shows (an episode counts for its show); weight 1 for finished, 0.5 for
 *             started, halved every HALF_LIFE_DAYS; genres, people (first 8 per item) and
 *             collections accumulate weights
 *   candidates  items of the library's kind found through the search token index by the
 *             top genres and people (tokens include genres and people), never a library pass
 *   score     genre 1.0, person 1.5, collection 2.0 per unit of profile weight, normalised by
 *             the profile's total, + rating / 20; finished items and the seeds themselves
 *             are excluded
 *
 * An empty history (or no candidate) falls back to recently added items ranked by rating
 * and freshness.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item, ItemKind, Library } from '../../domain/types.js';
import type { AccessScope } from '../access/access.service.js';
import type { HomeItem, HomePresenter } from './home-item.js';
import type { ItemTree } from './item-tree.js';
import { defaultKind } from './library-browse.service.js';
import type { ProgressService } from './progress.service.js';

const PROFILE_SIZE = 200;
const HALF_LIFE_DAYS = 90;
const TOP_TERMS = 5;
const PER_TERM = 300;
const FALLBACK_POOL = 200;

export interface Recommendation extends HomeItem { score: number; reasons: string[] }

interface Profile { genres: Map<string, number>; people: Map<string, number>; collections: Map<string, number>; seeds: Set<number>; total: number }

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const peopleOf = (m: Record<string, unknown>): string[] => (Array.isArray(m.people) ? m.people.slice(0, 8).map((p) => (p as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string') : []);
const collectionOf = (m: Record<string, unknown>): string | undefined => (typeof m.collection === 'string' ? m.collection : typeof m.set === 'string' ? m.set : undefined);
const bump = (map: Map<string, number>, key: string, w: number): void => { map.set(key.toLowerCase(), (map.get(key.toLowerCase()) ?? 0) + w); };
const top = (map: Map<string, number>, n: number): string[] => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);

export class RecommendationService {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly presenter: HomePresenter,
    private readonly progress: ProgressService,
    private readonly now: () => number = Date.now,
  ) {}

  async recommend(scope: AccessScope, lib: Library, limit: number): Promise<Recommendation[]> {
    const kind = defaultKind(lib, this.index);
    const profile = await this.profile(scope, lib);
    const finished = (it: Item): boolean => this.finished(scope.userId, it);
    let ranked: { item: Item; score: number; reasons: string[] }[] = [];
    if (profile.total > 0) {
      const pool = new Map<number, Item>();
      const kinds: ItemKind[] = kind === 'file' ? ['file'] : [kind];
      for (const term of [...top(profile.genres, TOP_TERMS), ...top(profile.people, TOP_TERMS), ...top(profile.collections, 2)]) {
        for (const it of this.index.items.searchByName(term, { libraryIds: [lib.id], kinds, limit: PER_TERM }).items) pool.set(it.id, it);
      }
      for (const it of pool.values()) {
        if (profile.seeds.has(it.id) || !scope.allows(it) || finished(it)) continue;
        const s = this.score(it, profile);
        if (s.score > 0) ranked.push({ item: it, ...s });
      }
    }
    if (!ranked.length) ranked = this.fallback(scope, lib, kind, finished);
    ranked.sort((a, b) => b.score - a.score || b.item.addedAt - a.item.addedAt || a.item.id - b.item.id);
    return ranked.slice(0, limit).map((r) => ({ ...this.presenter.item(r.item, scope.userId), score: Math.round(r.score * 1000) / 1000, reasons: r.reasons }));
  }

  private async profile(scope: AccessScope, lib: Library): Promise<Profile> {
    const p: Profile = { genres: new Map(), people: new Map(), collections: new Map(), seeds: new Set(), total: 0 };
    const now = this.now();
    const done = new Set<number>();
    for (const rec of await this.progress.recent(scope.userId, PROFILE_SIZE)) {
      const item = this.index.items.get(rec.itemId);
      if (!item || item.libraryId !== lib.id) continue;
      const seed = this.tree.showOf(item) ?? item;
      p.seeds.add(seed.id);
      const ageDays = Math.max(0, now - rec.lastViewedAt) / 86_400_000;
      const w = (rec.watched ? 1 : 0.5) * Math.pow(0.5, ageDays / HALF_LIFE_DAYS);
      if (done.has(seed.id)) continue;
      done.add(seed.id);
      const m = { ...(item.meta ?? {}), ...(seed.meta ?? {}) };
      for (const g of strings(m.genres)) bump(p.genres, g, w);
      for (const n of peopleOf(m)) bump(p.people, n, w);
      const c = collectionOf(m); if (c) bump(p.collections, c, w);
      p.total += w;
    }
    return p;
  }

  private score(it: Item, p: Profile): { score: number; reasons: string[] } {
    const m = it.meta ?? {};
    let s = 0;
    const reasons: string[] = [];
    for (const g of strings(m.genres)) { const w = p.genres.get(g.toLowerCase()); if (w) { s += w; reasons.push(`genre:${g}`); } }
    for (const n of peopleOf(m)) { const w = p.people.get(n.toLowerCase()); if (w) { s += 1.5 * w; reasons.push(`person:${n}`); } }
    const c = collectionOf(m); if (c) { const w = p.collections.get(c.toLowerCase()); if (w) { s += 2 * w; reasons.push(`collection:${c}`); } }
    if (s === 0) return { score: 0, reasons };
    const rating = typeof m.rating === 'number' ? m.rating : 0;
    return { score: s / p.total + rating / 20, reasons };
  }

  private fallback(scope: AccessScope, lib: Library, kind: ItemKind | 'file', finished: (it: Item) => boolean): { item: Item; score: number; reasons: string[] }[] {
    const base = kind === 'file' ? { libraryId: lib.id } : { libraryId: lib.id, virtualKind: kind };
    const now = this.now();
    return this.index.items.listByMeta({ ...base, sort: 'addedAt', order: 'desc', limit: FALLBACK_POOL }).items
      .filter((it) => scope.allows(it) && !finished(it))
      .map((it) => {
        const rating = typeof it.meta?.rating === 'number' ? it.meta.rating : 5;
        const ageDays = Math.max(0, now - it.addedAt) / 86_400_000;
        return { item: it, score: rating / 10 + Math.pow(0.5, ageDays / 30), reasons: ['recently-added'] };
      });
  }

  /**
   * Finished: a watched movie/episode/track. Shows and albums the user touched recently are
   * seeds (excluded above); older ones are not walked episode by episode per candidate.
   */
  private finished(userId: number, it: Item): boolean {
    if (this.tree.isPlayable(it)) return this.progress.get(userId, this.tree.canonical(it).id)?.watched ?? false;
    return false;
  }
}
