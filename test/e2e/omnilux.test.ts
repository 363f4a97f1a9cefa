/**
 * OmniLux library API (seed 002) end to end on the built daemon: every endpoint at its
 * documented path with its documented shape, the documented errors (401, 403, 400, 404),
 * identification of real-style names, NFO over names, local artwork with caching headers,
 * manual edits locking fields, stats from kept counters, and TMDb's 503 without a key.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startDaemon, eventually, type RunningDaemon } from '../helpers/daemon.js';
import { FFMPEG } from '../helpers/media-fixtures.js';

const run = promisify(execFile);
const media = await mkdtemp(join(tmpdir(), 'alcove-omni-media-'));
const tv = await mkdtemp(join(tmpdir(), 'alcove-omni-tv-'));
const stateDir = await mkdtemp(join(tmpdir(), 'alcove-omni-state-'));
t.teardown(async () => {
  for (const d of [media, tv, stateDir]) await rm(d, { recursive: true, force: true });
});

async function clip(path: string, size: string): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=10:duration=1`, '-c:v', 'libx264', '-preset', 'ultrafast', '-y', path]);
}

const incDir = join(media, 'Inception (2010)');
await mkdir(incDir, { recursive: true });
await clip(join(incDir, 'Inception (2010).mkv'), '1280x720');
await writeFile(join(incDir, 'Inception (2010).en.srt'), '1\n00:00:00,000 --> 00:00:01,000\nHello\n');
await writeFile(join(incDir, 'Inception (2010).nfo'), `<?xml version="1.0" encoding="UTF-8"?>
<movie><title>Inception</title><originaltitle>Inception</originaltitle><year>2010</year>
<plot>A thief who steals corporate secrets through dream-sharing technology.</plot>
<genre>Action</genre><genre>Science Fiction</genre><rating>8.4</rating><runtime>148</runtime>
<uniqueid type="tmdb">27205</uniqueid><uniqueid type="imdb" default="true">tt1375666</uniqueid>
<actor><name>Leonardo DiCaprio</name><role>Cobb</role></actor></movie>`);
await sharp({ create: { width: 20, height: 30, channels: 3, background: '#336699' } }).jpeg().toFile(join(incDir, 'poster.jpg'));
await clip(join(media, 'The.Dark.Knight.2008.1080p.BluRay.x264-GRP.mkv'), '640x360');
await mkdir(join(tv, 'Breaking Bad', 'Season 01'), { recursive: true });
await clip(join(tv, 'Breaking Bad', 'Season 01', 'Breaking Bad - S01E02 - Cats in the Bag.mkv'), '320x240');
await writeFile(join(tv, 'Breaking Bad', 'tvshow.nfo'), '<tvshow><title>Breaking Bad</title><year>2008</year><plot>A chemistry teacher turns to crime.</plot><genre>Drama</genre></tvshow>');
await writeFile(join(media, 'notes.txt'), 'not media');

let d: RunningDaemon;
let admin: string;
let user: string;
let moviesId: number;
let tvId: number;

t.before(async () => {
  d = await startDaemon({ stateDir, env: { ALCOVE_TMDB_API_KEY: '' } });
  admin = await d.loginAdmin();
  // A plain user, added the way an admin on the box would (the CLI over the state dir).
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/daemon/cli/alcove.js'), 'user', 'add', 'viewer',
    '--role', 'user', '--password-stdin', '--state-dir', d.stateDir], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin!.end('viewer-pass-1\n');
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  if (code !== 0) throw new Error(`alcove user add exited ${code}`);
  const login = await d.request('POST', '/api/auth/login', { username: 'viewer', password: 'viewer-pass-1' }, null);
  user = login.body.token;
});
t.teardown(() => d?.stop());

t.test('roots: auth, validation, create, list', async (t) => {
  t.equal((await d.request('GET', '/api/library/roots', undefined, null)).status, 401);
  const forbidden = await d.request('POST', '/api/library/roots', { path: media, name: 'Movies', mediaType: 'movie' }, user);
  t.equal(forbidden.status, 403);
  t.equal(forbidden.body.success, false);
  const missing = await d.request('POST', '/api/library/roots', { path: join(media, 'nope'), name: 'X', mediaType: 'movie' }, admin);
  t.equal(missing.status, 400);
  t.match(missing.body, { success: false, code: String });
  const notDir = await d.request('POST', '/api/library/roots', { path: join(media, 'notes.txt'), name: 'Y', mediaType: 'movie' }, admin);
  t.equal(notDir.status, 400);
  const badType = await d.request('POST', '/api/library/roots', { path: media, name: 'Z', mediaType: 'opera' }, admin);
  t.equal(badType.status, 400);
  const movies = await d.request('POST', '/api/library/roots', { path: media, name: 'Movies', mediaType: 'movie' }, admin);
  t.equal(movies.status, 201);
  t.match(movies.body, { id: Number, path: media, name: 'Movies', mediaType: 'movie', fileCount: Number, totalSizeBytes: Number });
  moviesId = movies.body.id;
  const shows = await d.request('POST', '/api/library/roots', { path: tv, name: 'TV Shows', mediaType: 'tv' }, admin);
  tvId = shows.body.id;
  const list = await eventually(async () => {
    const r = await d.request('GET', '/api/library/roots', undefined, user);
    return r.body.length === 2 && r.body.every((x: { fileCount: number; lastScanAt: string | null }) => x.fileCount > 0 && x.lastScanAt) ? r : undefined;
  }, 20_000);
  const m = list.body.find((x: { id: number }) => x.id === moviesId);
  t.equal(m.fileCount, 2, 'two videos; artwork, srt, nfo and txt are not library files');
  t.ok(m.totalSizeBytes > 0);
  t.match(m.lastScanAt, /^\d{4}-\d\d-\d\dT/);
});

t.test('files: identified names, NFO over names, shapes', async (t) => {
  const all = await eventually(async () => {
    const r = await d.request('GET', '/api/library/files?sort=title', undefined, user);
    return r.body.total === 3 && r.body.items.every((i: { year: number | null }) => i.year) ? r : undefined;
  }, 20_000);
  t.match(all.body, { total: 3, limit: 50, offset: 0 });
  const inc = all.body.items.find((i: { title: string }) => i.title === 'Inception');
  t.match(inc, {
    id: Number, path: join(incDir, 'Inception (2010).mkv'), title: 'Inception', year: 2010, mediaType: 'movie', sizeBytes: Number,
    container: String, addedAt: String,
    metadata: { tmdbId: 27205, overview: /corporate secrets/, genres: ['Action', 'Science Fiction'], rating: 8.4, posterUrl: `/api/library/files/${inc.id}/artwork/poster` },
  });
  const dk = all.body.items.find((i: { title: string }) => i.title === 'The Dark Knight');
  t.equal(dk.year, 2008);
  const ep = all.body.items.find((i: { mediaType: string }) => i.mediaType === 'tv');
  t.equal(ep.year, 2008, 'show year from tvshow.nfo');
  t.equal(all.body.items.map((i: { title: string }) => i.title).join('|'), [...all.body.items.map((i: { title: string }) => i.title)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())).join('|'));

  const probed = await eventually(async () => {
    const r = await d.request('GET', `/api/library/files/${inc.id}`, undefined, user);
    return r.body.codec ? r : undefined;
  }, 20_000);
  t.match(probed.body, { codec: 'h264', resolution: '720p', duration: 1, hdr: false, rootId: moviesId });
  t.match(probed.body.metadata, { imdbId: 'tt1375666', originalTitle: 'Inception', people: [{ name: 'Leonardo DiCaprio', role: 'Cobb' }] });
  t.equal(probed.body.tracks.video[0].codec, 'h264');
  t.match(probed.body.externalSubtitles, [{ name: 'Inception (2010).en.srt', language: 'en', format: 'srt' }]);

  const epDetail = await d.request('GET', `/api/library/files/${ep.id}`, undefined, user);
  t.match(epDetail.body.metadata, { type: 'episode', showTitle: 'Breaking Bad', season: 1, episode: 2 });
});

t.test('files: filters, sort, paging, search, errors', async (t) => {
  const movies = await d.request('GET', '/api/library/files?mediaType=movie', undefined, user);
  t.equal(movies.body.total, 2);
  const tvOnly = await d.request('GET', `/api/library/files?rootId=${tvId}`, undefined, user);
  t.equal(tvOnly.body.total, 1);
  const byYear = await d.request('GET', '/api/library/files?sort=year&order=desc', undefined, user);
  t.same(byYear.body.items.map((i: { year: number }) => i.year), [2010, 2008, 2008]);
  const bySize = await d.request('GET', '/api/library/files?sort=size&order=asc', undefined, user);
  const sizes = bySize.body.items.map((i: { sizeBytes: number }) => i.sizeBytes);
  t.same(sizes, [...sizes].sort((a, b) => a - b));
  const added = await d.request('GET', '/api/library/files?sort=addedAt&limit=1&offset=1', undefined, user);
  t.match(added.body, { total: 3, limit: 1, offset: 1 });
  t.equal(added.body.items.length, 1);
  for (const q of ['inception', 'dicaprio', 'science fiction', '2010', 'dream']) {
    const s = await d.request('GET', `/api/library/files?search=${encodeURIComponent(q)}`, undefined, user);
    t.equal(s.body.items[0]?.title, 'Inception', `search "${q}"`);
  }
  const none = await d.request('GET', '/api/library/files?search=zzzzqq', undefined, user);
  t.same(none.body, { items: [], total: 0, limit: 50, offset: 0 });
  for (const bad of ['sort=name', 'order=up', 'limit=0', 'limit=100000', 'offset=-1', 'mediaType=opera', 'rootId=abc', 'limit=x']) {
    const r = await d.request('GET', `/api/library/files?${bad}`, undefined, user);
    t.equal(r.status, 400, bad);
    t.equal(r.body.success, false);
  }
  t.equal((await d.request('GET', '/api/library/files?rootId=999', undefined, user)).status, 404);
  t.equal((await d.request('GET', '/api/library/files/999999', undefined, user)).status, 404);
  t.equal((await d.request('GET', '/api/library/files/abc', undefined, user)).status, 400);
  t.equal((await d.request('GET', `/api/library/files/${tvId}`, undefined, user)).status, 404, 'a library id is not a file id');
});

t.test('artwork: local poster with caching headers', async (t) => {
  const list = await d.request('GET', '/api/library/files?search=inception', undefined, user);
  const url = list.body.items[0].metadata.posterUrl;
  const res = await d.fetch(url, { token: user });
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'image/jpeg');
  t.match(res.headers.get('cache-control'), /max-age=\d+/);
  const etag = res.headers.get('etag');
  t.ok(etag);
  t.ok((await res.arrayBuffer()).byteLength > 100);
  const again = await d.fetch(url, { token: user, headers: { 'if-none-match': etag! } });
  t.equal(again.status, 304);
  const dk = (await d.request('GET', '/api/library/files?search=knight', undefined, user)).body.items[0];
  t.equal(dk.metadata.posterUrl, null);
  t.equal((await d.fetch(`/api/library/files/${dk.id}/artwork/poster`, { token: user })).status, 404);
});

t.test('metadata edit locks fields; rescan keeps them', async (t) => {
  const dk = (await d.request('GET', '/api/library/files?search=knight', undefined, user)).body.items[0];
  t.equal((await d.request('PUT', `/api/library/files/${dk.id}/metadata`, { title: 'X' }, user)).status, 403);
  t.equal((await d.request('PUT', `/api/library/files/${dk.id}/metadata`, { year: 'soon' }, admin)).status, 400);
  t.equal((await d.request('PUT', `/api/library/files/${dk.id}/metadata`, { colour: 'red' }, admin)).status, 400);
  t.equal((await d.request('PUT', '/api/library/files/424242/metadata', { title: 'X' }, admin)).status, 404);
  const edited = await d.request('PUT', `/api/library/files/${dk.id}/metadata`, { title: 'Corrected Title', year: 2009, overview: 'Custom overview text' }, admin);
  t.equal(edited.status, 200);
  t.match(edited.body, { title: 'Corrected Title', year: 2009, metadata: { overview: 'Custom overview text' } });
  t.same(edited.body.lockedFields.sort(), ['overview', 'title', 'year']);
  const scan = await d.request('POST', '/api/library/scan', { rootId: moviesId }, admin);
  t.equal(scan.status, 200);
  t.match(scan.body, { jobId: /^scan-\d+/, status: 'started' });
  await new Promise((r) => setTimeout(r, 1500));
  const after = await d.request('GET', `/api/library/files/${dk.id}`, undefined, user);
  t.match(after.body, { title: 'Corrected Title', year: 2009 });
  const search = await d.request('GET', '/api/library/files?search=corrected', undefined, user);
  t.equal(search.body.items[0]?.id, dk.id, 'search follows the edit');
});

t.test('scan: all roots, unknown root, admin only', async (t) => {
  const all = await d.request('POST', '/api/library/scan', {}, admin);
  t.match(all.body, { jobId: String, status: 'started' });
  const none = await d.request('POST', '/api/library/scan', undefined, admin);
  t.equal(none.status, 200);
  t.equal((await d.request('POST', '/api/library/scan', { rootId: 987 }, admin)).status, 404);
  t.equal((await d.request('POST', '/api/library/scan', { rootId: 'x' }, admin)).status, 400);
  t.equal((await d.request('POST', '/api/library/scan', {}, user)).status, 403);
});

t.test('stats: totals, byMediaType, byCodec, byResolution', async (t) => {
  const stats = await eventually(async () => {
    const r = await d.request('GET', '/api/library/stats', undefined, user);
    return Object.values(r.body.byResolution as Record<string, number>).reduce((a, b) => a + b, 0) === 3 ? r : undefined;
  }, 20_000);
  t.equal(stats.body.totalFiles, 3);
  t.ok(stats.body.totalSizeBytes > 0);
  t.match(stats.body.byMediaType, { movie: { count: 2, sizeBytes: Number }, tv: { count: 1, sizeBytes: Number } });
  t.same(stats.body.byCodec, { h264: 3 });
  t.same(stats.body.byResolution, { '720p': 1, SD: 2 });
});

t.test('TMDb without a key: 503 JSON, local metadata unaffected', async (t) => {
  const inc = (await d.request('GET', '/api/library/files?search=inception', undefined, user)).body.items[0];
  const r = await d.request('POST', `/api/library/files/${inc.id}/match`, {}, admin);
  t.equal(r.status, 503);
  t.match(r.body, { success: false, code: 'TMDB_NOT_CONFIGURED', error: /TMDb/ });
});

t.test('delete root: index entries go, files stay', async (t) => {
  t.equal((await d.request('DELETE', '/api/library/roots/abc', undefined, admin)).status, 400);
  t.equal((await d.request('DELETE', '/api/library/roots/9999', undefined, admin)).status, 404);
  t.equal((await d.request('DELETE', `/api/library/roots/${tvId}`, undefined, user)).status, 403);
  const del = await d.request('DELETE', `/api/library/roots/${tvId}`, undefined, admin);
  t.equal(del.status, 200);
  const roots = await d.request('GET', '/api/library/roots', undefined, user);
  t.same(roots.body.map((r: { id: number }) => r.id), [moviesId]);
  const files = await d.request('GET', '/api/library/files', undefined, user);
  t.equal(files.body.total, 2);
  const stats = await d.request('GET', '/api/library/stats', undefined, user);
  t.equal(stats.body.totalFiles, 2);
  const { access } = await import('node:fs/promises');
  await t.resolves(access(join(tv, 'Breaking Bad', 'Season 01', 'Breaking Bad - S01E02 - Cats in the Bag.mkv')), 'file on disk kept');
});
