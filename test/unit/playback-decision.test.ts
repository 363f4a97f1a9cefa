/**
 * Direct play / remux / transcode decisions and client capability parsing (table-driven).
 */
import t from 'tap';
import { decidePlayback } from '../../daemon/media/transcode/playback-decision.js';
import { CLIENT_PROFILES, parseResolution, resolveCapabilities } from '../../daemon/media/transcode/client-profiles.js';
import { containerOf, contentTypeOf } from '../../daemon/media/transcode/containers.js';
import type { ProbeInfo } from '../../daemon/domain/types.js';

const h264aac: ProbeInfo = { container: 'mov,mp4,m4a,3gp,3g2,mj2', durationMs: 4000, bitRate: 3_000_000,
  video: [{ index: 0, codec: 'h264', width: 1920, height: 1080, bitDepth: 8 }], audio: [{ index: 1, codec: 'aac', channels: 2, default: true }] };
const hevcAc3: ProbeInfo = { video: [{ index: 0, codec: 'hevc', width: 1920, height: 1080 }], audio: [{ index: 1, codec: 'ac3', channels: 6 }] };
const vp9opus: ProbeInfo = { video: [{ index: 0, codec: 'vp9', width: 1280, height: 720 }], audio: [{ index: 1, codec: 'opus', channels: 2 }] };
const hdr10: ProbeInfo = { video: [{ index: 0, codec: 'hevc', width: 3840, height: 2160, bitDepth: 10, hdr: 'hdr10' }], audio: [{ index: 1, codec: 'eac3', channels: 6 }] };
const twoAudio: ProbeInfo = { video: [{ index: 0, codec: 'h264', width: 1280, height: 720 }], audio: [{ index: 1, codec: 'aac', channels: 2, default: true }, { index: 2, codec: 'dts', channels: 6 }] };

const table: Array<{ name: string; container: string; probe?: ProbeInfo; profile: Record<string, unknown>; method: string; codes: string[]; audioIndex?: number }> = [
  { name: 'browser plays H.264/AAC MP4 directly', container: 'mp4', probe: h264aac, profile: { profile: 'browser' }, method: 'direct', codes: [] },
  { name: 'browser cannot play HEVC', container: 'mkv', probe: hevcAc3, profile: { profile: 'browser' }, method: 'transcode', codes: ['VIDEO_CODEC_NOT_SUPPORTED', 'AUDIO_CODEC_NOT_SUPPORTED', 'AUDIO_CHANNELS_EXCEED_MAX', 'CONTAINER_NOT_SUPPORTED'] },
  { name: 'android tv plays HEVC MKV directly', container: 'mkv', probe: hevcAc3, profile: { profile: 'android-tv' }, method: 'direct', codes: [] },
  { name: 'apple tv remuxes HEVC MKV', container: 'mkv', probe: hevcAc3, profile: { profile: 'apple-tv' }, method: 'remux', codes: ['CONTAINER_NOT_SUPPORTED'] },
  { name: 'apple tv transcodes VP9', container: 'webm', probe: vp9opus, profile: { profile: 'apple-tv' }, method: 'transcode', codes: ['VIDEO_CODEC_NOT_SUPPORTED', 'AUDIO_CODEC_NOT_SUPPORTED', 'CONTAINER_NOT_SUPPORTED'] },
  { name: 'browser plays VP9/Opus WebM', container: 'webm', probe: vp9opus, profile: { profile: 'browser' }, method: 'direct', codes: [] },
  { name: 'HDR to an SDR client needs tone mapping', container: 'mkv', probe: hdr10, profile: { profile: 'android-tv', hdr: 'false' }, method: 'transcode', codes: ['HDR_NOT_SUPPORTED'] },
  { name: 'kodi takes everything', container: 'mkv', probe: hdr10, profile: { profile: 'kodi' }, method: 'direct', codes: [] },
  { name: 'resolution cap', container: 'mp4', probe: h264aac, profile: { maxResolution: '720' }, method: 'transcode', codes: ['RESOLUTION_EXCEEDS_MAX'] },
  { name: 'bitrate cap', container: 'mp4', probe: h264aac, profile: { maxBitrate: '2000000' }, method: 'transcode', codes: ['BITRATE_EXCEEDS_MAX'] },
  { name: 'custom lists override the profile', container: 'mp4', probe: h264aac, profile: { containers: 'mkv', videoCodecs: 'h264', audioCodecs: ['aac'] }, method: 'remux', codes: ['CONTAINER_NOT_SUPPORTED'] },
  { name: 'choosing the DTS track needs audio transcoding', container: 'mp4', probe: twoAudio, profile: { profile: 'browser' }, audioIndex: 2, method: 'remux', codes: ['AUDIO_CODEC_NOT_SUPPORTED', 'AUDIO_CHANNELS_EXCEED_MAX'] },
  { name: 'unprobed files transcode', container: 'mp4', probe: undefined, profile: {}, method: 'transcode', codes: ['NOT_PROBED'] },
];

for (const row of table) {
  t.test(row.name, async (t) => {
    const sut = decidePlayback(row.container, row.probe, resolveCapabilities(row.profile), row.audioIndex);
    t.equal(sut.method, row.method);
    t.same(sut.reasons.map((r) => r.code), row.codes);
    for (const r of sut.reasons) t.ok(r.message.length > 10, 'each reason says why');
  });
}

t.test('HDR decision flags tone mapping; remux copies video', async (t) => {
  t.equal(decidePlayback('mkv', hdr10, resolveCapabilities({ profile: 'browser' })).toneMap, true);
  const remux = decidePlayback('mkv', hevcAc3, resolveCapabilities({ profile: 'apple-tv' }));
  t.same([remux.video, remux.audio], ['copy', 'copy']);
});

t.test('capabilities parsing', async (t) => {
  t.same(parseResolution('1080p'), { maxWidth: 1920, maxHeight: 1080 });
  t.same(parseResolution('1280x720'), { maxWidth: 1280, maxHeight: 720 });
  t.same(parseResolution('4k'), { maxWidth: 3840, maxHeight: 2160 });
  t.throws(() => parseResolution('huge'), { code: 'VALIDATION' });
  t.throws(() => resolveCapabilities({ profile: 'toaster' }), { code: 'VALIDATION' });
  t.throws(() => resolveCapabilities({ maxBitrate: '-3' }), { code: 'VALIDATION' });
  t.throws(() => resolveCapabilities({ hdr: 'maybe' }), { code: 'VALIDATION' });
  const caps = resolveCapabilities({ profile: 'Apple-TV', maxBitrate: 8e6 });
  t.equal(caps.maxBitrate, 8_000_000);
  t.same(caps.videoCodecs, CLIENT_PROFILES['apple-tv'].videoCodecs);
  t.not(caps.videoCodecs, CLIENT_PROFILES['apple-tv'].videoCodecs, 'profiles are copied, never mutated');
});

t.test('containers and content types', async (t) => {
  t.equal(containerOf('a.MKV'), 'mkv');
  t.equal(containerOf('a.m4v'), 'mp4');
  t.equal(containerOf('noext', 'matroska,webm'), 'mkv');
  t.equal(containerOf('noext', 'mov,mp4,m4a'), 'mp4');
  t.equal(containerOf('x.bin', 'mpegts'), 'ts');
  t.equal(contentTypeOf('a.mp4'), 'video/mp4');
  t.equal(contentTypeOf('a.mkv'), 'video/x-matroska');
  t.equal(contentTypeOf('a.webm'), 'video/webm');
  t.equal(contentTypeOf('a.ts'), 'video/mp2t');
  t.equal(contentTypeOf('a.xyz', 'video/x-foo'), 'video/x-foo');
  t.equal(contentTypeOf('a.xyz'), 'application/octet-stream');
});
