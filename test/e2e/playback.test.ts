/**
 * h3xed playback over real HTTP against the built daemon: direct play (Range, HEAD,
 * Content-Type, ?token=), info, playback-info, an HLS session driven like a player that
 * cannot send headers (token in the playlist URL, carried into segment URIs), subtitles,
 * the transcode limit (429 + Retry-After), DELETE, and the admin hardware endpoints.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { startDaemon, eventually } from '../helpers/daemon.js';
import { makeMediaFixtures, FFMPEG } from '../helpers/media-fixtures.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'alcove-e2e-play-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const fx = await makeMediaFixtures(join(dir, 'media'));
await writeFile(join(dir, 'media', 'clip.en.srt'), '1\n00:00:01,000 --> 00:00:02,000\nSidecar line\n');

const daemon = await startDaemon({ args: ['--library', `Videos=${fx.dir}:movie`] });
t.teardown(() => daemon.stop());
const token = await daemon.loginAdmin();

async function idOf(name: string): Promise<number> {
  return eventually(async () => {
    const res = await daemon.request('GET', `/api/search?q=${encodeURIComponent(name.replace(/\.\w+$/, ''))}`);
    const list = (res.body?.items ?? res.body?.files ?? res.body?.results ?? []) as Array<{ id: number; name: string }>;
    return list.find((i) => i.name === name)?.id;
  }, 20_000);
}

const clip = await idOf('clip.mp4');
const hevc = await idOf('hevc.mkv');
const multi = await idOf('multi.mp4');

t.test('direct play: Range, HEAD, Content-Type, ?token=', async (t) => {
  const full = await daemon.fetch(`/api/stream/${clip}`);
  t.equal(full.status, 200);
  t.equal(full.headers.get('content-type'), 'video/mp4');
  const size = Number(full.headers.get('content-length'));
  await full.arrayBuffer();
  const part = await daemon.fetch(`/api/stream/${clip}?token=${token}`, { token: null, headers: { range: 'bytes=100-199' } });
  t.equal(part.status, 206, '?token= authenticates a player without headers');
  t.equal(part.headers.get('content-range'), `bytes 100-199/${size}`);
  t.equal((await part.arrayBuffer()).byteLength, 100);
  const head = await daemon.fetch(`/api/stream/${hevc}`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.headers.get('content-type'), 'video/x-matroska');
  t.equal((await daemon.fetch(`/api/stream/${clip}`, { token: null })).status, 401);
  t.equal((await daemon.fetch('/api/stream/999999')).status, 404);
});

t.test('info and playback-info', async (t) => {
  const info = await daemon.request('GET', `/api/media/${multi}/info`);
  t.equal(info.status, 200);
  t.equal(info.body.ratingKey, String(multi));
  t.same(info.body.audio.map((a: { language: string }) => a.language), ['eng', 'fra']);
  const clipInfo = await daemon.request('GET', `/api/media/${clip}/info`);
  const side = clipInfo.body.subtitles.find((s: { external: boolean }) => s.external);
  t.ok(side, 'sidecar listed');
  const vtt = await daemon.fetch(`${side.url}?token=${token}`, { token: null });
  t.equal(vtt.headers.get('content-type'), 'text/vtt; charset=utf-8');
  t.match(await vtt.text(), /^WEBVTT\n\n00:00:01\.000 --> 00:00:02\.000\nSidecar line/);

  const direct = await daemon.request('GET', `/api/media/${clip}/playback-info?profile=browser`);
  t.match(direct.body, { method: 'direct', canDirectPlay: true, streamUrl: `/api/stream/${clip}` });
  const remux = await daemon.request('POST', `/api/media/${hevc}/playback-info`, { profile: 'apple-tv' });
  t.equal(remux.body.method, 'remux');
  const tc = await daemon.request('POST', `/api/media/${hevc}/playback-info`, { videoCodecs: ['h264'], maxResolution: '720' });
  t.equal(tc.body.method, 'transcode');
  t.ok(tc.body.decision.reasons.some((r: { code: string }) => r.code === 'VIDEO_CODEC_NOT_SUPPORTED'));
  t.equal((await daemon.request('GET', `/api/media/${clip}/playback-info?profile=toaster`)).status, 400);
});

t.test('HLS session like a header-less player; limit; DELETE', async (t) => {
  // Transcode sessions are published on the WebSocket 'transcodes' topic.
  const events: Array<{ type: string; sessionId: string; reason?: string }> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws?token=${token}`);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; event?: { type: string; sessionId: string; reason?: string } };
    if (m.type === 'event' && m.event) events.push(m.event);
  });
  const subscribed = new Promise<void>((resolve) => ws.on('message', (data) => { if (String(data).includes('"subscribed"')) resolve(); }));
  ws.send(JSON.stringify({ type: 'subscribe', topics: ['transcodes'] }));
  await subscribed;
  t.teardown(() => ws.close());

  const start = await daemon.request('POST', `/api/transcode/${clip}?token=${token}`, { mode: 'transcode', maxResolution: '480' }, null);
  t.equal(start.status, 201);
  const { sessionId, playlistUrl } = start.body as { sessionId: string; playlistUrl: string };
  const started = await eventually(() => events.find((e) => e.type === 'transcode.started' && e.sessionId === sessionId));
  t.ok(started, 'transcode.started published');
  t.match(playlistUrl, new RegExp(`^/api/transcode/${sessionId}/stream\\.m3u8\\?token=`));
  const pl = await daemon.fetch(playlistUrl, { token: null });
  t.equal(pl.headers.get('content-type'), 'application/vnd.apple.mpegurl');
  const text = await pl.text();
  const uris = text.split('\n').filter((l) => l && !l.startsWith('#'));
  t.ok(uris.length >= 2 && uris.every((u) => u.includes(`token=${encodeURIComponent(token)}`)), 'segment URIs carry the token');
  const segPath = join(dir, 'seg0.ts');
  const seg = await daemon.fetch(`/api/transcode/${sessionId}/${uris[0]}`, { token: null });
  t.equal(seg.status, 200);
  t.equal(seg.headers.get('content-type'), 'video/mp2t');
  await writeFile(segPath, Buffer.from(await seg.arrayBuffer()));
  const probe = JSON.parse((await run(FFMPEG.replace(/ffmpeg$/, 'ffprobe'), ['-v', 'error', '-show_streams', '-of', 'json', segPath])).stdout) as { streams: Array<{ codec_name: string }> };
  t.ok(probe.streams.some((s) => s.codec_name === 'h264'), 'the segment is H.264');

  const second = await daemon.request('POST', `/api/transcode/${multi}`, { mode: 'transcode' });
  t.equal(second.status, 201);
  const third = await daemon.request('POST', `/api/transcode/${hevc}`, { mode: 'transcode' });
  t.equal(third.status, 429, 'beyond maxSessions (2)');
  t.ok(Number(third.headers.get('retry-after')) >= 1, 'Retry-After');

  t.equal((await daemon.fetch(`/api/transcode/${sessionId}`, { method: 'DELETE' })).status, 204);
  const ended = await eventually(() => events.find((e) => e.type === 'transcode.ended' && e.sessionId === sessionId));
  t.equal(ended.reason, 'stopped', 'transcode.ended published with its reason');
  t.equal((await daemon.fetch(playlistUrl, { token: null })).status, 404);
  t.equal((await daemon.fetch(`/api/transcode/${second.body.sessionId}`, { method: 'DELETE' })).status, 204);
  t.equal((await daemon.fetch(`/api/transcode/${sessionId}/seg-../../x`)).status, 404);
});

t.test('hardware (admin)', async (t) => {
  const hw = await daemon.request('GET', '/api/hardware');
  t.equal(hw.status, 200);
  t.match(hw.body, { chosen: String, settings: { preference: 'auto' }, ffmpeg: { path: String } });
  t.ok(Array.isArray(hw.body.devices) && Array.isArray(hw.body.encoders));
  const put = await daemon.request('PUT', '/api/hardware', { preference: 'none', lowPower: true });
  t.match(put.body.settings, { preference: 'none', lowPower: true });
  t.equal(put.body.chosen, 'none');
  t.equal((await daemon.request('PUT', '/api/hardware', { preference: 'magic' })).status, 400);
  t.equal((await daemon.request('GET', '/api/hardware', undefined, null)).status, 401);
});
