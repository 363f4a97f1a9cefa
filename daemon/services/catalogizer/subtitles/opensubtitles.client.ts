/**
 * A client of the OpenSubtitles REST API (https://api.opensubtitles.com/api/v1, documented at
 * opensubtitles.stoplight.io): GET /subtitles (search) and POST /download (a temporary link,
 * then a plain GET of that link). Every request carries `Api-Key` and `User-Agent`.
 *
 * Contract: the base URL and key come from config (tests point it at a local fake);
 * provider failures surface as UnavailableError (503) with the provider's status, quota
 * exhaustion (406/429) as TooManyRequestsError; nothing here logs the key.
 */
import { TooManyRequestsError, UnavailableError } from '../../../domain/errors.js';

export interface OpenSubtitlesConfig { baseUrl: string; apiKey: string; userAgent: string; timeoutMs?: number }

export interface OsSearchQuery {
  query?: string;
  languages?: string[];
  moviehash?: string;
  year?: number;
  season?: number;
  episode?: number;
}

/** One downloadable subtitle file of a search answer, flattened. */
export interface OsSearchResult {
  fileId: number;
  subtitleId: string;
  fileName: string;
  language: string;
  title: string;
  release?: string;
  year?: number;
  downloadCount: number;
  rating: number;
  votes: number;
  hearingImpaired: boolean;
  fps?: number;
  uploadDate?: string;
  comments?: string;
  url?: string;
  moviehashMatch: boolean;
}

interface OsAttributes {
  subtitle_id?: string; language?: string; download_count?: number; hearing_impaired?: boolean; fps?: number;
  votes?: number; ratings?: number; upload_date?: string; release?: string; comments?: string; url?: string;
  moviehash_match?: boolean;
  feature_details?: { title?: string; movie_name?: string; year?: number };
  files?: Array<{ file_id?: number; file_name?: string }>;
}

const MAX_DOWNLOAD_BYTES = 8 << 20;

export class OpenSubtitlesClient {
  constructor(private readonly config: OpenSubtitlesConfig) {}

  private headers(json: boolean): Record<string, string> {
    return {
      'Api-Key': this.config.apiKey, 'User-Agent': this.config.userAgent, Accept: 'application/json',
      ...(json ? { 'Content-Type': 'application/json' } : {}),
    };
  }

  private url(path: string): string { return `${this.config.baseUrl.replace(/\/+$/, '')}${path}`; }

  private async call(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs ?? 15_000);
    let res: Response;
    try {
      res = await fetch(url, { ...init, redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (err) {
      throw new UnavailableError(`OpenSubtitles unreachable: ${(err as Error).message}`, 'PROVIDER_UNAVAILABLE');
    }
    if (res.status === 406 || res.status === 429) {
      const retry = Number(res.headers.get('retry-after')) || 60;
      await res.body?.cancel();
      throw new TooManyRequestsError(retry, 'OpenSubtitles quota exceeded', 'PROVIDER_QUOTA');
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new UnavailableError(`OpenSubtitles answered ${res.status}`, res.status === 401 || res.status === 403 ? 'PROVIDER_AUTH' : 'PROVIDER_ERROR');
    }
    return res;
  }

  async search(q: OsSearchQuery, signal?: AbortSignal): Promise<OsSearchResult[]> {
    // The API wants its parameters sorted and lower-case (it redirects otherwise).
    const params: Array<[string, string]> = [];
    if (q.episode !== undefined) params.push(['episode_number', String(q.episode)]);
    if (q.languages?.length) params.push(['languages', [...q.languages].map((l) => l.toLowerCase()).sort().join(',')]);
    if (q.moviehash) params.push(['moviehash', q.moviehash]);
    if (q.query) params.push(['query', q.query.toLowerCase()]);
    if (q.season !== undefined) params.push(['season_number', String(q.season)]);
    if (q.year !== undefined) params.push(['year', String(q.year)]);
    const res = await this.call(`${this.url('/subtitles')}?${new URLSearchParams(params).toString()}`, { headers: this.headers(false) }, signal);
    const body = await res.json() as { data?: Array<{ id?: string; attributes?: OsAttributes }> };
    const out: OsSearchResult[] = [];
    for (const entry of body.data ?? []) {
      const a = entry.attributes ?? {};
      for (const f of a.files ?? []) {
        if (typeof f.file_id !== 'number') continue;
        out.push({
          fileId: f.file_id, subtitleId: String(a.subtitle_id ?? entry.id ?? ''), fileName: f.file_name ?? `${f.file_id}.srt`,
          language: (a.language ?? '').toLowerCase(), title: a.feature_details?.title ?? a.feature_details?.movie_name ?? '',
          release: a.release, year: a.feature_details?.year, downloadCount: a.download_count ?? 0, rating: a.ratings ?? 0,
          votes: a.votes ?? 0, hearingImpaired: Boolean(a.hearing_impaired), fps: a.fps || undefined, uploadDate: a.upload_date,
          comments: a.comments, url: a.url, moviehashMatch: Boolean(a.moviehash_match),
        });
      }
    }
    return out;
  }

  /** The subtitle file's bytes (the API's temporary link, fetched at once). */
  async download(fileId: number, signal?: AbortSignal): Promise<{ fileName: string; data: Buffer }> {
    const res = await this.call(this.url('/download'), { method: 'POST', headers: this.headers(true), body: JSON.stringify({ file_id: fileId }) }, signal);
    const body = await res.json() as { link?: string; file_name?: string };
    if (!body.link) throw new UnavailableError('OpenSubtitles gave no download link', 'PROVIDER_ERROR');
    const file = await this.call(body.link, { headers: { 'User-Agent': this.config.userAgent } }, signal);
    const data = Buffer.from(await file.arrayBuffer());
    if (data.length > MAX_DOWNLOAD_BYTES) throw new UnavailableError('Subtitle file too large', 'PROVIDER_ERROR');
    return { fileName: body.file_name ?? `${fileId}.srt`, data };
  }
}
