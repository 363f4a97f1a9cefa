/**
 * External "similar titles" for Catalogizer's include_external=true: TMDb's
 * /movie/{id}/similar and /tv/{id}/similar through the daemon's TmdbClient (configurable
 * base URL and key). Without a key it answers UnavailableError (reported in the response,
 * never a failed request).
 */
import type { TmdbClient } from '../../../metadata/providers/tmdb/tmdb.client.js';

export interface ExternalItem {
  provider: string;
  external_id: string;
  title: string;
  year: number | null;
  description: string | null;
  rating: number | null;
  cover_image: string | null;
  media_type: string;
}

/** Similar titles of a TMDb movie or show; at most `limit`. */
export type ExternalSimilar = (kind: 'movie' | 'tv', tmdbId: number, limit: number) => Promise<ExternalItem[]>;

interface TmdbSimilarPage {
  results?: { id: number; title?: string; name?: string; release_date?: string; first_air_date?: string; overview?: string; vote_average?: number; poster_path?: string | null }[];
}

export function tmdbSimilar(client: Pick<TmdbClient, 'get'>): ExternalSimilar {
  return async (kind, tmdbId, limit) => {
    const page = await client.get<TmdbSimilarPage>(`/${kind}/${tmdbId}/similar`, { page: '1' });
    return (page.results ?? []).slice(0, limit).map((r) => {
      const date = r.release_date ?? r.first_air_date ?? '';
      return {
        provider: 'tmdb', external_id: String(r.id), title: r.title ?? r.name ?? '', year: /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : null,
        description: r.overview || null, rating: typeof r.vote_average === 'number' ? r.vote_average : null,
        cover_image: r.poster_path ? `https://image.tmdb.org/t/p/w500${r.poster_path}` : null, media_type: 'video',
      };
    });
  };
}
