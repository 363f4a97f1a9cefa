/**
 * Catalogizer media and recommendations over a real LMDB index and the real shared services
 * (ItemTree, ProgressService, AccessService, the catalog access log, index.favorites):
 * similarity scores and ranking, restrictions, trending by time range from recorded reads,
 * personalized lists from history with exclusions and fallback, progress/favorites on the
 * same per-user data as the other surfaces, and TMDb "similar" against a local server.
 */
import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Item } from '../../daemon/domain/types.js';
import { openCatalogRepos } from '../../daemon/index/catalog.repo.js';
import { ItemTree } from '../../daemon/services/home/item-tree.js';
import { ProgressService } from '../../daemon/services/home/progress.service.js';
import { AccessService } from '../../daemon/services/access/access.service.js';
import { MediaPresenter } from '../../daemon/services/catalogizer/media/media-item.js';
import { CatalogizerMediaService } from '../../daemon/services/catalogizer/media/media.service.js';
import { CatalogizerRecommendationService } from '../../daemon/services/catalogizer/recommendations/recommendation.service.js';
import { factsOf, similarity, WEIGHTS } from '../../daemon/services/catalogizer/recommendations/similarity.js';
import { tmdbSimilar } from '../../daemon/services/catalogizer/recommendations/external-similar.js';
import { TmdbClient } from '../../daemon/metadata/providers/tmdb/tmdb.client.js';
import { fileUpsert, makeLibrary, tempStore } from './fixtures/index-tree.js';

const DAY = 86_400_000;
const MOVIES = [
  { lib: 'A', title: 'Alpha', genres: ['Action', 'Sci-Fi'], people: ['Jane Star'], year: 2010, rating: 7.5, collection: 'Saga', tmdbId: 603 },
  { lib: 'A', title: 'Beta', genres: ['Action'], people: ['Jane Star', 'Bob Lead'], year: 2012, rating: 8, collection: 'Saga' },
  { lib: 'A', title: 'Gamma', genres: ['Comedy'], people: ['Carl Funny'], year: 2015, rating: 6 },
  { lib: 'A', title: 'Delta', genres: ['Drama'], people: ['Dana Deep'], year: 2018, rating: 9 },
  { lib: 'B', title: 'Epsilon', genres: ['Action', 'Sci-Fi'], people: ['Jane Star'], year: 2011, rating: 7 },
];

async function setup(t: Test, external?: ReturnType<typeof tmdbSimilar>) {
  let now = 1_750_000_000_000;
  const clock = { now: () => now };
  const { store, cleanup } = await tempStore(clock);
  const libs = { A: (await makeLibrary(store, 'Movies')).lib, B: (await makeLibrary(store, 'Kids')).lib };
  const movies = new Map<string, { movie: Item; file: Item }>();
  for (const m of MOVIES) {
    const lib = libs[m.lib as 'A' | 'B'];
    const file = (await store.items.applyBatch({ upserts: [fileUpsert(lib, `${m.title}.mkv`, 1_000_000)] })).added[0];
    await store.items.setProbe(file.id, 'done', { durationMs: 100_000, video: [{ index: 0, codec: 'h264', width: 1920, height: 1080 }] });
    const movie = await store.items.createVirtual({
      kind: 'movie', libraryId: lib.id, locationId: 0, parentId: 0, name: m.title, relPath: '', mediaType: 'video', size: 0, mtimeMs: 0, offline: false,
      meta: { title: m.title, year: m.year, rating: m.rating, genres: m.genres, people: m.people.map((name) => ({ name, type: 'actor' })), fileIds: [file.id], ...(m.collection ? { collection: m.collection } : {}), ...(m.tmdbId ? { tmdbId: m.tmdbId } : {}) },
    });
    await store.items.updateMeta(file.id, { virtualId: movie.id });
    movies.set(m.title, { movie: store.items.get(movie.id)!, file: store.items.get(file.id)! });
  }
  const users = [];
  for (const name of ['one', 'two', 'three']) users.push((await store.users.create({ username: name, passwordHash: 'x', role: 'user', locked: false })).id);
  const tree = new ItemTree(store);
  const progress = new ProgressService(store, (i) => tree.durationOf(i), { clock, flushIntervalMs: 10_000 });
  const presenter = new MediaPresenter(store, tree, (u, i) => progress.get(u, i));
  const { access } = openCatalogRepos(store);
  const guard = new AccessService(store);
  const media = new CatalogizerMediaService(store, tree, presenter, progress, access, clock.now);
  const sut = new CatalogizerRecommendationService(store, tree, presenter, progress, access, external, clock.now);
  t.teardown(async () => { await progress.stop(); await cleanup(); });
  const get = (title: string) => movies.get(title)!;
  return {
    store, libs, get, users, progress, presenter, access, media, sut, tree,
    scope: (userId: number, libraryIds?: number[]) => guard.scopeFor(userId, false, libraryIds ? { libraryIds } : undefined),
    tick: (ms: number) => { now += ms; }, now: () => now,
  };
}

const opts = { maxLocal: 10, maxExternal: 5, includeExternal: false, threshold: 0.3 };

t.test('similarity: the documented weights, component by component', async (t) => {
  const a = factsOf({ genres: ['Action', 'Sci-Fi'], people: [{ name: 'Jane Star' }], year: 2010, rating: 7.5, collection: 'Saga' }, 1);
  const b = factsOf({ genres: ['action'], people: [{ name: 'jane star' }, { name: 'Bob Lead' }], year: 2012, rating: 8, set: 'saga' }, 1);
  const s = similarity(a, b);
  const expected = WEIGHTS.genres * (1 / 2) + WEIGHTS.people * 1 + WEIGHTS.collection + WEIGHTS.year * 0.8 + WEIGHTS.rating * 0.95 + WEIGHTS.library;
  t.equal(s.score, Math.round(expected * 10_000) / 10_000);
  t.same(s.reasons, ['genre:Action', 'person:Jane Star', 'collection:Saga', 'year', 'rating', 'library']);
  t.same(similarity(a, factsOf({}, 2)), { score: 0, reasons: [] }, 'nothing shared, other library: 0');
  t.equal(similarity(a, a).score, 1, 'an item is fully similar to itself');
  t.equal(Object.values(WEIGHTS).reduce((x, y) => x + y, 0), 1);
});

t.test('similar: ranked by score, threshold, limit, source excluded, restrictions respected, file ids resolve', async (t) => {
  const { get, users, sut, scope } = await setup(t);
  const alpha = get('Alpha');
  const all = await sut.similar(scope(users[0]), alpha.movie, opts) as { local_items: { media_id: number; similarity_score: number; media_metadata: { title: string } }[]; media_id: string; total_local: number };
  t.same(all.local_items.map((i) => i.media_metadata.title), ['Beta', 'Epsilon']);
  for (const it of all.local_items) {
    const other = [...MOVIES].find((m) => m.title === it.media_metadata.title)!;
    const expected = similarity(factsOf(alpha.movie.meta, alpha.movie.libraryId), factsOf(get(other.title).movie.meta, get(other.title).movie.libraryId)).score;
    t.equal(it.similarity_score, expected, `${other.title} score`);
    t.ok(it.similarity_score >= 0.3);
  }
  t.match(all.local_items[0], { detail_link: `/api/v1/media/${get('Beta').movie.id}`, download_link: `/api/v1/download/file/${get('Beta').file.id}`, play_link: `/api/stream/${get('Beta').file.id}`, is_owned: true, is_watched: false });
  t.equal(all.total_local, 2);
  const everything = await sut.similar(scope(users[0]), alpha.movie, { ...opts, threshold: 0 }) as { local_items: { media_metadata: { title: string } }[] };
  t.same(everything.local_items.map((i) => i.media_metadata.title).sort(), ['Beta', 'Delta', 'Epsilon', 'Gamma'], 'threshold 0 keeps every candidate, never the source');
  const one = await sut.similar(scope(users[0]), alpha.movie, { ...opts, maxLocal: 1 }) as { local_items: unknown[] };
  t.equal(one.local_items.length, 1);
  const restricted = await sut.similar(scope(users[0], [alpha.movie.libraryId]), alpha.movie, opts) as { local_items: { media_metadata: { title: string } }[] };
  t.same(restricted.local_items.map((i) => i.media_metadata.title), ['Beta'], 'a library the user may not see gives nothing');
  const viaFile = await sut.similar(scope(users[0]), alpha.file, opts) as { source_media_id: number; media_id: string; local_items: unknown[] };
  t.equal(viaFile.source_media_id, alpha.movie.id, 'a file speaks for its movie');
  t.equal(viaFile.media_id, String(alpha.file.id));
  t.equal(viaFile.local_items.length, 2);
});

t.test('trending: reads in the time range, rolled up to the movie, media type and restrictions', async (t) => {
  const { get, users, sut, scope, access, now } = await setup(t);
  for (let i = 0; i < 5; i++) await access.record(get('Gamma').file, now() - 20 * DAY);
  for (let i = 0; i < 3; i++) await access.record(get('Beta').file, now() - DAY);
  await access.record(get('Delta').file, now());
  await access.record(get('Epsilon').file, now());
  await access.record(get('Epsilon').file, now());
  const titles = (days: number, userId = users[0], libs?: number[], type?: string) => sut.trending(scope(userId, libs), days, type, 20).map((i) => [i.title, (i as { reads?: number }).reads]);
  t.same(titles(7), [['Beta', 3], ['Epsilon', 2], ['Delta', 1]]);
  t.same(titles(30), [['Gamma', 5], ['Beta', 3], ['Epsilon', 2], ['Delta', 1]]);
  t.same(titles(1), [['Epsilon', 2], ['Delta', 1]], 'day = today only');
  t.same(titles(7, users[0], [get('Beta').movie.libraryId]), [['Beta', 3], ['Delta', 1]], 'restricted user');
  t.same(titles(30, users[0], undefined, 'audio'), []);
  t.same(titles(30, users[0], undefined, 'video').length, 4);
  t.equal(sut.trending(scope(users[0]), 30, undefined, 2).length, 2, 'limit');
  t.match(sut.trending(scope(users[0]), 7, undefined, 1)[0], { id: get('Beta').movie.id, media_type: 'video', kind: 'movie', watch_progress: 0, is_favorite: false, is_downloaded: true });
});

t.test('progress and favorites: the shared per-user data; a play is a recorded read', async (t) => {
  const { store, get, users, media, presenter, progress, access, scope, tick, now } = await setup(t);
  const [u] = users;
  const alpha = get('Alpha');
  await media.setProgress(scope(u), alpha.file.id, 0.5);
  t.equal(progress.get(u, alpha.movie.id)?.offsetMs, 50_000, 'recorded on the movie, offset = fraction x duration');
  t.match(media.get(scope(u), alpha.movie.id), { watch_progress: 0.5, quality: '1080p', duration: 100, file_size: 1_000_000, versions: [{ file_id: alpha.file.id }] });
  t.match(media.get(scope(u), alpha.file.id), { watch_progress: 0.5 }, 'the file reads the same progress');
  tick(60_000);
  await media.setProgress(scope(u), alpha.movie.id, 0.6);
  t.same(access.readsSince(0).map((r) => [r.itemId, r.reads]), [[alpha.file.id, 1]], 'one viewing = one read');
  tick(7 * 3_600_000);
  await media.setProgress(scope(u), alpha.movie.id, 0.7);
  t.same(access.readsSince(0).map((r) => r.reads), [2], 'a new viewing after the gap');
  await media.setProgress(scope(u), alpha.movie.id, 0.95);
  t.match(progress.get(u, alpha.movie.id), { watched: true, viewCount: 1 });
  const item = media.get(scope(u), alpha.movie.id);
  t.equal(item.watch_progress, 1);
  t.equal(item.last_watched, new Date(now()).toISOString().slice(0, 19).replace('T', ' '));
  t.equal(media.get(scope(users[1]), alpha.movie.id).watch_progress, 0, 'per user');
  await progress.flush();
  t.equal(store.progress.get(u, alpha.movie.id)?.watched, true, 'written to index.progress (h3xed reads the same records)');

  const gamma = get('Gamma');
  await store.favorites.add(u, [gamma.file.id]);
  t.equal(presenter.isFavorite(u, gamma.movie), true, 'a Media Viewer favorite on the file shows on the movie');
  await media.setFavorite(scope(u), gamma.movie.id, false);
  t.equal(store.favorites.has(u, gamma.file.id), false, 'unfavorite clears the linked file mark');
  await media.setFavorite(scope(u), get('Delta').movie.id, true);
  t.equal(store.favorites.has(u, get('Delta').movie.id), true);
  t.equal(media.get(scope(u), get('Delta').movie.id).is_favorite, true);
  t.throws(() => media.get(scope(u, [gamma.movie.libraryId]), get('Epsilon').movie.id), { code: 'NOT_FOUND', publicCode: 'MEDIA_NOT_FOUND' }, 'hidden = not found');
  t.match(await media.setProgress(scope(u), 999_999, 0.1).catch((e: unknown) => e), { code: 'NOT_FOUND', publicCode: 'MEDIA_NOT_FOUND' }, 'missing media');
});

t.test('personalized: from history, finished and seen items excluded, topped up by recently added; fallback alone', async (t) => {
  const { get, users, sut, scope, progress } = await setup(t);
  const [, u2, u3] = users;
  await progress.markWatched(u2, [get('Alpha').movie]);
  const recs = await sut.personalized(scope(u2), 10);
  t.same(recs.slice(0, 2).map((r) => r.title), ['Beta', 'Epsilon'], 'matches of the history first');
  t.ok(recs[0].reasons.includes('collection:Saga') && recs[0].reasons.includes('person:Jane Star'));
  t.equal(recs[0].score, Math.round(((1 + 1.5 * 1 + 2 * 1) / 1 + 8 / 20) * 1000) / 1000, 'action 1 + person 1.5 + collection 2 over total 1, + rating/20');
  t.notOk(recs.some((r) => r.title === 'Alpha'), 'finished item excluded');
  t.same(recs.slice(2).map((r) => r.title), ['Delta', 'Gamma'], 'topped up by rating and freshness');
  t.ok(recs.slice(2).every((r) => r.reasons[0] === 'recently_added'));
  await progress.markWatched(u2, [get('Beta').movie]);
  t.notOk((await sut.personalized(scope(u2), 10)).some((r) => r.title === 'Beta'));
  const cold = await sut.personalized(scope(u3), 10);
  t.same(cold.map((r) => r.title), ['Delta', 'Beta', 'Alpha', 'Epsilon', 'Gamma'], 'no history: recently added, highest rated first');
  t.same((await sut.personalized(scope(u3, [get('Alpha').movie.libraryId]), 2)).map((r) => r.title), ['Delta', 'Beta'], 'restrictions and limit');
});

t.test('external similar titles from a TMDb-shaped local server; without a key the reason is reported', async (t) => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/3/movie/603/similar' && url.searchParams.get('api_key') === 'k') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ page: 1, total_pages: 1, total_results: 2, results: [
        { id: 604, title: 'The Matrix Reloaded', release_date: '2003-05-15', overview: 'Neo again.', vote_average: 7.1, poster_path: '/r.jpg' },
        { id: 605, title: 'The Matrix Revolutions', release_date: '2003-11-05', overview: '', vote_average: 6.7, poster_path: null },
      ] }));
    } else { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"status_code":34}'); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/3`;
  const client = (apiKey?: string) => new TmdbClient({ baseUrl: base, apiKey, language: 'en-US', timeoutMs: 2000, maxRetries: 0, minIntervalMs: 0, cacheEntries: 10, cacheTtlMs: 60_000 });
  const { get, users, sut, scope } = await setup(t, tmdbSimilar(client('k')));
  const res = await sut.similar(scope(users[0]), get('Alpha').movie, { ...opts, includeExternal: true, maxExternal: 1 }) as Record<string, unknown>;
  t.same(res.external_items, [{ provider: 'tmdb', external_id: '604', title: 'The Matrix Reloaded', year: 2003, description: 'Neo again.', rating: 7.1, cover_image: 'https://image.tmdb.org/t/p/w500/r.jpg', media_type: 'video' }]);
  t.match(res, { total_external: 1, total_local: 2, total_found: 3, algorithms_used: ['metadata_similarity', 'tmdb_similar'], performance: { api_calls_count: 1 } });
  t.ok(seen.some((u) => u.startsWith('/3/movie/603/similar')));
  const noMatch = await sut.similar(scope(users[0]), get('Beta').movie, { ...opts, includeExternal: true }) as Record<string, unknown>;
  t.match(noMatch, { external_items: [], external_error: 'item has no TMDb match' });
  const unkeyed = await setup(t, tmdbSimilar(client(undefined)));
  const r2 = await unkeyed.sut.similar(unkeyed.scope(unkeyed.users[0]), unkeyed.get('Alpha').movie, { ...opts, includeExternal: true }) as Record<string, unknown>;
  t.match(r2, { external_items: [], external_error: /not configured/ });
});
