/**
 * TMDb client and matcher against a local fake (test/helpers/fake-tmdb.ts on 127.0.0.1):
 * documented shapes, confident matches applied (through locks), unconfident ones not,
 * posters downloaded into the artwork cache, caching, 429 with Retry-After retried,
 * timeouts and exhausted retries as 503 UnavailableError, no key -> 503 without a request.
 */
import t from 'tap';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { TmdbClient, tmdbSettings } from '../../daemon/metadata/providers/tmdb/tmdb.client.js';
import { TmdbMatcher } from '../../daemon/metadata/providers/tmdb/tmdb-matcher.js';
import { matchConfidence, CONFIDENT } from '../../daemon/metadata/providers/tmdb/tmdb-score.js';
import { UnavailableError } from '../../daemon/domain/errors.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { startFakeTmdb } from '../helpers/fake-tmdb.js';

const fake = await startFakeTmdb({ apiKey: 'k123' });
const dir = await mkdtemp(join(tmpdir(), 'alcove-tmdb-'));
const store = await openIndexStore({ path: join(dir, 'index') });
t.teardown(async () => { await store.close(); await fake.close(); await rm(dir, { recursive: true, force: true }); });
const client = (over: Record<string, unknown> = {}): TmdbClient =>
  new TmdbClient({ ...tmdbSettings({ tmdbUrl: fake.baseUrl, tmdbApiKey: 'k123', minIntervalMs: 0 }, {}), ...over });

t.test('settings: config, then env, then the default URL', async (t) => {
  t.equal(tmdbSettings({}, {}).baseUrl, 'https://api.themoviedb.org/3');
  t.equal(tmdbSettings({}, {}).apiKey, undefined);
  t.match(tmdbSettings({}, { ALCOVE_TMDB_URL: 'http://x/3/', ALCOVE_TMDB_API_KEY: 'e' }), { baseUrl: 'http://x/3', apiKey: 'e' });
  t.match(tmdbSettings({ tmdbUrl: 'http://y/3', tmdbApiKey: 'c' }, { ALCOVE_TMDB_URL: 'http://x/3', ALCOVE_TMDB_API_KEY: 'e' }), { baseUrl: 'http://y/3', apiKey: 'c' });
});

t.test('scores', async (t) => {
  t.equal(matchConfidence({ title: 'Inception', year: 2010 }, { titles: ['Inception'], date: '2010-07-15' }), 1);
  t.equal(matchConfidence({ title: 'Inception', year: 2011 }, { titles: ['Inception'], date: '2010-07-15' }), 0.9);
  t.ok(matchConfidence({ title: 'The Dark Knight', year: 2008 }, { titles: ['The Dark Knight Rises'], date: '2012-07-17' }) < CONFIDENT);
  t.ok(matchConfidence({ title: 'Amelie', year: 2001 }, { titles: ['Amélie'], date: '2001-04-25' }) >= CONFIDENT, 'accents folded');
});

t.test('client: shapes, cache, key', async (t) => {
  const sut = client();
  const page = await sut.searchMovie('Inception', 2010);
  t.match(page, { page: 1, total_results: 1, results: [{ id: 27205, title: 'Inception' }] });
  const n = fake.requests.length;
  await sut.searchMovie('Inception', 2010);
  t.equal(fake.requests.length, n, 'second identical call served from cache');
  t.match(fake.requests[n - 1], /api_key=k123/);
  const movie = await sut.movie(27205);
  t.match(movie, { imdb_id: 'tt1375666', credits: { cast: [{ name: 'Leonardo DiCaprio', character: 'Dom Cobb' }] } });
  t.match(await sut.configuration(), { images: { poster_sizes: Array } });
  const wrongKey = client({ apiKey: 'nope' });
  await t.rejects(wrongKey.searchMovie('x'), { code: 'UNAVAILABLE', publicCode: 'TMDB_UNAUTHORIZED' });
});

t.test('no key: 503 without any request', async (t) => {
  const sut = new TmdbClient(tmdbSettings({ tmdbUrl: fake.baseUrl }, {}));
  const n = fake.requests.length;
  t.equal(sut.configured, false);
  const err = await sut.searchMovie('Inception').catch((e: unknown) => e);
  t.ok(err instanceof UnavailableError);
  t.equal((err as UnavailableError).publicCode, 'TMDB_NOT_CONFIGURED');
  t.equal(fake.requests.length, n);
});

t.test('429 with Retry-After is retried; exhausted retries are a 503', async (t) => {
  const sut = client();
  fake.throttle(2, 0);
  const started = Date.now();
  const page = await sut.searchTv('Breaking Bad');
  t.equal(page.results[0].id, 1396, 'answered after two 429s');
  t.ok(Date.now() - started < 3000);
  fake.throttle(10, 0);
  const tight = client({ maxRetries: 2 });
  await t.rejects(tight.searchMovie('Heat'), { publicCode: 'TMDB_UNAVAILABLE', message: /HTTP 429/ });
  fake.throttle(0);
});

t.test('timeouts are retried, then a 503', async (t) => {
  fake.delay(300);
  const sut = client({ timeoutMs: 100, maxRetries: 1 });
  await t.rejects(sut.searchMovie('Dune'), { publicCode: 'TMDB_UNAVAILABLE', message: /timeout/ });
  fake.delay(0);
});

t.test('matcher: confident match applied through locks, poster cached; weak match not applied', async (t) => {
  const root = await store.roots.create({ url: `file://${dir}`, scheme: 'file', name: 'r', status: 'online' });
  const lib = await store.libraries.create({ name: 'Movies', type: 'movie', locations: [{ rootId: root.id, path: '' }] });
  const rootItem = lib.locations[0].rootItemId;
  const loc = lib.locations[0].id;
  const { added } = await store.items.applyBatch({ upserts: [
    { locationId: loc, libraryId: lib.id, relPath: 'Inception (2010).mkv', name: 'Inception (2010).mkv', kind: 'file', mediaType: 'video', size: 10, mtimeMs: 1 },
    { locationId: loc, libraryId: lib.id, relPath: 'Dark Knight 2013.mkv', name: 'Dark Knight 2013.mkv', kind: 'file', mediaType: 'video', size: 10, mtimeMs: 1 },
  ] });
  t.ok(rootItem);
  const [inc, dk] = added;
  const movie = await store.items.createVirtual({ kind: 'movie', libraryId: lib.id, locationId: 0, parentId: 0, name: 'Inception', relPath: '', mediaType: 'video', size: 0, mtimeMs: 0, offline: false, meta: { title: 'Inception', year: 2010, matchKey: 'inception', fileIds: [inc.id] } });
  await store.items.updateMeta(inc.id, { type: 'movie', title: 'Inception', year: 2010, virtualId: movie.id, overview: 'My own words' }, ['overview']);
  await store.items.updateMeta(dk.id, { type: 'movie', title: 'Dark Knight', year: 2013 });
  const artworkDir = join(dir, 'artwork');
  const sut = new TmdbMatcher({ index: store, client: client(), logger: silentLogger(), artworkDir });
  const r1 = await sut.matchFile(inc.id);
  t.match(r1, { tmdbId: 27205, confidence: 1, applied: true });
  const after = store.items.get(inc.id)!;
  t.match(after.meta, { tmdbId: 27205, imdbId: 'tt1375666', genres: ['Action', 'Science Fiction'], rating: 8.4, runtimeMin: 148, overview: 'My own words', posterPath: 'movie-27205-poster.jpg' });
  t.ok((await stat(join(artworkDir, 'movie-27205-poster.jpg'))).size > 0, 'poster downloaded into the cache');
  t.match(store.items.get(movie.id)!.meta, { tmdbId: 27205, overview: /corporate espionage/ }, 'the movie item gets TMDb overview (not locked there)');
  t.equal(store.items.findVirtual({ libraryId: lib.id, kind: 'movie', provider: 'tmdbId', providerId: 27205 })?.id, movie.id);
  t.equal(store.items.searchByName('espionage').total, 1, 'TMDb overview words are searchable');
  const r2 = await sut.matchFile(dk.id);
  t.equal(r2.applied, false, 'year 2013 vs 2008: not confident');
  t.equal(store.items.get(dk.id)!.meta?.tmdbId, undefined);
  sut.enqueue(dk.id);
  await sut.idle();
  await sut.stop();
});
