/**
 * Generated media fixtures for tests (never downloaded): tiny clips made with the system
 * ffmpeg's lavfi sources (testsrc2, sine) and images made with sharp. The whole set takes
 * a few seconds on 2 cores; it is generated once per process per directory.
 *
 * Known values (tests assert against these constants, not against hard-coded literals):
 * see FIXTURE_FACTS.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export const FFMPEG = process.env.ALCOVE_TEST_FFMPEG ?? '/usr/bin/ffmpeg';

export interface MediaFixtures {
  dir: string;
  /** 640x480 JPEG with Make/Model, no orientation. */
  jpeg: string;
  /** 400x300 stored pixels, EXIF orientation 6 (displays 300x400), DateTimeOriginal + offset, GPS. */
  jpegRotated: string;
  png: string;
  webp: string;
  /** H.264/AAC, 4 s, 320x240, 10 fps. */
  mp4: string;
  /** H.264, 1 s: too short for the 2 s thumbnail seek. */
  mp4Short: string;
  /** HEVC/AC-3 in Matroska, 4 s. */
  mkvHevc: string;
  /** VP9/Opus in WebM, 4 s. */
  webm: string;
  /** H.264 + AAC eng (default) + AAC fra + mov_text subtitle (eng). */
  mp4TwoAudioWithSubs: string;
  /** 10-bit HEVC tagged HDR10 (bt2020/smpte2084) in Matroska. */
  tenBit: string;
  /** MP3 with ID3 tags and an embedded JPEG cover. */
  mp3WithTags: string;
  /** MP3 without a cover. */
  mp3NoCover: string;
  flac: string;
  m4a: string;
  /** Random bytes named .mp4. */
  brokenMp4: string;
}

/** The values the generators write, for assertions. */
export const FIXTURE_FACTS = {
  jpeg: { width: 640, height: 480, make: 'AlcoveCam', model: 'Model One' },
  jpegRotated: {
    storedWidth: 400, storedHeight: 300, orientation: 6,
    dateTimeOriginal: '2021:06:15 13:45:30', offset: '+02:00',
    takenAt: Date.UTC(2021, 5, 15, 11, 45, 30), lat: 48.8582, lon: 2.294444,
  },
  png: { width: 200, height: 100 },
  webp: { width: 300, height: 200 },
  video: { width: 320, height: 240, durationMs: 4000, fps: 10 },
  short: { durationMs: 1000 },
  tags: {
    title: 'Test Tone', artist: 'Alcove Band', albumArtist: 'Alcove Various', album: 'Fixtures Vol. 1',
    track: 3, disc: 1, year: 2020, genre: 'Ambient',
  },
  audioDurationMs: 3000,
  sampleRate: 44100,
} as const;

const cache = new Map<string, Promise<MediaFixtures>>();

/** Generate (once per process per dir) the fixture set into `dir`. */
export function makeMediaFixtures(dir: string): Promise<MediaFixtures> {
  let p = cache.get(dir);
  if (!p) {
    p = generate(dir);
    p.catch(() => cache.delete(dir));
    cache.set(dir, p);
  }
  return p;
}

const ENCODER_PACKAGES: Record<string, string> = {
  libx264: 'libavcodec59 built with libx264 (Debian package ffmpeg)',
  libx265: 'libavcodec59 built with libx265 (Debian package ffmpeg)',
  'libvpx-vp9': 'libvpx7 (Debian package ffmpeg)',
  libopus: 'libopus0 (Debian package ffmpeg)',
  libmp3lame: 'libmp3lame0 (Debian package ffmpeg)',
};

let encodersChecked: Promise<void> | undefined;
async function checkEncoders(): Promise<void> {
  let out: string;
  try {
    out = (await run(FFMPEG, ['-hide_banner', '-encoders'], { maxBuffer: 8 << 20 })).stdout;
  } catch (err) {
    throw new Error(`media fixtures need ffmpeg at ${FFMPEG}: install it with "apt-get install -y ffmpeg" (${(err as Error).message})`);
  }
  const missing = Object.keys(ENCODER_PACKAGES).filter((e) => !new RegExp(`\\s${e}\\s`).test(out));
  if (missing.length) {
    throw new Error(`ffmpeg at ${FFMPEG} lacks encoders ${missing.join(', ')}: install ${missing.map((m) => ENCODER_PACKAGES[m]).join('; ')}`);
  }
}

async function ff(args: string[]): Promise<void> {
  try {
    await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 8 << 20 });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`ffmpeg fixture failed: ${args.join(' ')}\n${e.stderr ?? e.message}`);
  }
}

const V = FIXTURE_FACTS.video;
const testsrc = (seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${V.width}x${V.height}:rate=${V.fps}:duration=${seconds}`];
const sine = (seconds: number, freq = 440) => ['-f', 'lavfi', '-i', `sine=frequency=${freq}:sample_rate=${FIXTURE_FACTS.sampleRate}:duration=${seconds}`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10'];

async function generate(dir: string): Promise<MediaFixtures> {
  await mkdir(dir, { recursive: true });
  encodersChecked ??= checkEncoders();
  await encodersChecked;
  const p = (name: string) => join(dir, name);
  const f: MediaFixtures = {
    dir,
    jpeg: p('photo.jpg'), jpegRotated: p('rotated.jpg'), png: p('image.png'), webp: p('image.webp'),
    mp4: p('clip.mp4'), mp4Short: p('short.mp4'), mkvHevc: p('hevc.mkv'), webm: p('clip.webm'),
    mp4TwoAudioWithSubs: p('multi.mp4'), tenBit: p('hdr10.mkv'), mp3WithTags: p('tagged.mp3'),
    mp3NoCover: p('plain.mp3'), flac: p('tone.flac'), m4a: p('tone.m4a'), brokenMp4: p('broken.mp4'),
  };
  const T = FIXTURE_FACTS.tags;
  const R = FIXTURE_FACTS.jpegRotated;
  const tagArgs = [
    '-metadata', `title=${T.title}`, '-metadata', `artist=${T.artist}`, '-metadata', `album_artist=${T.albumArtist}`,
    '-metadata', `album=${T.album}`, '-metadata', `track=${T.track}/10`, '-metadata', `disc=${T.disc}/1`,
    '-metadata', `date=${T.year}`, '-metadata', `genre=${T.genre}`,
  ];
  const cover = p('cover.jpg');
  const srt = p('subs.srt');
  const secs = V.durationMs / 1000;
  const aSecs = FIXTURE_FACTS.audioDurationMs / 1000;

  const images = async () => {
    const gradient = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 40, g: 120, b: 200 } } });
    await gradient(FIXTURE_FACTS.jpeg.width, FIXTURE_FACTS.jpeg.height).jpeg()
      .withExif({ IFD0: { Make: FIXTURE_FACTS.jpeg.make, Model: FIXTURE_FACTS.jpeg.model } }).toFile(f.jpeg);
    await gradient(R.storedWidth, R.storedHeight).jpeg()
      .withExif({
        IFD0: { Make: FIXTURE_FACTS.jpeg.make, Model: FIXTURE_FACTS.jpeg.model },
        IFD2: { DateTimeOriginal: R.dateTimeOriginal, OffsetTimeOriginal: R.offset },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2952/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4000/100' },
      })
      .withMetadata({ orientation: R.orientation }).toFile(f.jpegRotated);
    await gradient(FIXTURE_FACTS.png.width, FIXTURE_FACTS.png.height).png().toFile(f.png);
    await gradient(FIXTURE_FACTS.webp.width, FIXTURE_FACTS.webp.height).webp().toFile(f.webp);
    await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 250, g: 200, b: 0 } } }).jpeg().toFile(cover);
    await writeFile(srt, '1\n00:00:00,500 --> 00:00:02,000\nHello\n\n2\n00:00:02,500 --> 00:00:03,500\nWorld\n');
    await writeFile(f.brokenMp4, Buffer.from('this is not an mp4 file at all, just some bytes'.repeat(40)));
  };

  // Two lanes keep both cores busy without oversubscribing.
  const laneA = async () => {
    await ff([...testsrc(secs), ...sine(secs), ...x264, '-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart', f.mp4]);
    await ff([...testsrc(1), ...x264, f.mp4Short]);
    await ff([...testsrc(secs), ...sine(secs), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k',
      '-c:a', 'libopus', '-b:a', '48k', '-shortest', f.webm]);
    await ff([...sine(aSecs), '-c:a', 'flac', ...tagArgs, f.flac]);
    await ff([...sine(aSecs), '-c:a', 'aac', '-b:a', '96k', ...tagArgs, f.m4a]);
  };
  const laneB = async () => {
    await images();
    await ff([...testsrc(secs), ...sine(secs), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error',
      '-c:a', 'ac3', '-b:a', '96k', '-shortest', f.mkvHevc]);
    await ff([...testsrc(secs), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error',
      '-pix_fmt', 'yuv420p10le', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', f.tenBit]);
    await ff([...testsrc(secs), ...sine(secs, 440), ...sine(secs, 880), '-i', srt,
      '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', ...x264, '-c:a', 'aac', '-b:a', '48k', '-c:s', 'mov_text',
      // MP4 keeps a track title as its handler name.
      '-metadata:s:a:0', 'language=eng', '-metadata:s:a:0', 'handler_name=English Stereo',
      '-metadata:s:a:1', 'language=fra', '-metadata:s:a:1', 'handler_name=Francais',
      '-metadata:s:s:0', 'language=eng', '-disposition:a:0', 'default', '-disposition:a:1', '0', f.mp4TwoAudioWithSubs]);
    await ff([...sine(aSecs), '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '64k', '-c:v', 'copy',
      '-id3v2_version', '3', '-metadata:s:v', 'title=Album cover', '-metadata:s:v', 'comment=Cover (front)', ...tagArgs, f.mp3WithTags]);
    await ff([...sine(aSecs), '-c:a', 'libmp3lame', '-b:a', '64k', ...tagArgs, f.mp3NoCover]);
  };
  await Promise.all([laneA(), laneB()]);
  return f;
}
