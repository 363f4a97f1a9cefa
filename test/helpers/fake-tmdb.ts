/**
 * A small TMDb v3 stand-in on 127.0.0.1 (node:http, port 0) answering with TMDb's documented
 * response shapes for search/movie, search/tv, movie/{id}?append_to_response=credits,
 * tv/{id}, configuration and image downloads. Knobs: answer 429 (with Retry-After) for the
 * next N requests, delay answers (timeouts), require an api_key. Records every request.
 * Stopped by its own handle.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTmdb {
  baseUrl: string;
  requests: string[];
  /** The next `n` API requests answer 429 with Retry-After: retryAfterSec. */
  throttle(n: number, retryAfterSec?: number): void;
  /** Delay every answer by ms (0 = off). */
  delay(ms: number): void;
  close(): Promise<void>;
}

const MOVIES = [
  { id: 27205, title: 'Inception', original_title: 'Inception', release_date: '2010-07-15', overview: 'Cobb, a skilled thief who commits corporate espionage by infiltrating the subconscious of his targets.', poster_path: '/inception.jpg', backdrop_path: '/inception-bd.jpg', vote_average: 8.4, popularity: 90, genre_ids: [28, 878], genres: [{ id: 28, name: 'Action' }, { id: 878, name: 'Science Fiction' }], runtime: 148, imdb_id: 'tt1375666', tagline: 'Your mind is the scene of the crime.', cast: [['Leonardo DiCaprio', 'Dom Cobb'], ['Joseph Gordon-Levitt', 'Arthur']], director: 'Christopher Nolan' },
  { id: 155, title: 'The Dark Knight', original_title: 'The Dark Knight', release_date: '2008-07-16', overview: 'Batman raises the stakes in his war on crime.', poster_path: '/tdk.jpg', backdrop_path: null, vote_average: 8.5, popularity: 80, genre_ids: [18, 28], genres: [{ id: 18, name: 'Drama' }, { id: 28, name: 'Action' }], runtime: 152, imdb_id: 'tt0468569', tagline: 'Why So Serious?', cast: [['Christian Bale', 'Bruce Wayne']], director: 'Christopher Nolan' },
  { id: 49026, title: 'The Dark Knight Rises', original_title: 'The Dark Knight Rises', release_date: '2012-07-17', overview: 'Following the death of Harvey Dent.', poster_path: null, backdrop_path: null, vote_average: 7.8, popularity: 60, genre_ids: [28], genres: [{ id: 28, name: 'Action' }], runtime: 165, imdb_id: 'tt1345836', tagline: '', cast: [], director: 'Christopher Nolan' },
];
const SHOWS = [
  { id: 1396, name: 'Breaking Bad', original_name: 'Breaking Bad', first_air_date: '2008-01-20', overview: 'Walter White, a chemistry teacher.', poster_path: '/bb.jpg', backdrop_path: null, vote_average: 8.9, popularity: 100, genres: [{ id: 18, name: 'Drama' }], cast: [['Bryan Cranston', 'Walter White']] },
];
// A 1x1 JPEG.
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64');

const fold = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function movieResult(m: typeof MOVIES[number]) {
  const { genres: _g, runtime: _r, imdb_id: _i, tagline: _t, cast: _c, director: _d, ...r } = m;
  return r;
}

export async function startFakeTmdb(opts: { apiKey?: string } = {}): Promise<FakeTmdb> {
  const requests: string[] = [];
  let throttled = 0;
  let retryAfter = 1;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const go = (): void => { if (!res.destroyed) { res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers }); res.end(JSON.stringify(body)); } };
      if (delayMs) setTimeout(go, delayMs); else go();
    };
    if (url.pathname.startsWith('/t/p/')) { res.writeHead(200, { 'content-type': 'image/jpeg' }); res.end(JPEG); return; }
    if (throttled > 0) { throttled--; send(429, { status_code: 25, status_message: 'Your request count (41) is over the allowed limit of 40.' }, { 'retry-after': String(retryAfter) }); return; }
    const key = url.searchParams.get('api_key') ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (opts.apiKey && key !== opts.apiKey) { send(401, { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false }); return; }
    const path = url.pathname.replace(/^\/3/, '');
    const q = fold(url.searchParams.get('query') ?? '');
    const page = <T>(results: T[]) => ({ page: 1, results, total_pages: 1, total_results: results.length });
    let m: RegExpExecArray | null;
    if (path === '/configuration') {
      send(200, { images: { base_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/t/p/`, secure_base_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/t/p/`, backdrop_sizes: ['w300', 'w780', 'w1280', 'original'], logo_sizes: ['w45', 'original'], poster_sizes: ['w92', 'w154', 'w185', 'w342', 'w500', 'w780', 'original'], profile_sizes: ['w45', 'original'], still_sizes: ['w92', 'original'] }, change_keys: ['adult', 'images'] });
    } else if (path === '/search/movie') {
      const year = url.searchParams.get('year');
      send(200, page(MOVIES.filter((x) => fold(x.title).includes(q) && (!year || x.release_date.startsWith(year))).map(movieResult)));
    } else if (path === '/search/tv') {
      send(200, page(SHOWS.filter((x) => fold(x.name).includes(q)).map(({ genres: _g, cast: _c, ...r }) => r)));
    } else if ((m = /^\/movie\/(\d+)$/.exec(path))) {
      const x = MOVIES.find((y) => y.id === Number(m![1]));
      if (!x) { send(404, { status_code: 34, status_message: 'The resource you requested could not be found.', success: false }); return; }
      const { cast, director, ...rest } = x;
      const credits = url.searchParams.get('append_to_response')?.includes('credits')
        ? { credits: { id: x.id, cast: cast.map(([name, character], order) => ({ id: order + 1, name, character, order })), crew: [{ id: 99, name: director, job: 'Director', department: 'Directing' }] } } : {};
      send(200, { ...rest, ...credits });
    } else if ((m = /^\/tv\/(\d+)$/.exec(path))) {
      const x = SHOWS.find((y) => y.id === Number(m![1]));
      if (!x) { send(404, { status_code: 34, status_message: 'The resource you requested could not be found.', success: false }); return; }
      const { cast, ...rest } = x;
      send(200, { ...rest, episode_run_time: [47], number_of_seasons: 5, credits: { cast: cast.map(([name, character], order) => ({ name, character, order })), crew: [] } });
    } else send(404, { status_code: 34, status_message: 'The resource you requested could not be found.', success: false });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/3`,
    requests,
    throttle: (n, s = 1) => { throttled = n; retryAfter = s; },
    delay: (ms) => { delayMs = ms; },
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }),
  };
}
