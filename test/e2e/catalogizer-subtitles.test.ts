/**
 * Catalogizer subtitles end to end on the built daemon: languages and providers, search and
 * download through a local fake OpenSubtitles (Api-Key, User-Agent, moviehash checked),
 * the downloaded file stored as a sidecar and indexed, upload of a Windows-1252 SRT (stored
 * as UTF-8), sync verification measuring a known 2.0 s shift on a clip with tones at known
 * times, translation 501 without a provider, validation codes, a plain user's 403 on
 * writes, and 503 without an API key.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startDaemon, type RunningDaemon } from '../helpers/daemon.js';
import { startFakeOpenSubtitles } from '../helpers/fake-opensubtitles.js';
import { createUser, v1Login } from './catalogizer-helpers.js';

const run = promisify(execFile);
const TONES: Array<[number, number]> = [[1.0, 2.5], [4.0, 4.8], [6.5, 9.0], [11.2, 12.0], [14.0, 16.5], [18.3, 19.1], [21.0, 23.4], [26.0, 26.9]];
const srtTime = (s: number): string => new Date(Math.round(s * 1000)).toISOString().slice(11, 23).replace('.', ',');
const srt = (shift: number, word = 'line'): string => TONES.map(([a, b], i) => `${i + 1}\n${srtTime(a + shift)} --> ${srtTime(b + shift)}\n${word} ${i}\n`).join('\n');

const media = await mkdtemp(join(tmpdir(), 'alcove-subs-media-'));
const cfgDir = await mkdtemp(join(tmpdir(), 'alcove-subs-cfg-'));
await mkdir(join(media, 'The Matrix (1999)'));
const clip = join(media, 'The Matrix (1999)', 'The.Matrix.1999.mkv');
const expr = TONES.map(([a, b]) => `between(t,${a},${b})`).join('+');
await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=30',
  '-f', 'lavfi', '-i', `aevalsrc='0.5*sin(2*PI*440*t)*gt(${expr},0)':s=16000:d=30`, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', clip]);

const API_KEY = 'test-os-key';
const fake = await startFakeOpenSubtitles(API_KEY, [
  { fileId: 111, language: 'en', title: 'The Matrix', year: 1999, fileName: 'The.Matrix.1999.en.srt', body: Buffer.from(srt(2.0)), downloads: 5000 },
  { fileId: 222, language: 'fr', title: 'The Matrix', year: 1999, fileName: 'The.Matrix.1999.fr.srt', body: Buffer.from(srt(0)) },
]);
const yaml = `rateLimits:\n  authPerMinute: 10000\n  apiPerMinute: 100000\nscan:\n  onStartup: true\n  watch: false\nlibraries:\n  - name: Movies\n    path: ${media}\n    type: movie\nsubtitles:\n  opensubtitlesUrl: ${fake.baseUrl}\n`;
await writeFile(join(cfgDir, 'alcove.yaml'), yaml);
const daemon = await startDaemon({ args: ['--config', join(cfgDir, 'alcove.yaml')], env: { ALCOVE_OPENSUBTITLES_API_KEY: API_KEY } });
let bare: RunningDaemon | undefined;
t.teardown(async () => {
  await daemon.stop();
  await bare?.stop();
  await fake.stop();
  for (const d of [media, cfgDir]) await rm(d, { recursive: true, force: true });
});
await daemon.loginAdmin();
const mediaPath = 'Movies/The Matrix (1999)/The.Matrix.1999.mkv';
const info = await eventually(async () => {
  const r = await daemon.request('GET', `/api/v1/catalog-info/${encodeURI(mediaPath)}`);
  return r.status === 200 ? r.body : undefined;
}, 20_000);
const mediaId = info.id as number;

t.test('languages and providers', async (t) => {
  const langs = await daemon.request('GET', '/api/v1/subtitles/languages');
  t.equal(langs.status, 200);
  t.equal(langs.body.count, 19);
  t.same(langs.body.languages[1], { code: 'es', name: 'Spanish', native_name: 'Espanol' });
  const prov = await daemon.request('GET', '/api/v1/subtitles/providers');
  t.equal(prov.body.count, 5);
  t.match(prov.body.providers[0], { provider: 'opensubtitles', name: 'OpenSubtitles', supported: true, configured: true });
  t.equal(prov.body.providers.filter((p: any) => p.supported).length, 1, 'only the implemented provider claims support');
});

t.test('search through OpenSubtitles', async (t) => {
  const missing = await daemon.request('GET', '/api/v1/subtitles/search');
  t.equal(missing.status, 400);
  t.match(missing.body, { success: false, code: 'MISSING_MEDIA_PATH' });
  const res = await daemon.request('GET', `/api/v1/subtitles/search?media_path=${encodeURIComponent(mediaPath)}&languages=en`);
  t.equal(res.status, 200);
  t.equal(res.body.success, true);
  t.equal(res.body.count, 1);
  t.match(res.body.results[0], { id: 'os-111', provider: 'opensubtitles', language: 'English', language_code: 'en', title: 'The Matrix', format: 'srt', downloads: 5000 });
  const req = fake.requests.find((r) => r.url.startsWith('/api/v1/subtitles?'))!;
  t.equal(req.headers['api-key'], API_KEY);
  t.ok(req.headers['user-agent']);
  const q = new URL(req.url, 'http://x').searchParams;
  t.equal(q.get('query'), 'the matrix');
  t.equal(q.get('year'), '1999');
  t.match(q.get('moviehash'), /^[0-9a-f]{16}$/, 'moviehash of the file sent');
});

let downloadedId = '';
t.test('download stores a sidecar, indexes it, lists it', async (t) => {
  const bad = await daemon.request('POST', '/api/v1/subtitles/download', { media_item_id: mediaId });
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'MISSING_REQUIRED_FIELDS');
  const badId = await daemon.request('POST', '/api/v1/subtitles/download', { media_item_id: mediaId, result_id: 'xx-1', language: 'en' });
  t.equal(badId.status, 400);
  const notJson = await daemon.fetch('/api/v1/subtitles/download', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
  t.equal(notJson.status, 400);
  t.equal(((await notJson.json()) as any).code, 'INVALID_REQUEST');
  const res = await daemon.request('POST', '/api/v1/subtitles/download', { media_item_id: mediaId, result_id: 'os-111', language: 'en' });
  t.equal(res.status, 200, JSON.stringify(res.body));
  t.match(res.body.track, { language: 'English', language_code: 'en', format: 'srt', source: 'download', is_default: false, is_forced: false });
  downloadedId = res.body.track.id;
  t.match(downloadedId, /^sidecar-\d+$/);
  t.equal(await readFile(join(media, 'The Matrix (1999)', 'The.Matrix.1999.en.srt'), 'utf8'), srt(2.0));
  const list = await daemon.request('GET', `/api/v1/subtitles/media/${mediaId}`);
  t.equal(list.status, 200);
  t.equal(list.body.media_item_id, mediaId);
  t.ok(list.body.subtitles.some((s: any) => s.id === downloadedId && s.language_code === 'en'));
  const badMedia = await daemon.request('GET', '/api/v1/subtitles/media/abc');
  t.equal(badMedia.status, 400);
  t.equal(badMedia.body.code, 'INVALID_MEDIA_ID');
});

t.test('verify-sync measures the 2.0 s shift', async (t) => {
  const res = await daemon.request('GET', `/api/v1/subtitles/${downloadedId}/verify-sync/${mediaId}`);
  t.equal(res.status, 200, JSON.stringify(res.body));
  const r = res.body.sync_result;
  t.ok(Math.abs(r.offset_ms - 2000) <= 200, `offset ${r.offset_ms}`);
  t.equal(r.is_synced, false);
  t.equal(r.sync_offset, r.offset_ms);
  t.ok(r.confidence > 0.5);
  const unknown = await daemon.request('GET', `/api/v1/subtitles/sidecar-999999/verify-sync/${mediaId}`);
  t.equal(unknown.status, 404);
  t.equal(unknown.body.code, 'SUBTITLE_NOT_FOUND');
  const badMedia = await daemon.request('GET', `/api/v1/subtitles/${downloadedId}/verify-sync/x`);
  t.equal(badMedia.body.code, 'INVALID_MEDIA_ID');
});

function form(fields: Record<string, string>, file?: { name: string; data: Buffer }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append('file', new Blob([file.data]), file.name);
  return f;
}

t.test('upload a Windows-1252 SRT: stored as UTF-8, encoding reported, in sync', async (t) => {
  const latin = Buffer.from(srt(0, 'caf\u00e9'), 'latin1');
  t.equal(latin.includes(0xe9), true);
  const res = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: String(mediaId), language: 'French', language_code: 'fr' }, { name: 'mine.srt', data: latin }) });
  const body = await res.json() as any;
  t.equal(res.status, 200, JSON.stringify(body));
  t.match(body, { success: true, message: 'Subtitle uploaded successfully', track: { language_code: 'fr', encoding: 'windows-1252', source: 'upload' } });
  t.equal(await readFile(join(media, 'The Matrix (1999)', 'The.Matrix.1999.fr.srt'), 'utf8'), srt(0, 'caf\u00e9'));
  const verify = await daemon.request('GET', `/api/v1/subtitles/${body.track.id}/verify-sync/${mediaId}`);
  t.ok(Math.abs(verify.body.sync_result.offset_ms) <= 200, `offset ${verify.body.sync_result.offset_ms}`);
  t.equal(verify.body.sync_result.is_synced, true);
  const list = await daemon.request('GET', `/api/v1/subtitles/media/${mediaId}`);
  t.match(list.body.subtitles.find((s: any) => s.id === body.track.id), { verified_sync: true, encoding: 'windows-1252' });

  const noFile = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: String(mediaId), language: 'French', language_code: 'fr' }) });
  t.equal(((await noFile.json()) as any).code, 'MISSING_FILE');
  const badId = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: 'x', language: 'French', language_code: 'fr' }, { name: 'a.srt', data: latin }) });
  t.equal(((await badId.json()) as any).code, 'INVALID_MEDIA_ID');
  const missing = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: String(mediaId) }, { name: 'a.srt', data: latin }) });
  t.equal(((await missing.json()) as any).code, 'MISSING_REQUIRED_FIELDS');
  const exe = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: String(mediaId), language: 'German', language_code: 'de' }, { name: 'a.exe', data: latin }) });
  t.equal(exe.status, 400);
  const unknownMedia = await daemon.fetch('/api/v1/subtitles/upload', { method: 'POST', body: form({ media_item_id: '987654', language: 'German', language_code: 'de' }, { name: 'a.srt', data: latin }) });
  t.equal(unknownMedia.status, 404);
});

t.test('translate: 400 on bad input, 501 without a provider', async (t) => {
  const bad = await daemon.request('POST', '/api/v1/subtitles/translate', { subtitle_id: downloadedId });
  t.equal(bad.status, 400);
  t.equal(bad.body.code, 'MISSING_REQUIRED_FIELDS');
  const res = await daemon.request('POST', '/api/v1/subtitles/translate', { subtitle_id: downloadedId, source_language: 'en', target_language: 'es' });
  t.equal(res.status, 501);
  t.match(res.body, { success: false, code: 'TRANSLATION_NOT_CONFIGURED' });
});

t.test('a plain user reads but cannot write subtitles', async (t) => {
  await createUser(daemon, 'subviewer', 'viewer-pass-1');
  const { session_token } = await v1Login(daemon, 'subviewer', 'viewer-pass-1');
  const list = await daemon.request('GET', `/api/v1/subtitles/media/${mediaId}`, undefined, session_token);
  t.equal(list.status, 200);
  const dl = await daemon.request('POST', '/api/v1/subtitles/download', { media_item_id: mediaId, result_id: 'os-222', language: 'fr' }, session_token);
  t.equal(dl.status, 403);
  const anon = await daemon.request('GET', '/api/v1/subtitles/languages', undefined, null);
  t.equal(anon.status, 401);
});

t.test('without an API key: search and download answer 503 JSON', async (t) => {
  const bareCfg = join(cfgDir, 'bare.yaml');
  await writeFile(bareCfg, `scan:\n  onStartup: false\n  watch: false\n`);
  bare = await startDaemon({ args: ['--config', bareCfg] });
  await bare.loginAdmin();
  const res = await bare.request('GET', `/api/v1/subtitles/search?media_path=${encodeURIComponent('x/The.Matrix.1999.mkv')}`);
  t.equal(res.status, 503);
  t.match(res.body, { success: false, code: 'PROVIDER_NOT_CONFIGURED' });
  const prov = await bare.request('GET', '/api/v1/subtitles/providers');
  t.equal(prov.body.providers[0].configured, false);
});
