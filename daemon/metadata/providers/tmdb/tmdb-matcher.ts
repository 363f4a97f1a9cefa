/**
 * Background TMDb matching: identified files queue here (never blocking a scan); one at a
 * time, movies are matched by title + year and shows by show title, and only confident
 * matches (tmdb-score.ts) are applied, through the locks (merge.ts), to the file and its
 * movie/show item. Posters go into the artwork cache (meta.posterPath). Failures (503,
 * offline) leave the local metadata untouched and are retried at the next identification.
 */
import { join } from 'node:path';
import type { IndexStore } from '../../../domain/ports.js';
import { UnavailableError } from '../../../domain/errors.js';
import type { Item } from '../../../domain/types.js';
import type { Logger } from '../../../log/logger.js';
import { mergeUnlocked } from '../../merge.js';
import type { TmdbClient } from './tmdb.client.js';
import { bestMatch, CONFIDENT } from './tmdb-score.js';
import type { TmdbCredits, TmdbMovieDetails, TmdbTvDetails } from './tmdb-types.js';

export interface TmdbMatcherDeps { index: IndexStore; client: TmdbClient; logger: Logger; artworkDir: string }

export interface MatchOutcome { fileId: number; tmdbId?: number; confidence: number; applied: boolean }

export class TmdbMatcher {
  private readonly queue = new Set<number>();
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly deps: TmdbMatcherDeps) {}

  enqueue(fileId: number): void {
    if (this.stopped) return;
    this.queue.add(fileId);
    this.running ??= this.drain().finally(() => { this.running = undefined; });
  }

  async idle(): Promise<void> { while (this.running) await this.running; }

  async stop(): Promise<void> { this.stopped = true; this.queue.clear(); await this.running?.catch(() => undefined); }

  private async drain(): Promise<void> {
    for (const id of this.queue) {
      if (this.stopped) return;
      this.queue.delete(id);
      await this.matchFile(id).catch((err: unknown) => this.deps.logger.debug({ err: (err as Error).message, itemId: id }, 'tmdb match skipped'));
    }
  }

  /** Match one identified file now. Throws UnavailableError without a key or when TMDb is down. */
  async matchFile(fileId: number): Promise<MatchOutcome> {
    const { index } = this.deps;
    if (!this.deps.client.configured) throw new UnavailableError('TMDb is not configured: set metadata.tmdbApiKey or ALCOVE_TMDB_API_KEY', 'TMDB_NOT_CONFIGURED');
    const file = index.items.get(fileId);
    const m = file?.meta;
    if (!file || !m) return { fileId, confidence: 0, applied: false };
    if (m.type === 'episode') return this.matchShow(file);
    if (m.type !== 'movie' || typeof m.title !== 'string') return { fileId, confidence: 0, applied: false };
    const year = typeof m.year === 'number' ? m.year : undefined;
    let tmdbId = typeof m.tmdbId === 'number' ? m.tmdbId : undefined;
    let confidence = 1;
    if (tmdbId === undefined) {
      const page = await this.deps.client.searchMovie(m.title, year);
      const best = bestMatch({ title: m.title, year }, page.results, (r) => ({ titles: [r.title, r.original_title], date: r.release_date }));
      if (!best) return { fileId, confidence: 0, applied: false };
      confidence = best.confidence;
      if (confidence < CONFIDENT) return { fileId, tmdbId: best.result.id, confidence, applied: false };
      tmdbId = best.result.id;
    }
    const d = await this.deps.client.movie(tmdbId);
    const fields = { ...movieFields(d), matchConfidence: confidence, ...(await this.poster(d.poster_path, `movie-${d.id}`)) };
    await this.apply(file, fields);
    const virtualId = typeof file.meta?.virtualId === 'number' ? file.meta.virtualId : undefined;
    const v = virtualId !== undefined ? index.items.get(virtualId) : undefined;
    if (v) await this.apply(v, fields);
    return { fileId, tmdbId, confidence, applied: true };
  }

  private async matchShow(file: Item): Promise<MatchOutcome> {
    const m = file.meta ?? {};
    const showId = typeof m.showId === 'number' ? m.showId : undefined;
    const show = showId !== undefined ? this.deps.index.items.get(showId) : undefined;
    const title = typeof m.showTitle === 'string' ? m.showTitle : undefined;
    if (!show || !title) return { fileId: file.id, confidence: 0, applied: false };
    let tmdbId = typeof show.meta?.tmdbId === 'number' ? show.meta.tmdbId : undefined;
    let confidence = 1;
    if (tmdbId === undefined) {
      const year = typeof show.meta?.year === 'number' ? show.meta.year : undefined;
      const page = await this.deps.client.searchTv(title, year);
      const best = bestMatch({ title, year }, page.results, (r) => ({ titles: [r.name, r.original_name], date: year ? r.first_air_date : undefined }));
      if (!best || best.confidence < CONFIDENT) return { fileId: file.id, tmdbId: best?.result.id, confidence: best?.confidence ?? 0, applied: false };
      tmdbId = best.result.id;
      confidence = best.confidence;
    } else if (show.meta?.overview !== undefined) {
      await this.apply(file, { showTmdbId: tmdbId });
      return { fileId: file.id, tmdbId, confidence, applied: true };
    }
    const d = await this.deps.client.tv(tmdbId);
    const fields: Record<string, unknown> = { ...tvFields(d), matchConfidence: confidence, ...(await this.poster(d.poster_path, `tv-${d.id}`)) };
    await this.apply(show, { ...fields, title: d.name });
    const forFile: Record<string, unknown> = { showTmdbId: tmdbId };
    for (const k of ['posterPath', 'genres', 'rating'] as const) if (fields[k] !== undefined) forFile[k] = fields[k];
    await this.apply(file, forFile);
    return { fileId: file.id, tmdbId, confidence, applied: true };
  }

  private async apply(item: Item, fields: Record<string, unknown>): Promise<void> {
    const fresh = this.deps.index.items.get(item.id);
    if (!fresh) return;
    const patch = mergeUnlocked(fresh, fields);
    if (patch) await this.deps.index.items.updateMeta(item.id, patch);
  }

  private async poster(path: string | null | undefined, name: string): Promise<{ posterPath?: string }> {
    if (!path) return {};
    const file = `${name}-poster${path.slice(path.lastIndexOf('.')) || '.jpg'}`;
    try {
      await this.deps.client.downloadImage(path, 'w500', join(this.deps.artworkDir, file));
      return { posterPath: file };
    } catch (err) {
      this.deps.logger.debug({ err: (err as Error).message }, 'tmdb poster not downloaded');
      return {};
    }
  }
}

function people(c: TmdbCredits | undefined): { name: string; role?: string; type: string }[] {
  const cast = (c?.cast ?? []).slice(0, 15).map((p) => ({ name: p.name, role: p.character || undefined, type: 'actor' }));
  const directors = (c?.crew ?? []).filter((p) => p.job === 'Director').map((p) => ({ name: p.name, type: 'director' }));
  return [...directors, ...cast];
}

function movieFields(d: TmdbMovieDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tmdbId: d.id, title: d.title, originalTitle: d.original_title, overview: d.overview || undefined,
    genres: d.genres?.map((g) => g.name), rating: d.vote_average, runtimeMin: d.runtime ?? undefined,
    imdbId: d.imdb_id ?? undefined, tagline: d.tagline || undefined, people: people(d.credits),
    year: d.release_date ? Number(d.release_date.slice(0, 4)) : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function tvFields(d: TmdbTvDetails): Record<string, unknown> {
  const out: Record<string, unknown> = {
    tmdbId: d.id, originalTitle: d.original_name, overview: d.overview || undefined, genres: d.genres?.map((g) => g.name),
    rating: d.vote_average, people: people(d.credits), year: d.first_air_date ? Number(d.first_air_date.slice(0, 4)) : undefined,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
