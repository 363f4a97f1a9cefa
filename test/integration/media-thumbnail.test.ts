import t from 'tap';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import type { ProbeSource, ThumbnailRequest } from '../../daemon/domain/ports.js';
import type { MediaType } from '../../daemon/domain/types.js';
import { NotFoundError, ValidationError } from '../../daemon/domain/errors.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { ThumbnailService, composeFolderGrid } from '../../daemon/media/thumbnail.service.js';
import { locateMediaTools } from '../../daemon/media/tools.js';
import { FIXTURE_FACTS, makeMediaFixtures } from '../helpers/media-fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'alcove-thumb-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const fx = await makeMediaFixtures(join(dir, 'fixtures'));
const tools = await locateMediaTools(silentLogger());

let n = 0;
function newService(): ThumbnailService {
  return new ThumbnailService({ cacheDir: join(dir, `cache-${n++}`), tools, logger: silentLogger() });
}

async function request(path: string, mediaType: MediaType, width: number, extra: Partial<ThumbnailRequest> = {}, remoteOnly = false): Promise<ThumbnailRequest> {
  const st = await stat(path);
  const source: ProbeSource = remoteOnly
    ? { name: basename(path), mediaType, size: st.size, open: async (start, end) => createReadStream(path, { start, end }) }
    : { name: basename(path), mediaType, size: st.size, localPath: path };
  return { key: { id: path, size: st.size, mtimeMs: st.mtimeMs }, source, width, ...extra };
}

async function dims(path: string) {
  const m = await sharp(path).metadata();
  return { width: m.width, height: m.height, format: m.format };
}

t.test('images: bounded size, orientation applied, formats', async (t) => {
  const sut = newService();
  const jpeg = await sut.get(await request(fx.jpeg, 'image', 128));
  t.match(jpeg, { contentType: 'image/jpeg' });
  t.match(jpeg.etag, /^"[0-9a-f]{40}"$/);
  t.equal(jpeg.size, (await stat(jpeg.path)).size);
  const W = FIXTURE_FACTS.jpeg;
  t.same(await dims(jpeg.path), { width: 128, height: Math.round((128 * W.height) / W.width), format: 'jpeg' });

  const rotated = await sut.get(await request(fx.jpegRotated, 'image', 200));
  const r = await dims(rotated.path);
  t.ok(r.height! > r.width!, `portrait after applying orientation 6 (${r.width}x${r.height})`);
  t.equal(r.height, 200);

  const png = await sut.get(await request(fx.png, 'image', 64, { format: 'png' }));
  t.equal(png.contentType, 'image/png');
  t.same(await dims(png.path), { width: 64, height: 32, format: 'png' });

  const webp = await sut.get(await request(fx.webp, 'image', 1000, { format: 'webp' }));
  t.same(await dims(webp.path), { width: FIXTURE_FACTS.webp.width, height: FIXTURE_FACTS.webp.height, format: 'webp' }, 'never enlarged');
  t.match(webp.path, /[/\\][0-9a-f]{2}[/\\][0-9a-f]{2}[/\\][0-9a-f]{40}\.webp$/, 'two-level fan-out');
});

t.test('video: frame at 2 s, short clips fall back', async (t) => {
  const sut = newService();
  const v = await sut.get(await request(fx.mp4, 'video', 160, { durationMs: FIXTURE_FACTS.video.durationMs }));
  t.same(await dims(v.path), { width: 160, height: 120, format: 'jpeg' });
  t.equal(sut.stats.videoFallbacks, 0);
  const short = await sut.get(await request(fx.mp4Short, 'video', 160));
  t.same(await dims(short.path), { width: 160, height: 120, format: 'jpeg' }, 'a 1 s clip still gets a frame');
  t.equal(sut.stats.videoFallbacks, 1);
  const tenBit = await sut.get(await request(fx.tenBit, 'video', 100, { format: 'webp' }));
  t.equal((await dims(tenBit.path)).format, 'webp');
  await t.rejects(sut.get(await request(fx.brokenMp4, 'video', 100)), /^ffmpeg: /);
  t.equal(sut.stats.failed, 1);
});

t.test('audio: embedded cover, or NotFound', async (t) => {
  const sut = newService();
  const cover = await sut.get(await request(fx.mp3WithTags, 'audio', 100));
  t.same(await dims(cover.path), { width: 100, height: 100, format: 'jpeg' });
  const none = await sut.get(await request(fx.mp3NoCover, 'audio', 100)).catch((e: unknown) => e);
  t.ok(none instanceof NotFoundError, 'no cover art is NotFound');
  const other = await sut.get(await request(fx.jpeg, 'other', 100)).catch((e: unknown) => e);
  t.ok(other instanceof ValidationError, 'unsupported type is a ValidationError');
  const badWidth = await sut.get(await request(fx.jpeg, 'image', 0)).catch((e: unknown) => e);
  t.ok(badWidth instanceof ValidationError, 'width 0 is a ValidationError');
});

t.test('cache: hits do not regenerate; single flight; mtime invalidates; clear()', async (t) => {
  const sut = newService();
  const file = join(dir, 'mutable.jpg');
  await copyFile(fx.jpeg, file);
  const first = await sut.get(await request(file, 'image', 96));
  const again = await sut.get(await request(file, 'image', 96));
  t.equal(again.path, first.path);
  t.equal(again.etag, first.etag);
  t.equal(again.mtimeMs, first.mtimeMs, 'same file, not rewritten');
  t.same(sut.stats, { generated: 1, hits: 1, failed: 0, videoFallbacks: 0 });

  const req = await request(file, 'image', 48);
  const all = await Promise.all(Array.from({ length: 10 }, () => sut.get(req)));
  t.equal(sut.stats.generated, 2, '10 concurrent requests generate once');
  t.equal(new Set(all.map((x) => x.path)).size, 1);

  const videoReq = await request(fx.mp4, 'video', 64);
  await Promise.all(Array.from({ length: 5 }, () => sut.get(videoReq)));
  t.equal(sut.stats.generated, 3, 'same for video');

  await sharp({ create: { width: 50, height: 80, channels: 3, background: '#0f0' } }).jpeg().toFile(file);
  const changed = await sut.get(await request(file, 'image', 96));
  t.not(changed.path, first.path, 'a changed file gets a new key');
  t.not(changed.etag, first.etag);
  t.same(await dims(changed.path), { width: 50, height: 80, format: 'jpeg' }, 'and the new pixels');

  await sut.clear();
  t.same(await readdir(join(dir, `cache-${n - 1}`)), []);
  const regenerated = await sut.get(await request(file, 'image', 96));
  t.equal(sut.stats.generated, 5, 'regenerated after clear');
  t.same((await readdir(join(regenerated.path, '..'))).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
});

t.test('aborting one waiter does not spoil the generation for others', async (t) => {
  const sut = newService();
  const req = await request(fx.mp4TwoAudioWithSubs, 'video', 80);
  const ac = new AbortController();
  const quitter = sut.get(req, ac.signal);
  const stayer = sut.get(req);
  ac.abort();
  await t.rejects(quitter);
  const got = await stayer;
  t.equal((await dims(got.path)).width, 80);
  t.equal(sut.stats.generated, 1);

  const lone = new AbortController();
  const p = sut.get(await request(fx.webm, 'video', 80), lone.signal);
  lone.abort();
  await t.rejects(p);
  await t.rejects(sut.get(await request(fx.webm, 'video', 80), AbortSignal.abort()));
});

t.test('remote sources (ranged reader only): image, mp3 cover, video', async (t) => {
  const sut = newService();
  const img = await sut.get(await request(fx.jpegRotated, 'image', 100, {}, true));
  const d = await dims(img.path);
  t.ok(d.height! > d.width!, 'orientation applied on a streamed image');
  const mp3 = await sut.get(await request(fx.mp3WithTags, 'audio', 50, {}, true));
  t.same(await dims(mp3.path), { width: 50, height: 50, format: 'jpeg' });
  const vid = await sut.get(await request(fx.mkvHevc, 'video', 120, { durationMs: 4000 }, true));
  t.same(await dims(vid.path), { width: 120, height: 90, format: 'jpeg' });
  t.equal(sut.stats.generated, 3);
});

t.test('composeFolderGrid makes a 2x2 PNG', async (t) => {
  const imgs = await Promise.all([fx.jpeg, fx.png, fx.webp, fx.jpegRotated, fx.jpeg].map((p) => readFile(p)));
  const grid = await composeFolderGrid(imgs, 200);
  t.same(await dims(grid as unknown as string), { width: 200, height: 200, format: 'png' });
  const one = await composeFolderGrid(imgs.slice(0, 1), 100);
  const { data, info } = await sharp(one).raw().toBuffer({ resolveWithObject: true });
  t.equal(info.channels, 4);
  const alphaAt = (x: number, y: number) => data[(y * info.width + x) * 4 + 3];
  t.equal(alphaAt(10, 10), 255, 'first cell filled');
  t.equal(alphaAt(90, 90), 0, 'missing cells stay transparent');
});
