/**
 * Manual matching on the metadata engine's TMDb client (h3xed /api/match/:ratingKey/*,
 * admin): search candidates, apply a chosen TMDb id, refresh from TMDb. Movies (and their
 * files) match TMDb movies; shows, seasons and episodes match the show. Applied fields go
 * through the locks (metadata/merge.ts) so manual edits survive; an applied match locks
 * tmdbId so background matching never replaces the admin's choice. Without a TMDb key the
 * client answers 503 TMDB_NOT_CONFIGURED.
 */
import { join } from 'node:path';
import { ValidationError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import { mergeUnlocked } from '../../metadata/merge.js';
import type { TmdbClient } from '../../metadata/providers/tmdb/tmdb.client.js';
import { matchConfidence } from '../../metadata/providers/tmdb/tmdb-score.js';
import type { TmdbCredits, TmdbMovieDetails, TmdbTvDetails } from '../../metadata/providers/tmdb/tmdb-types.js';
import { titleOf } from './home-item.js';
import type { ItemTree } from './item-tree.js';

export interface MatchCandidate { tmdbId: number; type: 'movie' | 'show'; title: string; year?: number; overview?: string; score: number; posterPath?: string }

const yearOf = (d?: string): number | undefined => (d && /^\d{4}/.test(d) ? Number(d.slice(0, 4)) : undefined);

export class MatchService {
  constructor(private readonly index: IndexStore, private readonly tree: ItemTree, private readonly tmdb: TmdbClient, private readonly artworkDir: string) {}

  /** The item a match applies to: a movie (or its file), or the show of a season/episode. */
  target(item: Item): { item: Item; type: 'movie' | 'show' } {
    const c = this.tree.canonical(item);
    if (c.kind === 'movie' || (c.kind === 'file' && c.mediaType === 'video' && c.meta?.type !== 'episode')) return { item: c, type: 'movie' };
    if (c.kind === 'show') return { item: c, type: 'show' };
    const show = c.kind === 'season' ? this.index.items.get(c.parentId) : this.tree.showOf(c);
    if (show?.kind === 'show') return { item: show, type: 'show' };
    throw new ValidationError('Only movies and shows (or their seasons and episodes) can be matched', { ratingKey: String(item.id) }, 'NOT_MATCHABLE');
  }

  async search(item: Item, body: Record<string, unknown>): Promise<{ ratingKey: string; type: string; results: MatchCandidate[] }> {
    const t = this.target(item);
    const title = typeof body.title === 'string' && body.title.trim() ? body.title.trim() : titleOf(t.item);
    const year = typeof body.year === 'number' ? body.year : typeof t.item.meta?.year === 'number' ? t.item.meta.year : undefined;
    let results: MatchCandidate[];
    if (t.type === 'movie') {
      const page = await this.tmdb.searchMovie(title, year);
      results = page.results.slice(0, 20).map((r) => ({
        tmdbId: r.id, type: 'movie' as const, title: r.title, year: yearOf(r.release_date), overview: r.overview || undefined,
        score: matchConfidence({ title, year }, { titles: [r.title, r.original_title], date: r.release_date }), posterPath: r.poster_path ?? undefined,
      }));
    } else {
      const page = await this.tmdb.searchTv(title, year);
      results = page.results.slice(0, 20).map((r) => ({
        tmdbId: r.id, type: 'show' as const, title: r.name, year: yearOf(r.first_air_date), overview: r.overview || undefined,
        score: matchConfidence({ title, year }, { titles: [r.name, r.original_name], date: r.first_air_date }), posterPath: r.poster_path ?? undefined,
      }));
    }
    results.sort((a, b) => b.score - a.score);
    return { ratingKey: String(t.item.id), type: t.type, results };
  }

  async apply(item: Item, body: Record<string, unknown>): Promise<{ ratingKey: string; tmdbId: number; updated: number }> {
    const id = body.tmdbId;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) throw new ValidationError('tmdbId must be a positive integer', { field: 'tmdbId' });
    const t = this.target(item);
    const updated = await this.fetchAndApply(t, id, true);
    return { ratingKey: String(t.item.id), tmdbId: id, updated };
  }

  async refresh(item: Item): Promise<{ ratingKey: string; tmdbId?: number; updated: number }> {
    const t = this.target(item);
    const id = t.item.meta?.tmdbId;
    if (typeof id !== 'number') throw new ValidationError('This item has no TMDb match yet: search and apply one first', { ratingKey: String(t.item.id) }, 'NOT_MATCHED');
    return { ratingKey: String(t.item.id), tmdbId: id, updated: await this.fetchAndApply(t, id, false) };
  }

  private async fetchAndApply(t: { item: Item; type: 'movie' | 'show' }, tmdbId: number, lockId: boolean): Promise<number> {
    const fields = t.type === 'movie' ? movieFields(await this.tmdb.movie(tmdbId)) : showFields(await this.tmdb.tv(tmdbId));
    const posterPath = fields.posterSource as string | undefined;
    delete fields.posterSource;
    if (posterPath) {
      const file = `${t.type}-${tmdbId}-poster${posterPath.slice(posterPath.lastIndexOf('.')) || '.jpg'}`;
      await this.tmdb.downloadImage(posterPath, 'w500', join(this.artworkDir, file)).then(() => { fields.posterPath = file; }, () => undefined);
    }
    fields.matchConfidence = 1;
    // The movie item and its files share the match; a show's episodes' files keep their own fields.
    const targets = [t.item, ...(t.type === 'movie' ? this.tree.filesOf(t.item).filter((f) => f.id !== t.item.id) : [])];
    let n = 0;
    for (const target of targets) {
      const fresh = this.index.items.get(target.id);
      if (!fresh) continue;
      const locked = new Set(fresh.lockedFields ?? []);
      if (lockId) { locked.delete('tmdbId'); }
      const patch = mergeUnlocked({ meta: fresh.meta, lockedFields: [...locked] }, fields);
      const lockedFields = lockId ? [...new Set([...locked, 'tmdbId'])] : undefined;
      if (patch || lockedFields) { await this.index.items.updateMeta(target.id, patch ?? {}, lockedFields); n++; }
    }
    return n;
  }
}

function people(c: TmdbCredits | undefined): { name: string; role?: string; type: string }[] {
  const cast = (c?.cast ?? []).slice(0, 20).map((p) => ({ name: p.name, ...(p.character ? { role: p.character } : {}), type: 'actor' }));
  const crew = (c?.crew ?? []).filter((p) => p.job === 'Director' || p.job === 'Writer' || p.job === 'Screenplay').map((p) => ({ name: p.name, role: p.job, type: (p.job ?? '').toLowerCase() === 'director' ? 'director' : 'writer' }));
  return [...crew, ...cast];
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null || o[k] === '') delete o[k];
  return o;
}

function movieFields(d: TmdbMovieDetails): Record<string, unknown> {
  return clean({
    tmdbId: d.id, title: d.title, originalTitle: d.original_title, overview: d.overview, tagline: d.tagline,
    genres: d.genres?.map((g) => g.name), rating: d.vote_average, runtimeMin: d.runtime, imdbId: d.imdb_id,
    year: yearOf(d.release_date), people: people(d.credits), posterSource: d.poster_path,
  });
}

function showFields(d: TmdbTvDetails): Record<string, unknown> {
  return clean({
    tmdbId: d.id, title: d.name, originalTitle: d.original_name, overview: d.overview, genres: d.genres?.map((g) => g.name),
    rating: d.vote_average, year: yearOf(d.first_air_date), people: people(d.credits), posterSource: d.poster_path,
    imdbId: d.external_ids?.imdb_id, tvdbId: d.external_ids?.tvdb_id,
  });
}
