/**
 * Generator: a mixed media tree for the full-scan-with-metadata benchmark. A few dozen
 * distinct, real, small files (JPEG with EXIF via sharp, H.264/AAC MP4 and tagged MP3 via
 * ffmpeg) are made once, then HARD-LINKED into `files` names in folders of `perDir`, so
 * 100,000 paths cost the disk a few megabytes. Every path is a complete, valid file that
 * a prober really has to open and parse. Cached by parameters.
 */
import { link, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { cached, mapLimit } from './cache.js';
import { run } from './proc.js';

export interface MediaTreeParams {
  files: number;
  distinct: number;
  perDir: number;
  /** Which kinds to make (default all three, in equal shares). */
  kinds?: readonly Kind[];
}

export interface GeneratedMedia {
  root: string; files: number; byType: Record<'image' | 'video' | 'audio', number>; built: boolean; buildMs: number;
}

export type Kind = 'jpg' | 'mp4' | 'mp3';
const ALL_KINDS: readonly Kind[] = ['jpg', 'mp4', 'mp3'];

async function makeJpeg(path: string, i: number): Promise<void> {
  const width = 1024 + (i % 4) * 128; const height = 768;
  await sharp({ create: { width, height, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 }, noise: { type: 'gaussian', mean: 128, sigma: 25 } } })
    .blur(1.2)
    .withExif({ IFD0: { Make: 'AlcoveBench', Model: `Camera ${i}`, DateTime: `2024:0${1 + (i % 9)}:1${i % 10} 12:00:00`, Software: 'sharp' } })
    .jpeg({ quality: 85 })
    .toFile(path);
}

async function makeMp4(ffmpeg: string, path: string, i: number): Promise<void> {
  await run(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=25:duration=${2 + (i % 3)}`,
    '-f', 'lavfi', '-i', `sine=frequency=${220 + i * 20}:duration=${2 + (i % 3)}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k',
    '-metadata', `title=Clip ${i}`, '-shortest', path,
  ]);
}

async function makeMp3(ffmpeg: string, path: string, i: number): Promise<void> {
  await run(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=${330 + i * 25}:duration=${3 + (i % 4)}`,
    '-c:a', 'libmp3lame', '-b:a', '96k',
    '-metadata', `title=Song ${i}`, '-metadata', `artist=Artist ${i % 5}`, '-metadata', `album=Album ${i % 3}`,
    '-metadata', `track=${1 + i}`, '-metadata', 'genre=Bench', '-metadata', 'date=2024', path,
  ]);
}

export async function generateMediaTree(cacheRoot: string, ffmpeg: string, p: MediaTreeParams): Promise<GeneratedMedia> {
  const KINDS = p.kinds ?? ALL_KINDS;
  const per = Math.max(1, Math.ceil(p.distinct / KINDS.length));
  const { dir, built, buildMs } = await cached(cacheRoot, 'media', { files: p.files, distinct: per * KINDS.length, perDir: p.perDir, kinds: KINDS.join('+') }, async (base) => {
    const src = join(base, 'sources'); const root = join(base, 'tree');
    await mkdir(src); await mkdir(root);
    const sources: { kind: Kind; path: string }[] = [];
    for (const kind of KINDS) for (let i = 0; i < per; i++) sources.push({ kind, path: join(src, `${kind}-${i}.${kind}`) });
    await mapLimit(sources, 2, async (s, n) => {
      const i = n % per;
      if (s.kind === 'jpg') await makeJpeg(s.path, i);
      else if (s.kind === 'mp4') await makeMp4(ffmpeg, s.path, i);
      else await makeMp3(ffmpeg, s.path, i);
    });
    const dirs = Math.ceil(p.files / p.perDir);
    for (let d = 0; d < dirs; d++) await mkdir(join(root, `Set ${String(d).padStart(4, '0')}`));
    const names = Array.from({ length: p.files }, (_, i) => i);
    const label: Record<Kind, string> = { jpg: 'Photo', mp4: 'Clip', mp3: 'Song' };
    await mapLimit(names, 64, async (i) => {
      const s = sources[i % sources.length]!;
      const folder = `Set ${String(Math.floor(i / p.perDir)).padStart(4, '0')}`;
      await link(s.path, join(root, folder, `${label[s.kind]} ${String(i).padStart(6, '0')}.${s.kind}`));
    });
  });
  const byType = { image: 0, video: 0, audio: 0 };
  for (let i = 0; i < p.files; i++) {
    const k = KINDS[Math.floor((i % (per * KINDS.length)) / per)]!;
    byType[k === 'jpg' ? 'image' : k === 'mp4' ? 'video' : 'audio']++;
  }
  return { root: join(dir, 'tree'), files: p.files, byType, built, buildMs };
}
