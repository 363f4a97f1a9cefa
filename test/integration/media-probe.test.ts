import t from 'tap';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { promisify } from 'node:util';
import type { ProbeSource } from '../../daemon/domain/ports.js';
import type { MediaType } from '../../daemon/domain/types.js';
import { ValidationError } from '../../daemon/domain/errors.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ProbeService } from '../../daemon/media/probe.service.js';
import { locateMediaTools } from '../../daemon/media/tools.js';
import { FIXTURE_FACTS, makeMediaFixtures } from '../helpers/media-fixtures.js';

const run = promisify(execFile);
const dir = await mkdtemp(join(tmpdir(), 'alcove-probe-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const fx = await makeMediaFixtures(join(dir, 'fixtures'));
const tools = await locateMediaTools(silentLogger());
const sut = new ProbeService(tools, silentLogger());

async function local(path: string, mediaType: MediaType): Promise<ProbeSource> {
  return { name: basename(path), mediaType, size: (await stat(path)).size, localPath: path };
}

/** A source with only a ranged reader, like an SMB/FTP/WebDAV root; counts bytes served. */
async function remote(path: string, mediaType: MediaType) {
  const served = { bytes: 0, opens: 0 };
  const source: ProbeSource = {
    name: basename(path), mediaType, size: (await stat(path)).size,
    open: async (start, end) => {
      served.opens++;
      // Count through a Transform: a 'data' listener would switch the stream to flowing.
      return createReadStream(path, { start, end }).pipe(new Transform({
        transform(chunk: Buffer, _enc, cb) { served.bytes += chunk.length; cb(null, chunk); },
      }));
    },
  };
  return { source, served };
}

/** Children of this process named `name` (zombies included: they keep their name). */
async function childrenNamed(name: string): Promise<string[]> {
  const { stdout } = await run('ps', ['--ppid', String(process.pid), '-o', 'pid=,stat=,comm=']);
  return stdout.split('\n').filter((l) => l.includes(name));
}

const near = (actual: number | undefined, want: number, tol: number) => actual !== undefined && Math.abs(actual - want) <= tol;

t.test('images: dimensions as displayed, orientation, date, camera, GPS', async (t) => {
  const plain = await sut.probe(await local(fx.jpeg, 'image'));
  t.match(plain, { container: 'jpeg', width: FIXTURE_FACTS.jpeg.width, height: FIXTURE_FACTS.jpeg.height, camera: { make: FIXTURE_FACTS.jpeg.make, model: FIXTURE_FACTS.jpeg.model } });
  t.equal(plain.takenAt, undefined);

  const R = FIXTURE_FACTS.jpegRotated;
  const rotated = await sut.probe(await local(fx.jpegRotated, 'image'));
  t.equal(rotated.orientation, R.orientation);
  t.equal(rotated.width, R.storedHeight, 'orientation 6 swaps width and height');
  t.equal(rotated.height, R.storedWidth);
  t.equal(rotated.takenAt, R.takenAt, 'DateTimeOriginal with OffsetTimeOriginal');
  t.ok(near(rotated.gps?.lat, R.lat, 1e-3) && near(rotated.gps?.lon, R.lon, 1e-3), `gps ${JSON.stringify(rotated.gps)}`);

  t.match(await sut.probe(await local(fx.png, 'image')), { container: 'png', width: FIXTURE_FACTS.png.width, height: FIXTURE_FACTS.png.height });
  t.match(await sut.probe(await local(fx.webp, 'image')), { container: 'webp', width: FIXTURE_FACTS.webp.width, height: FIXTURE_FACTS.webp.height });
});

t.test('video: containers, codecs, durations, HDR, languages, subtitles', async (t) => {
  const V = FIXTURE_FACTS.video;
  const mp4 = await sut.probe(await local(fx.mp4, 'video'));
  t.match(mp4, { prober: 'isobmff', container: 'mp4', width: V.width, height: V.height });
  t.ok(near(mp4.durationMs, V.durationMs, 150), `duration ${mp4.durationMs}`);
  t.ok((mp4.bitRate ?? 0) > 0);
  t.match(mp4.video?.[0], { codec: 'h264', bitDepth: 8, frameRate: V.fps, pixFmt: 'yuv420p' });
  t.equal(mp4.video?.[0].hdr, undefined);
  t.match(mp4.audio?.[0], { codec: 'aac', sampleRate: FIXTURE_FACTS.sampleRate, channels: 1 });

  const hevc = await sut.probe(await local(fx.mkvHevc, 'video'));
  t.match(hevc, { container: 'mkv', video: [{ codec: 'hevc', width: V.width }], audio: [{ codec: 'ac3' }] });

  const webm = await sut.probe(await local(fx.webm, 'video'));
  t.match(webm, { container: 'webm', video: [{ codec: 'vp9' }], audio: [{ codec: 'opus' }] });
  t.ok(near(webm.durationMs, V.durationMs, 150));

  const ten = await sut.probe(await local(fx.tenBit, 'video'));
  t.match(ten.video?.[0], { codec: 'hevc', bitDepth: 10, hdr: 'hdr10', colorTransfer: 'smpte2084', profile: 'Main 10' });

  const multi = await sut.probe(await local(fx.mp4TwoAudioWithSubs, 'video'));
  t.same(multi.audio?.map((a) => [a.language, a.title, a.default ?? false]), [['eng', 'English Stereo', true], ['fra', 'Francais', false]]);
  t.same(multi.subtitles?.map((s) => [s.codec, s.language, s.text]), [['mov_text', 'eng', true]]);
});

t.test('audio: music-metadata tags, cover flag, durations', async (t) => {
  const T = FIXTURE_FACTS.tags;
  const wantTags = { title: T.title, artist: T.artist, albumArtist: T.albumArtist, album: T.album, track: T.track, disc: T.disc, year: T.year, genre: [T.genre] };
  for (const [path, container, codec] of [[fx.mp3WithTags, 'mp3', 'mp3'], [fx.flac, 'flac', 'flac'], [fx.m4a, 'm4a', 'aac']] as const) {
    const info = await sut.probe(await local(path, 'audio'));
    t.equal(info.prober, 'music-metadata', container);
    t.equal(info.container, container);
    t.equal(info.audio?.[0].codec, codec);
    t.equal(info.audio?.[0].sampleRate, FIXTURE_FACTS.sampleRate);
    t.ok(near(info.durationMs, FIXTURE_FACTS.audioDurationMs, 100), `${container} duration ${info.durationMs}`);
    t.same(info.tags, wantTags, `${container} tags`);
  }
  t.equal((await sut.probe(await local(fx.mp3WithTags, 'audio'))).hasCoverArt, true);
  t.equal((await sut.probe(await local(fx.mp3NoCover, 'audio'))).hasCoverArt, false);
});

t.test('audio music-metadata cannot parse falls back to ffprobe', async (t) => {
  // A WebM with only Opus audio named .opus... music-metadata reads Matroska, so use a
  // format it does not know: raw AC-3.
  const ac3 = join(dir, 'tone.ac3');
  await run(tools.ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'ac3', ac3]);
  const info = await sut.probe(await local(ac3, 'audio'));
  t.equal(info.prober, 'ffprobe');
  t.equal(info.audio?.[0].codec, 'ac3');
  t.ok(near(info.durationMs, 2000, 200), `duration ${info.durationMs}`);
});

t.test('remote sources (ranged reader only) give the same answers', async (t) => {
  for (const [path, type] of [[fx.jpegRotated, 'image'], [fx.png, 'image'], [fx.mp3WithTags, 'audio'], [fx.flac, 'audio'], [fx.mp4, 'video'], [fx.mkvHevc, 'video']] as const) {
    const want = await sut.probe(await local(path, type));
    const { source, served } = await remote(path, type);
    const got = await sut.probe(source);
    if (type === 'video') {
      // From a pipe ffprobe cannot know the size; the service derives the bit rate instead.
      t.ok((got.bitRate ?? 0) > 0, 'bit rate derived from size and duration');
      delete got.bitRate;
      delete want.bitRate;
    }
    t.same(got, want, `${basename(path)} remote == local`);
    t.ok(served.opens >= 1, 'read through open()');
  }
  // Images only need their head.
  const big = join(dir, 'big.jpg');
  const sharp = (await import('sharp')).default;
  await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toFile(big);
  const { source, served } = await remote(big, 'image');
  t.match(await sut.probe(source), { width: 3000, height: 2000 });
  t.ok(served.bytes <= 128 * 1024, `read ${served.bytes} of ${source.size} bytes`);
});

t.test('storage errors from a remote reader reach the caller unchanged', async (t) => {
  class FakeStorageError extends Error { code = 'UNREACHABLE'; }
  for (const type of ['image', 'audio', 'video'] as const) {
    const failOpen = new FakeStorageError('host down');
    const err1 = await sut.probe({ name: `a.${type}`, mediaType: type, size: 1000, open: async () => { throw failOpen; } }).catch((e: unknown) => e);
    t.equal(err1, failOpen, `${type}: open() failure`);
    const failMidway = new FakeStorageError('connection reset');
    const err2 = await sut.probe({
      name: `b.${type}`, mediaType: type, size: 1_000_000,
      open: async () => {
        const s = new PassThrough();
        s.write(Buffer.alloc(100, 1));
        setTimeout(() => s.destroy(failMidway), 20);
        return s;
      },
    }).catch((e: unknown) => e);
    t.equal(err2, failMidway, `${type}: stream error`);
  }
});

t.test('broken files give probe errors, not crashes', async (t) => {
  await t.rejects(sut.probe(await local(fx.brokenMp4, 'video')), /^ffprobe: .*Invalid data/);
  await t.rejects(sut.probe(await local(fx.brokenMp4, 'image')), /unreadable image/);
  const badMp3 = join(dir, 'bad.mp3');
  await writeFile(badMp3, Buffer.alloc(4096, 7));
  await t.rejects(sut.probe(await local(badMp3, 'audio')), /^ffprobe: /);
  await t.rejects(sut.probe({ ...(await local(fx.mp4, 'video')), localPath: join(dir, 'missing.mp4') }), /ffprobe: .*No such file/);
  const other = await sut.probe(await local(fx.mp4, 'other')).catch((e: unknown) => e);
  t.ok(other instanceof ValidationError, 'unsupported media type is a ValidationError');
  const nothing = await sut.probe({ name: 'x.mp4', mediaType: 'video', size: 1 }).catch((e: unknown) => e);
  t.ok(nothing instanceof ValidationError, 'a source without path or reader is a ValidationError');
  await t.rejects(sut.probe(await local(fx.mp4, 'video'), AbortSignal.abort()), { name: 'AbortError' });
});

t.test('timeouts kill ffprobe and leave no zombie', async (t) => {
  const quick = new ProbeService(tools, silentLogger(), { timeoutMs: 400 });
  // A FIFO nobody writes to: ffprobe blocks opening it.
  const fifo = join(dir, 'stuck.mkv');
  await run('mkfifo', [fifo]);
  const started = Date.now();
  await t.rejects(quick.probe({ name: 'stuck.mkv', mediaType: 'video', size: 0, localPath: fifo }), /ffprobe timed out after 400 ms/);
  t.ok(Date.now() - started < 3000);
  t.same(await childrenNamed('ffprobe'), [], 'no ffprobe child left');

  // A remote stream that stalls after a few bytes: ffprobe waits for more, then dies.
  const stalled = new PassThrough();
  stalled.write(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
  await t.rejects(quick.probe({ name: 'stall.mkv', mediaType: 'video', size: 10_000_000, open: async () => stalled }), /timed out/);
  t.equal(stalled.destroyed, true, 'remote read stopped');
  t.same(await childrenNamed('ffprobe'), [], 'no ffprobe child left');

  // Abort while running.
  const ac = new AbortController();
  const p = new ProbeService(tools, silentLogger()).probe({ name: 'stuck.mkv', mediaType: 'video', size: 0, localPath: fifo }, ac.signal);
  setTimeout(() => ac.abort(), 100);
  await t.rejects(p, { name: 'AbortError' });
  t.same(await childrenNamed('ffprobe'), [], 'no ffprobe child left after abort');
});

t.test('ffprobe concurrency is bounded by the limiter', async (t) => {
  // Videos these parsers read in process never reach ffprobe: force it to exercise the limiter.
  const limited = new ProbeService(tools, silentLogger(), { ffprobeConcurrency: 2, containerParsers: false });
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, limited.ffprobeLimiter.active); }, 2);
  const sources = await Promise.all([fx.mp4, fx.mkvHevc, fx.webm, fx.tenBit, fx.mp4TwoAudioWithSubs, fx.mp4Short].map((p) => local(p, 'video')));
  const infos = await Promise.all(sources.map((s) => limited.probe(s)));
  clearInterval(timer);
  t.equal(infos.length, 6);
  t.ok(peak <= 2 && peak >= 1, `peak ${peak}`);
});
