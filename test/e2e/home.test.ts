/**
 * h3xed home surface conformance (seed 004, docs/API.md "Home surface"): libraries with
 * counts, items (shape, paging, sorting, filters), recent, discovery, item details with
 * files[], children/episodes, cast, artwork (resize, ETag, 404 JSON), watch progress
 * (threshold, resume, continue watching with next episode, mark watched on a show),
 * watch-state batch, watchlist, recommendations, genres, status, documented errors.
 */
import t from 'tap';
import sharp from 'sharp';
import { CLIP_SECONDS, HOME_EPISODES, HOME_MOVIES, startHomeDaemon, type HomeTree } from '../helpers/home-tree.js';

let tree: HomeTree;
t.before(async () => { tree = await startHomeDaemon(); });
t.teardown(async () => { await tree?.cleanup(); });

interface It { ratingKey: string; type: string; title: string; [k: string]: unknown }
const items = async (q = ''): Promise<{ items: It[]; totalCount: number; offset: number; limit: number; library: Record<string, unknown> }> =>
  (await tree.daemon.request('GET', `/api/libraries/${tree.movies.uuid}/items${q}`)).body;
const movieKey = async (title: string): Promise<string> => (await items()).items.find((i) => i.title === title)!.ratingKey;
const showKey = async (): Promise<string> => (await tree.daemon.request('GET', `/api/libraries/${tree.shows.uuid}/items`)).body.items[0].ratingKey;
const episodes = async (): Promise<It[]> => (await tree.daemon.request('GET', `/api/media/${await showKey()}/episodes`)).body.items;

t.test('libraries list item counts; items in the documented shape with paging and sorting', async (t) => {
  const d = tree.daemon;
  const libs = (await d.request('GET', '/api/libraries')).body as Record<string, unknown>[];
  t.match(libs.find((l) => l.name === 'Movies'), { id: tree.movies.uuid, type: 'movie', itemCount: HOME_MOVIES.length, fileCount: HOME_MOVIES.length });
  t.match(libs.find((l) => l.name === 'Shows'), { itemCount: 1, fileCount: HOME_EPISODES.length });
  const page = await items();
  t.match(page, { library: { id: tree.movies.uuid, name: 'Movies', type: 'movie' }, totalCount: HOME_MOVIES.length, offset: 0, limit: 50 });
  t.same(page.items.map((i) => i.title), [...HOME_MOVIES].map((m) => m.title).sort());
  const alpha = page.items[0];
  t.match(alpha, { id: alpha.ratingKey, type: 'movie', title: 'Alpha', year: 2010, summary: 'Alpha plot.', thumb: `/api/artwork/${alpha.ratingKey}/thumb`, duration: CLIP_SECONDS * 1000, rating: 7.5 });
  t.ok(Number.isInteger(alpha.addedAt) && (alpha.addedAt as number) < Date.now() / 1000 + 5 && (alpha.addedAt as number) > 1e9, 'addedAt in Unix seconds');
  t.same((await items('?offset=1&limit=2')).items.map((i) => i.title), ['Beta', 'Delta']);
  t.same((await items('?sort=year&order=desc')).items.map((i) => i.year), [...HOME_MOVIES].map((m) => m.year).sort().reverse());
  t.same((await items('?sort=title:desc&limit=1')).items.map((i) => i.title), ['Gamma']);
  t.same((await items('?genre=action')).items.map((i) => i.title), ['Alpha', 'Beta'], 'genre filter, case-insensitive');
  t.match(await items('?genre=Science%20Fiction'), { totalCount: 1 });
  t.same((await items('?year=2015')).items.map((i) => i.title), ['Gamma']);
  t.match(await d.request('GET', `/api/libraries/${tree.movies.id}/items?limit=1`), { status: 200, body: { totalCount: HOME_MOVIES.length } }, 'numeric id accepted');
  for (const q of ['?limit=0', '?limit=5000', '?offset=-1', '?sort=color', '?order=up', '?type=planet', '?watched=maybe', '?year=abc']) {
    t.match(await d.request('GET', `/api/libraries/${tree.movies.uuid}/items${q}`), { status: 400, body: { success: false, code: 'VALIDATION_FAILED' } }, q);
  }
  t.match(await d.request('GET', '/api/libraries/00000000-0000-0000-0000-000000000000/items'), { status: 404, body: { success: false } });
  const recent = (await d.request('GET', `/api/libraries/${tree.shows.uuid}/recent?limit=2`)).body;
  t.equal(recent.items.length, 2);
  t.ok(recent.items.every((i: It) => i.type === 'episode'), 'recently added in a TV library are episodes');
  const disc = (await d.request('GET', '/api/discover/recent?limit=50')).body;
  t.equal(disc.totalCount, HOME_MOVIES.length + HOME_EPISODES.length);
  t.ok(disc.items.every((i: It, n: number) => n === 0 || (disc.items[n - 1].addedAt as number) >= (i.addedAt as number)), 'newest first');
});

t.test('items: detail with files[], show -> seasons -> episodes, cast, artwork', async (t) => {
  const d = tree.daemon;
  const alpha = await movieKey('Alpha');
  const det = (await d.request('GET', `/api/media/${alpha}`)).body;
  t.equal(det.files.length, 1);
  t.match(det.files[0], { streamUrl: `/api/stream/${det.files[0].id}`, container: 'mp4', videoCodec: 'h264', audioCodec: 'aac', width: 320, height: 240, videoResolution: 'sd', duration: CLIP_SECONDS * 1000 });
  t.equal((await d.fetch(det.files[0].streamUrl)).status, 200, 'streamUrl plays');
  const show = await showKey();
  const seasons = (await d.request('GET', `/api/media/${show}/children`)).body;
  t.same(seasons.items.map((s: It) => [s.type, s.index]), [['season', 1], ['season', 2]]);
  const s1 = (await d.request('GET', `/api/media/${seasons.items[0].ratingKey}/children`)).body.items;
  t.same(s1.map((e: It) => [e.type, e.parentIndex, e.index]), [['episode', 1, 1], ['episode', 1, 2], ['episode', 1, 3]]);
  t.match(s1[0], { parentRatingKey: seasons.items[0].ratingKey, grandparentRatingKey: show, grandparentTitle: 'Show One' });
  t.equal((await d.request('GET', `/api/media/${seasons.items[1].ratingKey}/episodes`)).body.totalCount, 1);
  t.match((await d.request('GET', `/api/media/${s1[0].ratingKey}`)).body, { type: 'episode', files: [{ videoCodec: 'h264' }] });
  t.match(await d.request('GET', `/api/media/${alpha}/children`), { status: 400, body: { code: 'NO_CHILDREN' } });
  t.match(await d.request('GET', `/api/media/${alpha}/episodes`), { status: 400, body: { code: 'NOT_A_SEASON' } });
  t.match((await d.request('GET', `/api/cast/${alpha}`)).body, { ratingKey: alpha, cast: [{ name: 'Jane Star', role: 'Hero', type: 'actor' }], crew: [] });
  t.match((await d.request('GET', `/api/cast/${s1[0].ratingKey}`)).body, { cast: [{ name: 'Dana Deep' }] }, 'episode falls back to its show');
  t.match(await d.request('GET', '/api/media/999999'), { status: 404, body: { success: false, code: 'ITEM_NOT_FOUND' } });
  t.match(await d.request('GET', '/api/media/abc'), { status: 400, body: { code: 'VALIDATION_FAILED' } });
  t.match(await d.request('GET', '/api/cast/0'), { status: 400 });

  const art = await d.fetch(`/api/artwork/${alpha}/thumb`);
  t.equal(art.status, 200);
  t.equal(art.headers.get('content-type'), 'image/jpeg');
  const full = await sharp(Buffer.from(await art.arrayBuffer())).metadata();
  t.same([full.width, full.height], [600, 900]);
  const etag = art.headers.get('etag')!;
  t.equal((await d.fetch(`/api/artwork/${alpha}/thumb`, { headers: { 'if-none-match': etag } })).status, 304);
  const small = await d.fetch(`/api/artwork/${alpha}/thumb?width=100`);
  const meta = await sharp(Buffer.from(await small.arrayBuffer())).metadata();
  t.same([meta.format, meta.width, meta.height], ['jpeg', 100, 150], 'resized, aspect kept');
  const smallTag = small.headers.get('etag')!;
  t.not(smallTag, etag);
  t.equal((await d.fetch(`/api/artwork/${alpha}/thumb?width=100`)).headers.get('etag'), smallTag, 'cached resize, same ETag');
  const cover = await d.fetch(`/api/artwork/${alpha}/thumb?width=50&height=50`);
  const coverMeta = await sharp(Buffer.from(await cover.arrayBuffer())).metadata();
  t.same([coverMeta.width, coverMeta.height], [50, 50], 'width and height: cover crop');
  t.match(await d.request('GET', `/api/artwork/${alpha}/art`), { status: 404, body: { success: false, code: 'ARTWORK_NOT_FOUND' } });
  t.match(await d.request('GET', `/api/artwork/${await movieKey('Beta')}/thumb`), { status: 404, body: { code: 'ARTWORK_NOT_FOUND' } });
  t.match(await d.request('GET', `/api/artwork/${alpha}/thumb?width=0`), { status: 400 });
  t.match(await d.request('GET', `/api/artwork/${alpha}/thumb?height=99999`), { status: 400 });
  t.match(await d.request('GET', `/api/artwork/${alpha}/banner`), { status: 400 });
});

t.test('progress: resume, watched threshold, continue watching with the next episode, mark watched/unwatched', async (t) => {
  const d = tree.daemon;
  const dur = CLIP_SECONDS * 1000;
  const beta = await movieKey('Beta');
  const eps = await episodes();
  t.match(await d.request('POST', '/api/progress', { ratingKey: beta, offset: 1000 }), { status: 200, body: { success: true, ratingKey: beta, viewOffset: 1000, duration: dur, watched: false, viewCount: 0 } });
  // A file's ratingKey records on its movie (two versions share one resume point).
  const betaFile = (await d.request('GET', `/api/media/${beta}`)).body.files[0].ratingKey;
  t.match(await d.request('POST', '/api/progress', { ratingKey: betaFile, offset: 1500 }), { body: { ratingKey: beta, viewOffset: 1500 } });
  t.match((await d.request('GET', `/api/watch-state?keys=${beta},${betaFile}`)).body.states, { [beta]: { viewOffset: 1500 }, [betaFile]: { viewOffset: 1500 } });
  t.match((await d.request('GET', `/api/media/${beta}`)).body, { viewOffset: 1500, watched: false });
  await d.request('POST', '/api/progress', { ratingKey: eps[0].ratingKey, offset: 500 });
  let cw = (await d.request('GET', '/api/continue-watching')).body;
  t.same(cw.items.map((i: It) => [i.ratingKey, i.reason]), [[eps[0].ratingKey, 'resume'], [beta, 'resume']], 'most recent first');
  // Past 90 %: watched, resume point cleared, counted once even when reported twice.
  t.match((await d.request('POST', '/api/progress', { ratingKey: eps[0].ratingKey, offset: dur * 0.95 })).body, { watched: true, viewOffset: 0, viewCount: 1 });
  t.match((await d.request('POST', '/api/progress', { ratingKey: eps[0].ratingKey, offset: dur * 0.95 })).body, { viewCount: 1 });
  cw = (await d.request('GET', '/api/continue-watching')).body;
  t.same(cw.items.map((i: It) => [i.ratingKey, i.reason]), [[eps[1].ratingKey, 'next'], [beta, 'resume']], 'next episode of a show in progress');
  t.match(cw.items[0], { type: 'episode', index: 2, grandparentTitle: 'Show One' });
  const show = await showKey();
  t.match((await d.request('POST', `/api/mark-watched/${show}`)).body, { success: true, marked: HOME_EPISODES.length });
  const st = (await d.request('GET', `/api/watch-state?keys=${show},${eps[3].ratingKey}`)).body.states;
  t.match(st[show], { watched: true, leafCount: HOME_EPISODES.length, viewedLeafCount: HOME_EPISODES.length });
  t.match(st[eps[3].ratingKey], { watched: true, viewCount: 1 });
  t.same((await d.request('GET', '/api/continue-watching')).body.items.map((i: It) => i.ratingKey), [beta], 'a finished show leaves continue watching');
  t.match((await d.request('POST', `/api/mark-unwatched/${eps[3].ratingKey}`)).body, { success: true, cleared: 1 });
  t.match((await d.request('GET', `/api/watch-state?keys=${show}`)).body.states[show], { watched: false, viewedLeafCount: HOME_EPISODES.length - 1 });
  t.match((await d.request('POST', '/api/progress/watched', { ratingKey: beta })).body, { marked: 1 });
  t.match((await d.request('GET', `/api/watch-state?keys=${beta}`)).body.states[beta], { watched: true, viewOffset: 0 });
  t.match((await d.request('DELETE', `/api/progress/${beta}`)).body, { success: true, cleared: 1 });
  t.match((await d.request('GET', `/api/watch-state?keys=${beta},999999`)).body, { states: { [beta]: { watched: false, viewCount: 0 } } });
  t.notOk('999999' in (await d.request('GET', `/api/watch-state?keys=999999`)).body.states);
  t.match((await items('?watched=true')).items.map((i) => i.title), []);
  await d.request('POST', '/api/progress/watched', { ratingKey: await movieKey('Gamma') });
  t.same((await items('?watched=true')).items.map((i) => i.title), ['Gamma']);
  t.equal((await items('?watched=false')).totalCount, HOME_MOVIES.length - 1);

  const bad: [unknown, number, string][] = [
    [{ offset: 10 }, 400, 'VALIDATION_FAILED'], [{ ratingKey: beta }, 400, 'VALIDATION_FAILED'], [{ ratingKey: beta, offset: -5 }, 400, 'VALIDATION_FAILED'],
    [{ ratingKey: beta, offset: '10' }, 400, 'VALIDATION_FAILED'], [{ ratingKey: 'x1', offset: 1 }, 400, 'VALIDATION_FAILED'],
    [{ ratingKey: show, offset: 1 }, 400, 'NOT_PLAYABLE'], [{ ratingKey: '999999', offset: 1 }, 404, 'ITEM_NOT_FOUND'], [[1], 400, 'VALIDATION_FAILED'],
  ];
  for (const [body, status, code] of bad) t.match(await d.request('POST', '/api/progress', body), { status, body: { success: false, code } }, JSON.stringify(body));
  t.match(await d.request('GET', '/api/watch-state'), { status: 400 });
  t.match(await d.request('GET', '/api/watch-state?keys=a,b'), { status: 400 });
  t.match(await d.request('POST', '/api/mark-watched/999999'), { status: 404 });
  t.match(await d.request('GET', '/api/continue-watching?limit=0'), { status: 400 });
});

t.test('watchlist: add, list, remove', async (t) => {
  const d = tree.daemon;
  const delta = await movieKey('Delta');
  const show = await showKey();
  t.match(await d.request('POST', `/api/watchlist/${delta}`), { status: 201, body: { added: true } });
  t.match(await d.request('POST', `/api/watchlist/${delta}`), { status: 200, body: { added: false } });
  await d.request('POST', `/api/watchlist/${show}`);
  const wl = (await d.request('GET', '/api/watchlist')).body;
  t.same(wl.items.map((i: It) => i.ratingKey).sort(), [delta, show].sort());
  t.ok(wl.items.every((i: { watchlistedAt: number }) => i.watchlistedAt > 1e9));
  t.match(await d.request('DELETE', `/api/watchlist/${delta}`), { body: { removed: true } });
  t.match(await d.request('DELETE', `/api/watchlist/${delta}`), { body: { removed: false } });
  t.equal((await d.request('GET', '/api/watchlist')).body.totalCount, 1);
  t.match(await d.request('POST', '/api/watchlist/999999'), { status: 404, body: { code: 'ITEM_NOT_FOUND' } });
  t.match(await d.request('POST', '/api/watchlist/nope'), { status: 400 });
});

t.test('recommendations come from what was watched; genres; status', async (t) => {
  const d = tree.daemon;
  await d.request('POST', '/api/progress/watched', { ratingKey: await movieKey('Alpha') });
  const rec = (await d.request('GET', `/api/libraries/${tree.movies.uuid}/recommended`)).body;
  t.equal(rec.items[0].title, 'Beta', 'same genre and actor ranks first');
  t.match(rec.items[0].reasons, ['genre:Action', 'person:Jane Star']);
  t.notOk(rec.items.some((i: It) => i.title === 'Alpha' || i.title === 'Gamma'), 'finished items excluded');
  t.ok(rec.items.every((i: { score: number }, n: number) => n === 0 || rec.items[n - 1].score >= i.score), 'ranked');
  const genres = (await d.request('GET', '/api/genres')).body.genres;
  t.match(genres.find((g: { name: string }) => g.name === 'Action'), { count: 2 });
  t.match(genres.find((g: { name: string }) => g.name === 'Drama'), { count: 2 }, 'movie and show');
  t.same((await d.request('GET', `/api/genres?library=${tree.shows.uuid}`)).body.genres.map((g: { name: string }) => g.name), ['Drama']);
  const status = (await d.request('GET', '/api/status')).body;
  t.match(status, { libraries: 2, users: 1, transcodes: 0, server: { name: String } });
  t.ok(status.items > 0 && status.sessions >= 1);
  t.match(await d.request('GET', '/api/server', undefined, null), { status: 200, body: { version: String } });
  t.match(await d.request('GET', '/api/status', undefined, null), { status: 401 });
});

t.test('recommendations fall back to recent and highly rated with no history', async (t) => {
  const d = tree.daemon;
  await d.request('POST', '/api/users', { username: 'fresh', password: 'fresh-password-1' });
  const login = await d.request('POST', '/api/auth/login', { username: 'fresh', password: 'fresh-password-1' }, null);
  const rec = (await d.request('GET', `/api/libraries/${tree.movies.uuid}/recommended`, undefined, login.body.token)).body;
  t.equal(rec.items.length, HOME_MOVIES.length);
  t.equal(rec.items[0].title, 'Delta', 'highest rated first among equally recent');
  t.ok(rec.items.every((i: { reasons: string[] }) => i.reasons[0] === 'recently-added'));
});
