/**
 * Playback services end to end at the service level: a real index in a temp dir, a real
 * scan of generated clips, real ffprobe/ffmpeg. HLS sessions (transcode, remux, seek,
 * audio/subtitle choice, HDR, fallback from a failing hardware method), session limits,
 * DELETE and idle reaping, the cache bound, remote roots through the range proxy,
 * probe info and subtitles.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, access, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeScanEnv } from './scan-harness.js';
import { makeMediaFixtures, FFMPEG, FIXTURE_FACTS } from '../helpers/media-fixtures.js';
import { createLocalAdapter } from '../../storage-adapters/local/local.adapter.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';
import { ProbeService } from '../../daemon/media/probe.service.js';
import { locateMediaTools } from '../../daemon/media/tools.js';
import { createLogger, silentLogger } from '../../daemon/log/logger.js';
import { createPlaybackServices, type PlaybackServices } from '../../daemon/services/playback/create-playback.js';
import type { HwProbeIo } from '../../daemon/media/hwaccel/hw-detect.js';
import type { Item } from '../../daemon/domain/types.js';

const run = promisify(execFile);
const FFPROBE = FFMPEG.replace(/ffmpeg$/, 'ffprobe');

interface Probed { streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string; channels?: number }>; format: { duration?: string; start_time?: string } }
async function ffprobe(path: string): Promise<Probed> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  return JSON.parse(stdout) as Probed;
}
async function decodes(path: string): Promise<boolean> {
  await run(FFMPEG, ['-v', 'error', '-xerror', '-i', path, '-f', 'null', '-']);
  return true;
}
const alive = (pid: number | undefined): boolean => { if (!pid) return false; try { process.kill(pid, 0); return true; } catch { return false; } };
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

const noGpu: HwProbeIo = {
  ffmpeg: async (args) => ({ code: 0, stdout: args.includes('-hwaccels') ? 'Hardware acceleration methods:\nvaapi\n\n' : '', stderr: '' }),
  listDir: async () => [], canOpen: async () => false, now: () => Date.now(),
};

const dir = await mkdtemp(join(tmpdir(), 'alcove-transcode-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const media = join(dir, 'media');
const fx = await makeMediaFixtures(media);
const HD_SECONDS = 12;
await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=24:duration=${HD_SECONDS}`, '-f', 'lavfi', '-i', `sine=duration=${HD_SECONDS}`,
  '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(media, 'hd.mp4')]);
// Sidecars for clip.mp4: a Windows-1252 SRT and an ASS file.
await writeFile(join(media, 'clip.fr.srt'), Buffer.concat([Buffer.from('1\r\n00:00:00,500 --> 00:00:02,000\r\nD'), Buffer.from([0xe9]), Buffer.from('j'), Buffer.from([0xe0, 0x20, 0x93]), Buffer.from('vu'), Buffer.from([0x94, 0x0d, 0x0a, 0x0d, 0x0a])]));
await writeFile(join(media, 'clip.en.ass'), '[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,Styled {\\i1}line{\\i0}\n');

const local = createLocalAdapter({ url: new URL(`file://${media}`) });
const env = await makeScanEnv(t, { adapter: local, url: `file://${media}` });
await env.sut.scanLibrary(env.library.id, { kind: 'full', trigger: 'manual' });
const byName = (name: string): Item => {
  const item = [...env.tree().values()].find((i) => i.name === name);
  if (!item) throw new Error(`${name} not indexed`);
  return env.store.items.get(item.id)!;
};
const tools = await locateMediaTools(undefined, { ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
const prober = new ProbeService(tools, silentLogger());
// Probe what the tests read tracks of (the probe job does this in the daemon).
for (const name of ['multi.mp4', 'clip.mp4', 'hevc.mkv', 'hdr10.mkv', 'clip.webm', 'hd.mp4']) {
  const item = byName(name);
  await env.store.items.setProbe(item.id, 'done', await prober.probe({ name, mediaType: 'video', size: item.size, localPath: join(media, name) }));
}

async function services(over: { maxSessions?: number; idleTimeoutSec?: number; cacheMaxBytes?: number; remote?: boolean; hwIo?: HwProbeIo } = {}): Promise<PlaybackServices> {
  // A "remote" root: same bytes, but no local path, so ffmpeg must read through the range proxy.
  const remote = { scheme: 'webdav', displayUrl: 'webdav://nas/media', localPath: undefined, createReadStream: local.createReadStream.bind(local) } as unknown as StorageAdapter;
  const p = await createPlaybackServices({
    index: env.store, getAdapter: async () => (over.remote ? remote : local), prober, logger: DEBUG ? createLogger({ level: 'debug' }) : silentLogger(), ffmpeg: tools.ffmpeg,
    transcodeDir: join(dir, `hls-${Math.random().toString(36).slice(2)}`), hwIo: over.hwIo ?? noGpu,
    config: { maxSessions: over.maxSessions ?? 2, idleTimeoutSec: over.idleTimeoutSec ?? 60, cacheMaxBytes: over.cacheMaxBytes ?? 1 << 30, segmentSeconds: 4, preset: 'veryfast' },
  });
  t.teardown(() => p.close());
  return p;
}

const DEBUG = process.env.ALCOVE_TEST_DEBUG === '1';
const sut = await services();

t.test('1080p H.264 -> 720p HLS: first segment fast, playlist adds up, every segment decodes', async (t) => {
  const hd = byName('hd.mp4');
  const t0 = performance.now();
  const view = await sut.transcodes.start(hd.id, { profile: 'browser', maxResolution: '720', mode: 'transcode' });
  const first = await sut.transcodes.segment(view.sessionId, 'seg-0.ts');
  const firstMs = performance.now() - t0;
  t.comment(`time to first segment (1080p -> 720p, software, loaded machine): ${firstMs.toFixed(0)} ms`);
  t.ok(firstMs > 0, 'the first segment was produced (its time is a benchmark figure)');
  t.match(view, { mode: 'transcode', hardware: 'none', width: 1280, height: 720, playlistUrl: `/api/transcode/${view.sessionId}/stream.m3u8` });
  const playlist = await sut.transcodes.playlist(view.sessionId, 'token=x');
  const durations = playlist.split('\n').filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8, -1)));
  t.equal(Math.round(durations.reduce((a, b) => a + b, 0)), HD_SECONDS, 'EXTINF durations add up to the clip');
  t.match(playlist, /seg-0\.ts\?token=x/);
  const p0 = await ffprobe(first.path);
  t.match(p0.streams.find((s) => s.codec_type === 'video'), { codec_name: 'h264', width: 1280, height: 720 });
  t.match(p0.streams.find((s) => s.codec_type === 'audio'), { codec_name: 'aac', channels: 1 });
  let total = 0;
  for (let n = 0; n < durations.length; n++) {
    const seg = await sut.transcodes.segment(view.sessionId, `seg-${n}.ts`);
    await decodes(seg.path);
    const d = Number((await ffprobe(seg.path)).format.duration);
    t.ok(Math.abs(d - durations[n]) < 0.2, `segment ${n} lasts what the playlist says (${d} vs ${durations[n]})`);
    total += d;
  }
  t.ok(Math.abs(total - HD_SECONDS) < 0.5, 'segment durations add up');
  await sut.transcodes.stop(view.sessionId);
});

t.test('seeking far ahead restarts ffmpeg at that segment', async (t) => {
  const hd = byName('hd.mp4');
  const view = await sut.transcodes.start(hd.id, { mode: 'transcode', maxResolution: '480' });
  await sut.transcodes.segment(view.sessionId, 'seg-0.ts');
  const last = view.segmentCount! - 1;
  const session = sut.sessions.get(view.sessionId)!.session;
  const pidBefore = session.pid;
  const t0 = performance.now();
  const seg = await sut.transcodes.segment(view.sessionId, `seg-${last}.ts`);
  t.comment(`far seek to segment ${last}: ${(performance.now() - t0).toFixed(0)} ms`);
  const probed = await ffprobe(seg.path);
  const start = Number(probed.format.start_time);
  // MPEG-TS adds 1.4 s of mux delay to source timestamps; -copyts keeps the source timeline.
  t.ok(Math.abs(start - 1.4 - session.boundaries[last]) < 0.3, `segment ${last} starts at ${session.boundaries[last]} s on the source timeline (${start})`);
  t.not(session.pid ?? -1, pidBefore, 'a new ffmpeg run');
  t.notOk(alive(pidBefore), 'the old run is gone');
  await decodes(seg.path);
  await sut.transcodes.stop(view.sessionId);
});

t.test('remux: HEVC copied into MPEG-TS, AC-3 to AAC, EVENT playlist ends', async (t) => {
  const item = byName('hevc.mkv');
  const view = await sut.transcodes.start(item.id, { profile: 'apple-tv' });
  t.equal(view.mode, 'remux');
  const seg = await sut.transcodes.segment(view.sessionId, 'seg-0.ts');
  const p = await ffprobe(seg.path);
  t.equal(p.streams.find((s) => s.codec_type === 'video')?.codec_name, 'hevc');
  t.equal(p.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  const session = sut.sessions.get(view.sessionId)!.session;
  for (let i = 0; i < 100 && !session.ended; i++) await new Promise((r) => setTimeout(r, 50));
  const playlist = await sut.transcodes.playlist(view.sessionId, '');
  t.match(playlist, /#EXT-X-PLAYLIST-TYPE:EVENT[\s\S]*#EXT-X-ENDLIST/);
  const sum = playlist.split('\n').filter((l) => l.startsWith('#EXTINF:')).reduce((a, l) => a + Number(l.slice(8, -1)), 0);
  t.ok(Math.abs(sum - FIXTURE_FACTS.video.durationMs / 1000) < 0.5, `remux durations add up (${sum})`);
  await sut.transcodes.stop(view.sessionId);
});

t.test('VP9/Opus and 10-bit HDR transcode to 8-bit H.264 (tone mapped)', async (t) => {
  for (const name of ['clip.webm', 'hdr10.mkv']) {
    const view = await sut.transcodes.start(byName(name).id, { profile: 'apple-tv', hdr: 'false' });
    t.equal(view.mode, 'transcode', name);
    const seg = await sut.transcodes.segment(view.sessionId, 'seg-1.ts');
    const v = (await ffprobe(seg.path)).streams.find((s) => s.codec_type === 'video');
    t.match(v, { codec_name: 'h264', pix_fmt: 'yuv420p' }, `${name}: 8-bit H.264`);
    await sut.transcodes.stop(view.sessionId);
  }
});

t.test('second audio track and burned-in subtitles (embedded and sidecar)', async (t) => {
  const multi = byName('multi.mp4');
  const fra = multi.probe!.audio!.find((a) => a.language === 'fra')!;
  const sub = multi.probe!.subtitles![0];
  const view = await sut.transcodes.start(multi.id, { audioStreamIndex: fra.index, subtitle: String(sub.index) });
  t.match(view, { mode: 'transcode', audioStreamIndex: fra.index, burnSubtitle: String(sub.index) });
  const seg = await sut.transcodes.segment(view.sessionId, 'seg-1.ts');
  const p = await ffprobe(seg.path);
  t.equal(p.streams.filter((s) => s.codec_type === 'audio').length, 1, 'exactly the chosen audio track');
  t.equal(p.streams.filter((s) => s.codec_type === 'subtitle').length, 0, 'subtitles burned in, not muxed');
  await sut.transcodes.stop(view.sessionId);

  const clip = byName('clip.mp4');
  t.equal(clip.sidecarIds?.length, 2, 'the scanner attached both sidecars');
  const ass = clip.sidecarIds!.find((id) => env.store.items.get(id)!.name.endsWith('.ass'))!;
  const v2 = await sut.transcodes.start(clip.id, { subtitle: `sidecar-${ass}` });
  await decodes((await sut.transcodes.segment(v2.sessionId, 'seg-0.ts')).path);
  await sut.transcodes.stop(v2.sessionId);
  await t.rejects(sut.transcodes.start(clip.id, { subtitle: '99' }), { code: 'VALIDATION' });
  await t.rejects(sut.transcodes.start(clip.id, { audioStreamIndex: 42 }), { code: 'VALIDATION' });
});

t.test('concurrency limit, DELETE and idle reaping remove ffmpeg and files', async (t) => {
  const short = await services({ maxSessions: 2, idleTimeoutSec: 1 });
  const clip = byName('clip.mp4');
  const a = await short.transcodes.start(clip.id, { mode: 'transcode' });
  const b = await short.transcodes.start(clip.id, { mode: 'transcode' });
  await t.rejects(short.transcodes.start(clip.id, { mode: 'transcode' }), { code: 'TOO_MANY', retryAfterSec: 1 });
  const sa = short.sessions.get(a.sessionId)!.session;
  const pid = sa.pid;
  t.ok(alive(pid), 'ffmpeg runs');
  await short.transcodes.segment(a.sessionId, 'seg-0.ts');
  await short.transcodes.stop(a.sessionId);
  t.notOk(alive(pid), 'DELETE kills ffmpeg');
  await t.rejects(short.transcodes.segment(a.sessionId, 'seg-0.ts'), { code: 'NOT_FOUND' });
  const pidB = short.sessions.get(b.sessionId)!.session.pid;
  await new Promise((r) => setTimeout(r, 1600));
  t.equal(short.sessions.count, 0, 'the idle session was reaped');
  t.notOk(alive(pidB), 'and its ffmpeg is gone');
});

t.test('session directories are removed', async (t) => {
  const p = await services();
  const view = await p.transcodes.start(byName('clip.mp4').id, { mode: 'transcode' });
  await p.transcodes.segment(view.sessionId, 'seg-0.ts');
  const root = (p.sessions as unknown as { o: { dir: string } }).o.dir;
  t.same(await readdir(root), [view.sessionId]);
  await p.transcodes.stop(view.sessionId);
  t.same(await readdir(root), [], 'no files left');
});

t.test('cache bound: old segments are evicted and re-encoded on demand', async (t) => {
  const p = await services({ cacheMaxBytes: 150_000 });
  const hd = byName('hd.mp4');
  const view = await p.transcodes.start(hd.id, { mode: 'transcode', maxResolution: '720' });
  for (let n = 0; n < view.segmentCount!; n++) await p.transcodes.segment(view.sessionId, `seg-${n}.ts`);
  const session = p.sessions.get(view.sessionId)!.session;
  t.ok(p.sessions.cachedBytes <= 150_000 || session.done.size < view.segmentCount!, 'cache trimmed');
  t.notOk(session.done.has(0), 'segment 0 was evicted');
  t.notOk(await exists(join((p.sessions as unknown as { o: { dir: string } }).o.dir, view.sessionId, 'seg-0.ts')), 'its file is gone');
  const again = await p.transcodes.segment(view.sessionId, 'seg-0.ts');
  await decodes(again.path);
  await p.transcodes.stop(view.sessionId);
});

t.test('remote root: ffmpeg reads through the loopback range proxy', async (t) => {
  const p = await services({ remote: true });
  const hd = byName('hd.mp4');
  const view = await p.transcodes.start(hd.id, { mode: 'transcode', maxResolution: '480' });
  await decodes((await p.transcodes.segment(view.sessionId, 'seg-0.ts')).path);
  const last = view.segmentCount! - 1;
  await decodes((await p.transcodes.segment(view.sessionId, `seg-${last}.ts`)).path);
  await p.transcodes.stop(view.sessionId);
  const vtt = await p.subtitles.webvtt(byName('multi.mp4').id, String(byName('multi.mp4').probe!.subtitles![0].index));
  t.match(vtt, /WEBVTT[\s\S]*Hello/, 'embedded subtitles extracted through the proxy');
});

t.test('a failing hardware method falls back to software for the session', async (t) => {
  const p = await services();
  await p.hardware.update({ preference: 'vaapi', device: '/dev/dri/renderD199' });
  const view = await p.transcodes.start(byName('clip.mp4').id, { mode: 'transcode' });
  t.equal(view.hardware, 'vaapi', 'vaapi was asked for');
  await decodes((await p.transcodes.segment(view.sessionId, 'seg-0.ts')).path);
  const session = p.sessions.get(view.sessionId)!.session;
  t.ok(session.fellBack, 'fell back');
  t.notOk(session.usingHardware);
  await p.transcodes.stop(view.sessionId);
  t.match((await p.hardware.view()).settings, { preference: 'vaapi', device: '/dev/dri/renderD199', lowPower: false, toneMapping: true });
  await t.rejects(p.hardware.update({ preference: 'cuda' }), { code: 'VALIDATION' });
  await p.hardware.update({ preference: 'auto', device: null });
});

t.test('info, playback decisions and subtitles', async (t) => {
  const multi = byName('multi.mp4');
  const info = await sut.playback.info(multi.id);
  t.match(info, { ratingKey: String(multi.id), container: 'mp4', contentType: 'video/mp4', duration: Number, streamUrl: `/api/stream/${multi.id}` });
  t.same(info.audio.map((a) => a.language), ['eng', 'fra']);
  t.match(info.subtitles[0], { codec: 'mov_text', language: 'eng', text: true, external: false, url: `/api/media/${multi.id}/subtitle/${info.subtitles[0].key}` });
  t.match(await sut.subtitles.webvtt(multi.id, info.subtitles[0].key), /^WEBVTT\n\n(00:)?00:00\.500 --> (00:)?00:02\.000\nHello/);

  const clip = byName('clip.mp4');
  const clipInfo = await sut.playback.info(clip.id);
  const srt = clipInfo.subtitles.find((s) => s.codec === 'subrip')!;
  t.match(srt, { language: 'fr', external: true });
  t.match(await sut.subtitles.webvtt(clip.id, srt.key), /00:00:00\.500 --> 00:00:02\.000\nDéjà \u201Cvu\u201D/, 'Windows-1252 sidecar decoded');
  await t.rejects(sut.subtitles.webvtt(clip.id, 'sidecar-999999'), { code: 'NOT_FOUND' });

  t.equal((await sut.playback.playbackInfo(clip.id, { profile: 'browser' })).method, 'direct');
  t.equal((await sut.playback.playbackInfo(byName('hevc.mkv').id, { profile: 'apple-tv' })).method, 'remux');
  const hdr = await sut.playback.playbackInfo(byName('hdr10.mkv').id, { profile: 'browser' });
  t.equal(hdr.method, 'transcode');
  t.ok(hdr.decision.reasons.some((r) => r.code === 'HDR_NOT_SUPPORTED'));

  // Probe on demand when the index has none.
  await env.store.items.setProbe(clip.id, 'pending');
  const reprobed = await sut.playback.info(clip.id);
  t.equal(reprobed.duration, FIXTURE_FACTS.video.durationMs, 're-probed');
  t.equal(env.store.items.get(clip.id)!.probeState, 'done', 'and stored');

  const file = await sut.playback.stream(byName('clip.webm').id);
  t.equal(file.contentType, 'video/webm');
  await t.rejects(sut.playback.info(byName('photo.jpg').id), { code: 'VALIDATION' });
  await t.rejects(sut.playback.info(987654), { code: 'NOT_FOUND' });
});
