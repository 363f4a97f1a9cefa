/**
 * Segment plans, playlists and the HLS ffmpeg command line (pure parts of the transcoder).
 */
import t from 'tap';
import { eventPlaylist, parseSegmentCsvLine, parseSegmentName, planBoundaries, segmentAt, vodPlaylist } from '../../daemon/media/transcode/segment-plan.js';
import { buildHlsArgs, escapeFilterValue } from '../../daemon/media/transcode/hls-args.js';
import { fitSize, planOutput } from '../../daemon/services/playback/transcode-request.js';

t.test('segment plans: short first segments, then the target', async (t) => {
  t.same(planBoundaries(20, 4), [0, 1, 2, 4, 8, 12, 16, 20]);
  t.same(planBoundaries(10.5, 4), [0, 1, 2, 4, 8, 10.5]);
  t.same(planBoundaries(8.1, 4), [0, 1, 2, 4, 8.1]);
  t.same(planBoundaries(0.8, 4), [0, 0.8]);
  t.same(planBoundaries(7, 2), [0, 1, 2, 4, 6, 7]);
  t.same(planBoundaries(5, 1), [0, 1, 2, 3, 4, 5]);
  for (const [d, s] of [[7200.04, 4], [3.3, 6], [61, 10]] as const) {
    const b = planBoundaries(d, s);
    t.equal(b[b.length - 1], d, 'ends at the duration');
    t.ok(b.every((x, i) => i === 0 || x > b[i - 1]), 'increasing');
    t.ok(b.slice(1).every((x, i) => x - b[i] <= s + 0.25), 'no segment longer than the target (plus a merged sliver)');
  }
  const b = planBoundaries(20, 4);
  t.equal(segmentAt(b, 0), 0);
  t.equal(segmentAt(b, 3.9), 2);
  t.equal(segmentAt(b, 9), 4);
  t.equal(segmentAt(b, 99), 6);
});

t.test('playlists', async (t) => {
  const b = planBoundaries(10.5, 4);
  const vod = vodPlaylist(b, 'token=abc');
  const lines = vod.split('\n');
  t.equal(lines[0], '#EXTM3U');
  t.ok(lines.includes('#EXT-X-PLAYLIST-TYPE:VOD') && lines.includes('#EXT-X-ENDLIST'));
  t.ok(lines.includes('#EXT-X-TARGETDURATION:4'));
  const durations = lines.filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8, -1)));
  t.equal(Math.round(durations.reduce((a, x) => a + x, 0) * 1000), 10_500, 'durations add up');
  t.same(lines.filter((l) => l.startsWith('seg-')), ['seg-0.ts?token=abc', 'seg-1.ts?token=abc', 'seg-2.ts?token=abc', 'seg-3.ts?token=abc', 'seg-4.ts?token=abc']);
  const ev = eventPlaylist([{ n: 0, durationSec: 4.2 }, { n: 1, durationSec: 3.9 }], false, 4);
  t.match(ev, /#EXT-X-PLAYLIST-TYPE:EVENT/);
  t.match(ev, /#EXT-X-TARGETDURATION:5/);
  t.notMatch(ev, /ENDLIST/);
  t.match(eventPlaylist([], true, 4), /#EXT-X-ENDLIST/);
  t.equal(parseSegmentName('seg-12.ts'), 12);
  for (const bad of ['seg-1.ts/../x', '../seg-1.ts', 'seg-.ts', 'seg-1.mp4', 'list.csv']) t.equal(parseSegmentName(bad), undefined, bad);
  t.same(parseSegmentCsvLine('seg-3.ts,4.000000,8.000000'), { n: 3, start: 4, end: 8 });
  t.equal(parseSegmentCsvLine('garbage'), undefined);
});

t.test('ffmpeg command line of a run', async (t) => {
  const sut = buildHlsArgs({
    input: '/m/a.mkv', startSec: 8, startNumber: 4, cutTimes: [12, 16], segmentSeconds: 4, videoStream: 0, audioStream: 2,
    video: { mode: 'transcode', encode: { input: [], filter: 'scale=1280:720,format=yuv420p', encoder: ['-c:v', 'libx264'] } },
    audio: { mode: 'transcode', channels: 2, bitrate: 160_000 }, segmentPattern: '/t/seg-%d.ts', listPath: '/t/list-1.csv',
  }).join(' ');
  t.match(sut, /-analyzeduration 1000000 -probesize 2000000/, 'short analysis: the file is already probed');
  t.match(sut, /-ss 8 -copyts -start_at_zero -i \/m\/a\.mkv -map 0:0 -map 0:2 /, 'input seek, source timestamps, chosen tracks');
  t.match(sut, /-force_key_frames 12,16 .*-segment_times 12,16/, 'keyframes where the muxer cuts');
  t.match(sut, /-segment_start_number 4 /);
  t.match(sut, /-c:a aac -ac 2 -b:a 160k/);
  t.match(sut, /-segment_list \/t\/list-1\.csv -segment_list_type csv \/t\/seg-%d\.ts$/);
  const copy = buildHlsArgs({
    input: 'http://127.0.0.1:1/x', startSec: 0, startNumber: 0, cutTimes: [], segmentSeconds: 4, videoStream: 0, audioStream: 1,
    video: { mode: 'copy' }, audio: { mode: 'copy' }, segmentPattern: 's-%d.ts', listPath: 'l.csv',
  }).join(' ');
  t.match(copy, /-c:v copy -c:a copy .*-segment_time 4 /);
  t.notMatch(copy, /-ss /);
  t.equal(escapeFilterValue("/a b/it's:x,y[1].srt"), "/a b/it\\\\\\'s\\\\:x\\,y\\[1\\].srt");
});

t.test('output size and bitrate', async (t) => {
  t.same(fitSize(1920, 1080, 1280, 720), { width: 1280, height: 720 });
  t.same(fitSize(1920, 800, 1280, 720), { width: 1280, height: 534 });
  t.same(fitSize(640, 480, 1920, 1080), { width: 640, height: 480 });
  t.same(fitSize(1441, 1081), { width: 1442, height: 1082 }, 'even sizes');
  const p = planOutput({ video: [{ index: 0, codec: 'h264', width: 3840, height: 2160 }], audio: [{ index: 1, codec: 'ac3', channels: 6 }] }, { maxBitrate: 3_000_000 });
  t.same([p.width, p.height], [1920, 1080], 'transcodes default to at most 1080p');
  t.equal(p.audioChannels, 2, 'stereo unless the client takes more');
  t.equal(p.videoBitrate, 3_000_000 - 160_000, 'bitrate cap leaves room for audio');
});
