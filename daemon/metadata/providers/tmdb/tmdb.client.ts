/**
 * A thin TMDb v3 client over fetch: configurable base URL (tests point it at a local fake),
 * key from config or ALCOVE_TMDB_API_KEY (a v4 read token, "eyJ...", is sent as Bearer),
 * rate limited (minimum spacing between requests), cached (successful GETs, LRU with TTL),
 * retried with exponential backoff on 429 (honouring Retry-After), 5xx, timeouts and
 * network errors. Without a key every call throws UnavailableError (HTTP 503).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnavailableError } from '../../../domain/errors.js';
import type { Logger } from '../../../log/logger.js';
import type { TmdbConfiguration, TmdbMovieDetails, TmdbSearchPage, TmdbMovieResult, TmdbTvResult, TmdbTvDetails } from './tmdb-types.js';

export interface TmdbConfig {
  baseUrl: string;
  apiKey?: string;
  language: string;
  timeoutMs: number;
  maxRetries: number;
  /** Minimum milliseconds between two requests (TMDb allows about 50 requests/s). */
  minIntervalMs: number;
  cacheEntries: number;
  cacheTtlMs: number;
}

export const DEFAULT_TMDB_URL = 'https://api.themoviedb.org/3';

/** Merge config (config.metadata) and environment into client settings. */
export function tmdbSettings(cfg: Partial<TmdbConfig> & { tmdbUrl?: string; tmdbApiKey?: string }, env: NodeJS.ProcessEnv): TmdbConfig {
  return {
    baseUrl: (cfg.tmdbUrl ?? cfg.baseUrl ?? env.ALCOVE_TMDB_URL ?? DEFAULT_TMDB_URL).replace(/\/+$/, ''),
    apiKey: cfg.tmdbApiKey ?? cfg.apiKey ?? (env.ALCOVE_TMDB_API_KEY || undefined),
    language: cfg.language ?? 'en-US',
    timeoutMs: cfg.timeoutMs ?? 8000,
    maxRetries: cfg.maxRetries ?? 3,
    minIntervalMs: cfg.minIntervalMs ?? 25,
    cacheEntries: cfg.cacheEntries ?? 2000,
    cacheTtlMs: cfg.cacheTtlMs ?? 24 * 3600_000,
  };
}

export class TmdbClient {
  private readonly cache = new Map<string, { expires: number; value: unknown }>();
  private nextSlot = 0;
  private images?: Promise<TmdbConfiguration>;
  /** Requests sent (not cache hits), for tests and metrics. */
  requests = 0;

  constructor(readonly config: TmdbConfig, private readonly logger?: Logger) {}

  get configured(): boolean { return Boolean(this.config.apiKey); }

  searchMovie(query: string, year?: number): Promise<TmdbSearchPage<TmdbMovieResult>> {
    return this.get('/search/movie', { query, ...(year ? { year: String(year) } : {}), include_adult: 'false' });
  }

  searchTv(query: string, year?: number): Promise<TmdbSearchPage<TmdbTvResult>> {
    return this.get('/search/tv', { query, ...(year ? { first_air_date_year: String(year) } : {}) });
  }

  movie(id: number): Promise<TmdbMovieDetails> {
    return this.get(`/movie/${id}`, { append_to_response: 'credits' });
  }

  tv(id: number): Promise<TmdbTvDetails> {
    return this.get(`/tv/${id}`, { append_to_response: 'credits' });
  }

  configuration(): Promise<TmdbConfiguration> {
    this.images ??= this.get<TmdbConfiguration>('/configuration', {}).catch((err: unknown) => { this.images = undefined; throw err; });
    return this.images;
  }

  /** Download an image (path from a TMDb record) at `size` into `dest` (atomic rename). */
  async downloadImage(imagePath: string, size: string, dest: string): Promise<void> {
    const conf = await this.configuration();
    const base = conf.images.secure_base_url || conf.images.base_url;
    const sizes = conf.images.poster_sizes.concat(conf.images.backdrop_sizes ?? []);
    const pick = sizes.includes(size) ? size : 'original';
    const url = `${base.replace(/\/+$/, '')}/${pick}${imagePath}`;
    const res = await this.fetchWithRetry(url, false);
    if (!res.body) throw new UnavailableError('TMDb image answer had no body', 'TMDB_UNAVAILABLE');
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(tmp));
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get<T>(path: string, params: Record<string, string>): Promise<T> {
    if (!this.config.apiKey) throw new UnavailableError('TMDb is not configured: set metadata.tmdbApiKey or ALCOVE_TMDB_API_KEY', 'TMDB_NOT_CONFIGURED');
    const url = new URL(this.config.baseUrl + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('language', this.config.language);
    const bearer = this.config.apiKey.startsWith('eyJ');
    if (!bearer) url.searchParams.set('api_key', this.config.apiKey);
    const key = url.toString();
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.value as T;
    }
    const res = await this.fetchWithRetry(key, bearer);
    const value = (await res.json()) as T;
    this.cache.set(key, { expires: Date.now() + this.config.cacheTtlMs, value });
    if (this.cache.size > this.config.cacheEntries) this.cache.delete(this.cache.keys().next().value as string);
    return value;
  }

  private async fetchWithRetry(url: string, bearer: boolean): Promise<Response> {
    let lastError = 'unknown error';
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let retryAfterMs: number | undefined;
      try {
        this.requests++;
        const res = await fetch(url, {
          headers: { accept: 'application/json', ...(bearer ? { authorization: `Bearer ${this.config.apiKey}` } : {}) },
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        if (res.ok) return res;
        await res.body?.cancel().catch(() => undefined);
        lastError = `HTTP ${res.status}`;
        if (res.status === 401) throw new UnavailableError('TMDb refused the API key (401)', 'TMDB_UNAUTHORIZED');
        if (res.status === 404) throw new UnavailableError('TMDb has no such record (404)', 'TMDB_NOT_FOUND');
        if (res.status !== 429 && res.status < 500) throw new UnavailableError(`TMDb answered ${res.status}`, 'TMDB_ERROR');
        const ra = Number(res.headers.get('retry-after'));
        if (res.status === 429 && Number.isFinite(ra) && ra >= 0) retryAfterMs = Math.min(ra * 1000, 30_000);
      } catch (err) {
        if (err instanceof UnavailableError) throw err;
        lastError = (err as Error).name === 'TimeoutError' ? `timeout after ${this.config.timeoutMs} ms` : (err as Error).message;
      }
      if (attempt >= this.config.maxRetries) {
        throw new UnavailableError(`TMDb unavailable: ${lastError}`, 'TMDB_UNAVAILABLE', Math.ceil((retryAfterMs ?? 1000) / 1000));
      }
      const delay = retryAfterMs ?? Math.min(250 * 2 ** attempt, 8000);
      this.logger?.debug({ attempt, delay, error: lastError }, 'tmdb retry');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Space requests at least minIntervalMs apart (a single-file queue of slots). */
  private async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + this.config.minIntervalMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}
