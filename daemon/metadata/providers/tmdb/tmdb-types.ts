/** The parts of TMDb v3 response shapes the client reads (developer.themoviedb.org reference). */
export interface TmdbSearchPage<T> { page: number; results: T[]; total_pages: number; total_results: number }

export interface TmdbMovieResult {
  id: number; title: string; original_title?: string; release_date?: string; overview?: string;
  poster_path?: string | null; backdrop_path?: string | null; vote_average?: number; popularity?: number; genre_ids?: number[];
}
export interface TmdbTvResult {
  id: number; name: string; original_name?: string; first_air_date?: string; overview?: string;
  poster_path?: string | null; backdrop_path?: string | null; vote_average?: number; popularity?: number;
}
export interface TmdbCredits {
  cast?: { name: string; character?: string; order?: number }[];
  crew?: { name: string; job?: string; department?: string }[];
}
export interface TmdbMovieDetails extends TmdbMovieResult {
  genres?: { id: number; name: string }[]; runtime?: number | null; imdb_id?: string | null; tagline?: string | null;
  credits?: TmdbCredits;
}
export interface TmdbTvDetails extends TmdbTvResult {
  genres?: { id: number; name: string }[]; episode_run_time?: number[]; external_ids?: { imdb_id?: string; tvdb_id?: number };
  credits?: TmdbCredits;
}
export interface TmdbConfiguration {
  images: { base_url: string; secure_base_url: string; poster_sizes: string[]; backdrop_sizes?: string[] };
}
