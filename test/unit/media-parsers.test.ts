import t from 'tap';
import { bitDepth, containerName, hdrKind, mapFfprobe, type FfprobeOutput } from '../../daemon/media/ffprobe-map.js';
import { exifDate } from '../../daemon/media/image-probe.js';
import { codecName } from '../../daemon/media/audio-probe.js';
import { parseVersion } from '../../daemon/media/tools.js';
import { lastLine } from '../../daemon/media/tool-process.js';

t.test('containerName picks the family member matching the extension', async (t) => {
  const table: [string | undefined, string, string | undefined][] = [
    ['mov,mp4,m4a,3gp,3g2,mj2', 'a.mp4', 'mp4'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'a.MOV', 'mov'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'a.m4b', 'm4a'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'noext', 'mp4'],
    ['matroska,webm', 'a.mkv', 'mkv'],
    ['matroska,webm', 'a.webm', 'webm'],
    ['mpegts', 'a.m2ts', 'ts'],
    ['avi', 'a.avi', 'avi'],
    ['asf', 'a.wmv', 'asf'],
    [undefined, 'a.mp4', undefined],
  ];
  for (const [format, name, want] of table) t.equal(containerName(format, name), want, `${format} ${name}`);
});

t.test('bitDepth from bits_per_raw_sample, else from pix_fmt', async (t) => {
  const table: [Parameters<typeof bitDepth>[0], number | undefined][] = [
    [{ bits_per_raw_sample: '10', pix_fmt: 'yuv420p' }, 10],
    [{ pix_fmt: 'yuv420p10le' }, 10],
    [{ pix_fmt: 'yuv420p12be' }, 12],
    [{ pix_fmt: 'p010le' }, 10],
    [{ pix_fmt: 'yuv420p' }, 8],
    [{ pix_fmt: 'yuvj422p' }, 8],
    [{ pix_fmt: 'nv12' }, 8],
    [{}, undefined],
  ];
  for (const [s, want] of table) t.equal(bitDepth(s), want, JSON.stringify(s));
});

t.test('hdrKind: transfer functions and Dolby Vision', async (t) => {
  const table: [Parameters<typeof hdrKind>[0], string | undefined][] = [
    [{ color_transfer: 'smpte2084' }, 'hdr10'],
    [{ color_transfer: 'arib-std-b67' }, 'hlg'],
    [{ color_transfer: 'bt709' }, undefined],
    [{ color_transfer: 'smpte2084', side_data_list: [{ side_data_type: 'DOVI configuration record' }] }, 'dolby-vision'],
    [{ codec_tag_string: 'dvh1' }, 'dolby-vision'],
    [{ color_transfer: 'smpte2084', side_data_list: [{ side_data_type: 'HDR Dynamic Metadata SMPTE2094-40 (HDR10+)' }] }, 'hdr10+'],
    [{}, undefined],
  ];
  for (const [s, want] of table) t.equal(hdrKind(s), want, JSON.stringify(s));
});

t.test('mapFfprobe maps a recorded multi-stream probe', async (t) => {
  // Shaped like ffprobe 5.1 output for a Blu-ray remux (trimmed to the fields we read).
  const data: FfprobeOutput = {
    format: { format_name: 'matroska,webm', duration: '5400.123000', bit_rate: '25000000', tags: { creation_time: '2019-03-04T05:06:07.000000Z' } },
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'hevc', profile: 'Main 10', width: 3840, height: 2160, pix_fmt: 'yuv420p10le',
        avg_frame_rate: '24000/1001', r_frame_rate: '24000/1001', color_transfer: 'smpte2084', disposition: { default: 1 },
        side_data_list: [{ side_data_type: 'DOVI configuration record' }] },
      { index: 1, codec_type: 'audio', codec_name: 'truehd', channels: 8, channel_layout: '7.1', sample_rate: '48000',
        tags: { language: 'eng', title: 'Atmos' }, disposition: { default: 1 } },
      { index: 2, codec_type: 'audio', codec_name: 'ac3', channels: 6, channel_layout: '5.1(side)', sample_rate: '48000', bit_rate: '640000',
        tags: { LANGUAGE: 'ger' }, disposition: { default: 0 } },
      { index: 3, codec_type: 'subtitle', codec_name: 'hdmv_pgs_subtitle', tags: { language: 'eng' }, disposition: { default: 0, forced: 1 } },
      { index: 4, codec_type: 'subtitle', codec_name: 'subrip', tags: { language: 'und', title: 'SDH' }, disposition: { default: 1 } },
      { index: 5, codec_type: 'video', codec_name: 'mjpeg', width: 600, height: 900, disposition: { attached_pic: 1 } },
      { index: 6, codec_type: 'attachment', codec_name: 'ttf' },
    ],
  };
  const sut = mapFfprobe(data, 'Movie.2019.mkv');
  t.equal(sut.prober, 'ffprobe');
  t.equal(sut.container, 'mkv');
  t.equal(sut.durationMs, 5400123);
  t.equal(sut.bitRate, 25000000);
  t.equal(sut.takenAt, Date.parse('2019-03-04T05:06:07Z'));
  t.equal(sut.width, 3840);
  t.equal(sut.height, 2160);
  t.equal(sut.hasCoverArt, true, 'attached picture counts as cover art, not as a video stream');
  t.equal(sut.video?.length, 1);
  t.match(sut.video?.[0], { codec: 'hevc', profile: 'Main 10', bitDepth: 10, hdr: 'dolby-vision', default: true });
  t.equal(sut.video?.[0].frameRate, 23.976);
  t.same(sut.audio?.map((a) => [a.codec, a.channels, a.channelLayout, a.language, a.title, a.default]), [
    ['truehd', 8, '7.1', 'eng', 'Atmos', true],
    ['ac3', 6, '5.1(side)', 'ger', undefined, undefined],
  ]);
  t.same(sut.subtitles, [
    { index: 3, codec: 'hdmv_pgs_subtitle', text: false, language: 'eng', forced: true },
    { index: 4, codec: 'subrip', text: true, title: 'SDH', default: true },
  ]);
});

t.test('mapFfprobe: audio-only files get tags; durations fall back to streams', async (t) => {
  const sut = mapFfprobe({
    format: { format_name: 'ogg', tags: { TITLE: 'Song', ARTIST: 'Band', album_artist: 'VA', ALBUM: 'LP', track: '7/12', disc: '2', date: '1999-05-01', genre: 'Rock;Pop' } },
    streams: [{ index: 0, codec_type: 'audio', codec_name: 'vorbis', channels: 2, sample_rate: '44100', duration: '181.5' }],
  }, 'song.ogg');
  t.equal(sut.container, 'ogg');
  t.equal(sut.durationMs, 181500);
  t.same(sut.tags, { title: 'Song', artist: 'Band', albumArtist: 'VA', album: 'LP', track: 7, disc: 2, year: 1999, genre: ['Rock', 'Pop'] });
  t.equal(sut.video, undefined);
  const epoch = mapFfprobe({ format: { format_name: 'mov,mp4', tags: { creation_time: '1970-01-01T00:00:00Z' } }, streams: [] }, 'x.mp4');
  t.equal(epoch.takenAt, undefined, 'muxer epoch placeholders are not dates');
});

t.test('exifDate honours offsets and treats zone-less times as floating (UTC)', async (t) => {
  const table: [unknown, unknown, number | undefined][] = [
    ['2021:06:15 13:45:30', undefined, Date.UTC(2021, 5, 15, 13, 45, 30)],
    ['2021:06:15 13:45:30', '+02:00', Date.UTC(2021, 5, 15, 11, 45, 30)],
    ['2021:06:15 13:45:30', '-0530', Date.UTC(2021, 5, 15, 19, 15, 30)],
    ['2021:06:15 13:45:30.25', undefined, Date.UTC(2021, 5, 15, 13, 45, 30, 250)],
    ['2021-06-15T13:45:30', undefined, Date.UTC(2021, 5, 15, 13, 45, 30)],
    ['0000:00:00 00:00:00', undefined, undefined],
    ['garbage', undefined, undefined],
    [12345, undefined, undefined],
  ];
  for (const [v, o, want] of table) t.equal(exifDate(v, o), want, `${String(v)} ${String(o)}`);
});

t.test('codecName maps music-metadata names to ffmpeg names', async (t) => {
  const table: [string | undefined, string][] = [
    ['MPEG 1 Layer 3', 'mp3'], ['MPEG 2 Layer 2', 'mp2'], ['MPEG-4/AAC', 'aac'], ['FLAC', 'flac'], ['ALAC', 'alac'],
    ['Opus', 'opus'], ['Vorbis I', 'vorbis'], ['AC-3', 'ac3'], ['E-AC-3', 'eac3'], ['Windows Media Audio 9', 'wmav2'],
    ['PCM', 'pcm'], ['WavPack', 'wavpack'], ["Monkey's Audio", 'ape'], ['DSD', 'dsd'], ['Something', 'something'], [undefined, 'unknown'],
  ];
  for (const [c, want] of table) t.equal(codecName(c), want, String(c));
});

t.test('parseVersion and lastLine', async (t) => {
  t.equal(parseVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026'), '5.1.9-0+deb12u1');
  t.equal(parseVersion('ffprobe version N-66595-gc2b38619c0-static https://johnvansickle.com/'), 'N-66595-gc2b38619c0-static');
  t.equal(parseVersion('nonsense'), 'unknown');
  t.equal(lastLine('first\n  second line  \n\n'), 'second line');
  t.equal(lastLine(''), '');
});
