/**
 * Catalogizer "Media Operations" and "Recommendations" conformance against the built daemon
 * (seed 003; docs/API.md "Catalogizer — Media", "Catalogizer — Recommendations"): real clips
 * identified by the metadata engine (NFO genres, actors, ratings), media detail, progress and
 * favorites shared with h3xed and Media Viewer, search and stats, similar / trending /
 * personalized from real data, documented errors and permission guards.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { CLIP_SECONDS, HOME_EPISODES, HOME_MOVIES, makeHomeMedia, waitFor } from '../helpers/home-tree.js';
import { createUser, v1Login } from './catalogizer-helpers.js';

let daemon: RunningDaemon;
let base: string;
const ids = new Map<string, number>();
let showId = 0;

t.before(async () => {
  base = await mkdtemp(join(tmpdir(), 'alcove-cat-media-'));
  const media = join(base, 'media');
  await makeHomeMedia(media);
  const cfg = join(base, 'alcove.yaml');
  await writeFile(cfg, 'rateLimits:\n  authPerMinute: 10000\n  apiPerMinute: 100000\n');
  daemon = await startDaemon({ args: ['--config', cfg, '--library', `Movies=${join(media, 'Movies')}:movie`, '--library', `Shows=${join(media, 'Shows')}:tv`], env: { ALCOVE_REGISTRATION: 'open' } });
  await daemon.loginAdmin();
  const libs = (await daemon.request('GET', '/api/libraries')).body as { id: string; name: string }[];
  const uuid = (name: string) => libs.find((l) => l.name === name)!.id;
  await waitFor(async () => {
    const m = await daemon.request('GET', `/api/libraries/${uuid('Movies')}/items?limit=10`);
    const s = await daemon.request('GET', `/api/libraries/${uuid('Shows')}/items?limit=10`);
    if (m.body?.totalCount !== HOME_MOVIES.length || !m.body.items.every((i: { genres?: string[]; duration?: number }) => i.genres && i.duration)) return false;
    if (s.body?.totalCount !== 1) return false;
    const eps = await daemon.request('GET', `/api/media/${s.body.items[0].ratingKey}/episodes`);
    if (eps.body?.totalCount !== HOME_EPISODES.length) return false;
    for (const i of m.body.items as { title: string; ratingKey: string }[]) ids.set(i.title, Number(i.ratingKey));
    showId = Number(s.body.items[0].ratingKey);
    return true;
  }, 60_000);
});
t.teardown(async () => { await daemon?.stop(); if (base) await rm(base, { recursive: true, force: true }); });

const req = (method: string, path: string, body?: unknown, token?: string | null) => daemon.request(method, `/api/v1${path}`, body, token);

t.test('GET /media/:id: the documented MediaCatalogItem from identified metadata; 400 and 404', async (t) => {
  const alpha = ids.get('Alpha')!;
  const res = await req('GET', `/media/${alpha}`);
  t.equal(res.status, 200);
  t.match(res.body, {
    id: alpha, title: 'Alpha', media_type: 'video', kind: 'movie', year: 2010, description: 'Alpha plot.', rating: 7.5,
    cover_image: `/api/artwork/${alpha}/thumb`, quality: 'SD', duration: CLIP_SECONDS, directory_path: '/Movies/Alpha (2010)', smb_path: null,
    external_metadata: [], versions: [{ filename: 'Alpha (2010).mp4', video_codec: 'h264' }], is_favorite: false, watch_progress: 0, last_watched: null, is_downloaded: true,
    genres: ['Action', 'Science Fiction'],
  });
  t.match(res.body.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.ok(res.body.file_size > 0);
  t.equal((await daemon.fetch(res.body.cover_image)).status, 200, 'cover_image is served');
  t.match(await req('GET', '/media/abc'), { status: 400, body: { success: false, error: 'Invalid media ID', code: 'INVALID_MEDIA_ID' } });
  t.match(await req('GET', '/media/0'), { status: 400, body: { code: 'INVALID_MEDIA_ID' } });
  t.match(await req('GET', '/media/99999999'), { status: 404, body: { success: false, error: 'Media not found', code: 'MEDIA_NOT_FOUND' } });
  t.match(await req('GET', `/media/${alpha}`, undefined, null), { status: 401, body: { success: false } });
});

t.test('PUT /media/:id/progress and /favorite: the same per-user data as h3xed and Media Viewer', async (t) => {
  const gamma = ids.get('Gamma')!;
  t.match(await req('PUT', `/media/${gamma}/progress`, { progress: 0.5 }), { status: 200, body: { success: true, message: 'Watch progress updated successfully' } });
  const h3 = (await daemon.request('GET', `/api/media/${gamma}`)).body;
  t.equal(h3.viewOffset, CLIP_SECONDS * 500, 'h3xed sees the resume point');
  t.match((await req('GET', `/media/${gamma}`)).body, { watch_progress: 0.5, last_watched: /^\d{4}-/ });
  t.match(await req('PUT', `/media/${gamma}/progress`, { progress: 1 }), { status: 200 });
  t.equal((await daemon.request('GET', `/api/media/${gamma}`)).body.watched, true, 'completion is h3xed\'s watched');
  t.equal((await req('GET', `/media/${gamma}`)).body.watch_progress, 1);
  for (const [body, error] of [[[1], 'Invalid request body'], [{}, 'Progress field is required'], [{ progress: 1.5 }, 'Progress must be between 0.0 and 1.0'], [{ progress: -0.1 }, 'Progress must be between 0.0 and 1.0'], [{ progress: '0.5' }, 'Progress must be between 0.0 and 1.0']] as const) {
    t.match(await req('PUT', `/media/${gamma}/progress`, body), { status: 400, body: { success: false, error } }, error);
  }
  t.match(await req('PUT', '/media/99999999/progress', { progress: 0.2 }), { status: 404, body: { error: 'Media not found' } });
  t.match(await req('PUT', `/media/${showId}/progress`, { progress: 0.2 }), { status: 400, body: { code: 'NOT_PLAYABLE' } });

  const delta = ids.get('Delta')!;
  const path = 'Movies/Delta (2018)/Delta (2018).mp4';
  t.equal((await daemon.request('POST', '/api/favorites', { path })).status, 200, 'Media Viewer marks the file');
  t.equal((await req('GET', `/media/${delta}`)).body.is_favorite, true, 'the movie reads it');
  t.match(await req('PUT', `/media/${delta}/favorite`, { favorite: false }), { status: 200, body: { success: true, message: 'Favorite status updated successfully' } });
  t.notOk(JSON.stringify((await daemon.request('GET', '/api/favorites')).body).includes('Delta (2018).mp4'), 'gone from Media Viewer too');
  t.match(await req('PUT', `/media/${delta}/favorite`, { favorite: true }), { status: 200 });
  t.equal((await req('GET', `/media/${delta}`)).body.is_favorite, true);
  t.match(await req('PUT', `/media/${delta}/favorite`, {}), { status: 400, body: { error: 'Favorite field is required' } });
  t.match(await req('PUT', `/media/${delta}/favorite`, { favorite: 'yes' }), { status: 400, body: { code: 'INVALID_FAVORITE' } });
});

t.test('GET /media/search and /media/stats', async (t) => {
  const titles = async (q: string) => ((await req('GET', `/media/search${q}`)).body.media_items as { title: string }[]).map((i) => i.title);
  const all = (await req('GET', '/media/search')).body;
  t.match(all, { total: HOME_MOVIES.length + 1, count: HOME_MOVIES.length + 1, limit: 50, offset: 0, has_more: false });
  t.same(await titles('?query=alpha'), ['Alpha']);
  t.same(await titles('?genre=action'), ['Alpha', 'Beta']);
  t.same(await titles('?media_types=movie&sort_by=year&sort_order=desc'), ['Delta', 'Gamma', 'Beta', 'Alpha']);
  t.same(await titles('?media_types=tv_show'), ['Show One']);
  t.same(await titles('?media_types=movie&min_rating=8'), ['Beta', 'Delta']);
  t.same(await titles('?media_types=movie&year_from=2011&year_to=2016'), ['Beta', 'Gamma']);
  t.same(await titles('?media_types=movie&watched_status=watched'), ['Gamma']);
  t.match((await req('GET', '/media/search?media_types=movie&limit=2&offset=1')).body, { total: 4, count: 2, has_more: true });
  for (const q of ['?limit=0', '?sort_by=color', '?sort_order=up', '?media_types=planet', '?year=abc', '?min_rating=11', '?watched_status=maybe']) {
    t.match(await req('GET', `/media/search${q}`), { status: 400, body: { success: false } }, q);
  }
  const stats = (await req('GET', '/media/stats')).body;
  t.match(stats, { media_type_distribution: { movie: HOME_MOVIES.length, show: 1, season: 2, episode: HOME_EPISODES.length }, database: { total_files: HOME_MOVIES.length + HOME_EPISODES.length } });
  t.equal(stats.quality_distribution.Other, HOME_MOVIES.length + HOME_EPISODES.length, '320x240 clips are below 720p');
  t.ok(stats.recent_activity.new_items_24h >= HOME_MOVIES.length + HOME_EPISODES.length);
});

t.test('recommendations: similar, trending from real reads, personalized from history, test; errors', async (t) => {
  const alpha = ids.get('Alpha')!; const beta = ids.get('Beta')!;
  const sim = (await req('GET', `/recommendations/similar/${alpha}`)).body;
  t.match(sim, { media_id: String(alpha), total_local: sim.local_items.length, external_items: [], total_external: 0, algorithms_used: ['metadata_similarity'] });
  t.equal(sim.local_items[0].media_metadata.title, 'Beta', 'shares genre, actor, era');
  t.ok(sim.local_items.every((i: { similarity_score: number }) => i.similarity_score >= 0.3));
  t.match(sim.local_items[0], { media_id: beta, detail_link: `/api/v1/media/${beta}`, similarity_reasons: ['genre:Action', 'person:Jane Star', 'year', 'rating', 'library'] });
  t.equal((await daemon.fetch(sim.local_items[0].download_link)).status, 200, 'download_link works');
  t.match(await req('GET', '/recommendations/similar/abc'), { status: 400, body: { error: 'Invalid media ID' } });
  t.match(await req('GET', '/recommendations/similar/99999999'), { status: 404, body: { error: 'Media not found' } });
  t.match(await req('GET', `/recommendations/similar/${alpha}?similarity_threshold=2`), { status: 400 });

  const betaFile = (await req('GET', `/media/${beta}`)).body.versions[0].file_id;
  for (let i = 0; i < 3; i++) await (await daemon.fetch(`/api/v1/download/file/${betaFile}`)).arrayBuffer();
  await req('PUT', `/media/${alpha}/progress`, { progress: 0.3 });
  const trend = (await req('GET', '/recommendations/trending?media_type=video')).body;
  t.match(trend, { media_type: 'video', time_range: 'week' });
  const reads = Object.fromEntries(trend.items.map((i: { title: string; reads: number }) => [i.title, i.reads]));
  t.same(reads, { Beta: 4, Alpha: 1, Gamma: 1 }, 'three downloads + download_link above; one play each of Alpha and Gamma');
  t.equal(trend.items[0].title, 'Beta', 'most reads first');
  t.same((await req('GET', '/recommendations/trending?media_type=audio')).body.items, []);
  t.match(await req('GET', '/recommendations/trending?time_range=decade'), { status: 400, body: { success: false } });

  const me = (await req('GET', '/auth/me')).body;
  const myId = me.id ?? me.user?.id;
  const pers = (await req('GET', `/recommendations/personalized/${myId}?limit=3`)).body;
  t.equal(pers.user_id, myId);
  // History: Gamma finished, Alpha started, Delta favorited; they are the seeds and never come back.
  t.same(pers.items.map((i: { title: string }) => i.title).sort(), ['Beta', 'Show One']);
  t.equal(pers.items[0].title, 'Beta', 'the match of the history ranks above the fallback');
  t.ok(pers.items[0].reasons.includes('person:Jane Star'));
  t.match(await req('GET', '/recommendations/personalized/abc'), { status: 400, body: { error: 'Invalid user ID' } });
  t.match(await req('GET', '/recommendations/personalized/99999'), { status: 404 });
  t.match(await req('GET', '/recommendations/test'), { status: 200, body: { message: 'Simple recommendation works!' } });
});

t.test('guards: media.view to read, userdata.write for own data, user.manage for another user\'s list', async (t) => {
  const roleId = (await req('POST', '/roles', { name: 'viewer-only', permissions: ['media.view'] })).body.id as number;
  await createUser(daemon, 'viewer1', 'viewer-password-1', roleId);
  await createUser(daemon, 'plain1', 'plain-password-1', 2);
  const viewer = (await v1Login(daemon, 'viewer1', 'viewer-password-1')).session_token;
  const plain = await v1Login(daemon, 'plain1', 'plain-password-1');
  const alpha = ids.get('Alpha')!;
  t.equal((await req('GET', `/media/${alpha}`, undefined, viewer)).status, 200);
  t.match(await req('PUT', `/media/${alpha}/progress`, { progress: 0.1 }, viewer), { status: 403, body: { success: false } });
  t.match(await req('PUT', `/media/${alpha}/progress`, { progress: 0.1 }, plain.session_token), { status: 200 });
  t.equal((await req('GET', `/media/${alpha}`, undefined, plain.session_token)).body.watch_progress, 0.1, 'own progress');
  t.match(await req('GET', '/recommendations/personalized/1', undefined, plain.session_token), { status: 403 });
  t.equal((await req('GET', `/recommendations/personalized/${plain.user.id}`, undefined, plain.session_token)).status, 200);
  t.equal((await req('GET', `/recommendations/personalized/${plain.user.id}`)).status, 200, 'admin may read another user\'s list');
  t.match(await req('GET', '/recommendations/trending', undefined, null), { status: 401 });
});
