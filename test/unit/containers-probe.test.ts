/**
 * The in-process MP4 and Matroska parsers against ffprobe on the generated video fixtures:
 * same codec names, dimensions, languages, default flags, bit depth and HDR; duration
 * within 50 ms. Plus: moov at the end, 64-bit box sizes, remote (ranged) sources, the
 * fallback to ffprobe and the switch that forces it.
 */
import t from 'tap';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ProbeSource } from '../../daemon/domain/ports.js';
import type { ProbeInfo } from '../../daemon/domain/types.js';
import { silentLogger } from '../../daemon/log/logger.js';
import { probeContainer } from '../../daemon/media/containers/container-probe.js';
import { UnsupportedMediaError } from '../../daemon/media/containers/byte-source.js';
import { ProbeService } from '../../daemon/media/probe.service.js';
import { locateMediaTools } from '../../daemon/media/tools.js';
import { makeMediaFixtures } from '../helpers/media-fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'alcove-containers-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const fx = await makeMediaFixtures(join(dir, 'fixtures'));
const tools = await locateMediaTools(silentLogger());
const ffprobe = new ProbeService(tools, silentLogger(), { containerParsers: false });
const sut = new ProbeService(tools, silentLogger());

async function local(path: string): Promise<ProbeSource> {
  return { name: basename(path), mediaType: 'video', size: (await stat(path)).size, localPath: path };
}

function remote(path: string, size: number, served: { bytes: number; opens: number }): ProbeSource {
  return {
    name: basename(path), mediaType: 'video', size,
    open: async (start, end) => {
      served.opens++;
      served.bytes += (end ?? size - 1) - start + 1;
      return createReadStream(path, { start, end });
    },
  };
}

/** What both probers must agree on. */
function essentials(p: ProbeInfo) {
  return {
    container: p.container, width: p.width, height: p.height, hasCoverArt: p.hasCoverArt ?? false,
    video: p.video?.map((v) => ({ index: v.index, codec: v.codec, width: v.width, height: v.height, bitDepth: v.bitDepth, hdr: v.hdr, colorTransfer: v.colorTransfer, profile: v.profile, pixFmt: v.pixFmt, frameRate: v.frameRate, language: v.language, default: v.default ?? false })),
    audio: p.audio?.map((a) => ({ index: a.index, codec: a.codec, channels: a.channels, sampleRate: a.sampleRate, language: a.language, title: a.title, default: a.default ?? false })),
    subtitles: p.subtitles?.map((s) => ({ index: s.index, codec: s.codec, text: s.text, language: s.language, title: s.title, default: s.default ?? false, forced: s.forced ?? false })),
  };
}

const VIDEO_FIXTURES = [
  ['mp4 H.264/AAC, faststart', fx.mp4, 'isobmff'],
  ['mp4 H.264, moov at the end', fx.mp4Short, 'isobmff'],
  ['mkv HEVC/AC-3', fx.mkvHevc, 'matroska'],
  ['webm VP9/Opus', fx.webm, 'matroska'],
  ['mp4 two audio languages + mov_text', fx.mp4TwoAudioWithSubs, 'isobmff'],
  ['mkv 10-bit HEVC HDR10', fx.tenBit, 'matroska'],
] as const;

t.test('in-process parse equals ffprobe on every video fixture', async (t) => {
  for (const [label, path, prober] of VIDEO_FIXTURES) {
    const want = await ffprobe.probe(await local(path));
    const got = await sut.probe(await local(path));
    t.equal(want.prober, 'ffprobe', `${label}: reference from ffprobe`);
    t.equal(got.prober, prober, `${label}: parsed in process`);
    t.same(essentials(got), essentials(want), `${label}: streams`);
    t.ok(Math.abs((got.durationMs ?? -1e9) - (want.durationMs ?? 0)) <= 50, `${label}: duration ${got.durationMs} vs ${want.durationMs}`);
    t.ok(Math.abs((got.bitRate ?? 0) - (want.bitRate ?? 0)) <= Math.max(2, (want.bitRate ?? 0) * 0.001), `${label}: bit rate ${got.bitRate} vs ${want.bitRate}`);
  }
  const ten = await sut.probe(await local(fx.tenBit));
  t.match(ten.video?.[0], { bitDepth: 10, hdr: 'hdr10', pixFmt: 'yuv420p10le' }, '10-bit HDR10 clip');
  const multi = await sut.probe(await local(fx.mp4TwoAudioWithSubs));
  t.same(multi.audio?.map((a) => [a.language, a.default ?? false]), [['eng', true], ['fra', false]], 'languages and default flags');
});

t.test('remote sources: a few ranged reads, same answer as local', async (t) => {
  for (const [label, path] of VIDEO_FIXTURES) {
    const size = (await stat(path)).size;
    const served = { bytes: 0, opens: 0 };
    const got = await probeContainer(remote(path, size, served));
    t.same(got, await probeContainer(await local(path)), `${label}: remote == local`);
    t.ok(served.opens <= 4, `${label}: ${served.opens} ranged reads`);
  }
  // moov at the end of a file larger than the head window: head + tail, not the middle.
  const big = join(dir, 'big-tail.mp4');
  const short = await readFile(fx.mp4Short);
  const ftypSize = short.readUInt32BE(0);
  // Pad mdat: insert a 512 KiB 'free' box after ftyp (offsets of samples do not matter here).
  const pad = Buffer.alloc(512 * 1024);
  pad.writeUInt32BE(pad.length, 0); pad.write('free', 4, 'latin1');
  await writeFile(big, Buffer.concat([short.subarray(0, ftypSize), pad, short.subarray(ftypSize)]));
  const served = { bytes: 0, opens: 0 };
  const size = (await stat(big)).size;
  const got = await probeContainer(remote(big, size, served));
  t.match(got, { prober: 'isobmff', width: 320, height: 240 });
  t.ok(served.bytes < size / 2, `read ${served.bytes} of ${size} bytes`);
});

t.test('64-bit box sizes', async (t) => {
  const src = await readFile(fx.mp4Short);
  // Rewrite every top-level box header as a 64-bit one (size 1 + largesize).
  const parts: Buffer[] = [];
  for (let at = 0; at < src.length;) {
    const size = src.readUInt32BE(at);
    const hdr = Buffer.alloc(16);
    hdr.writeUInt32BE(1, 0); src.copy(hdr, 4, at + 4, at + 8); hdr.writeBigUInt64BE(BigInt(size + 8), 8);
    parts.push(hdr, src.subarray(at + 8, at + size));
    at += size;
  }
  const path = join(dir, 'large.mp4');
  await writeFile(path, Buffer.concat(parts));
  const got = await probeContainer(await local(path));
  const want = await probeContainer(await local(fx.mp4Short));
  t.same(essentials(got), essentials(want));
  t.equal(got.durationMs, want.durationMs);
});

t.test('failures fall back to ffprobe; the switch forces it', async (t) => {
  await t.rejects(probeContainer(await local(fx.brokenMp4)), UnsupportedMediaError, 'garbage is not an MP4');
  await t.rejects(sut.probe(await local(fx.brokenMp4)), /^ffprobe: /, 'garbage still gets ffprobe\'s verdict');
  // A truncated Matroska file (Tracks cut off) is ffprobe's to judge.
  const cut = join(dir, 'cut.mkv');
  const whole = await readFile(fx.mkvHevc);
  await writeFile(cut, whole.subarray(0, 200));
  await t.rejects(probeContainer(await local(cut)));
  // Not a parsed extension: straight to ffprobe.
  const avi = join(dir, 'clip.avi');
  await writeFile(avi, await readFile(fx.mp4));
  t.equal((await sut.probe(await local(avi))).prober, 'ffprobe');
  t.equal((await ffprobe.probe(await local(fx.mkvHevc))).prober, 'ffprobe', 'containerParsers: false');
});
