/**
 * Thumbnail renderers: images (sharp), video frames (ffmpeg), audio covers
 * (music-metadata + sharp), and the folder grid. They return encoded bytes; caching and
 * single-flight live in ThumbnailService.
 */
import type { Readable } from 'node:stream';
import type { Sharp } from 'sharp';
import { loadMusicMetadata, loadSharp } from './lazy-modules.js';
import { NotFoundError } from '../domain/errors.js';
import type { ProbeSource } from '../domain/ports.js';
import { openReadable } from './source-read.js';
import { lastLine, runTool } from './tool-process.js';

export type ThumbFormat = 'jpeg' | 'webp' | 'png';

export const CONTENT_TYPES: Record<ThumbFormat, string> = {
  jpeg: 'image/jpeg', webp: 'image/webp', png: 'image/png',
};

export interface EncodeOptions { width: number; format: ThumbFormat; quality: number }

/** Orient, bound to width x width (never enlarge), encode. Shrink-on-load stays on. */
function pipelineFor(img: Sharp, o: EncodeOptions): Sharp {
  const p = img.rotate().resize({ width: o.width, height: o.width, fit: 'inside', withoutEnlargement: true });
  if (o.format === 'webp') return p.webp({ quality: o.quality });
  if (o.format === 'png') return p.png();
  return p.jpeg({ quality: o.quality, mozjpeg: false });
}

/** Encode an image given as a path or bytes. */
export async function renderImage(input: string | Buffer, o: EncodeOptions): Promise<Buffer> {
  const sharp = await loadSharp();
  return pipelineFor(sharp(input, { failOn: 'none' }), o).toBuffer();
}

/** Encode an image read from a stream (remote roots): piped, never fully buffered raw. */
export async function renderImageStream(stream: Readable, o: EncodeOptions): Promise<Buffer> {
  // An error the stream emits while sharp loads is kept, not lost (nor unhandled).
  let early: unknown;
  const onEarly = (err: unknown): void => { early = err; };
  stream.on('error', onEarly);
  const sharp = await loadSharp();
  stream.off('error', onEarly);
  if (early) { stream.destroy(); throw early; }
  const transformer = pipelineFor(sharp({ failOn: 'none' }), o);
  stream.on('error', (err) => transformer.destroy(err));
  stream.pipe(transformer);
  try {
    return await transformer.toBuffer();
  } finally {
    stream.destroy();
  }
}

export interface VideoFrameOptions {
  ffmpegPath: string;
  width: number;
  durationMs?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Grab one frame as PNG bytes, scaled to fit width x width. Seeks are input seeks (before
 * -i: fast, keyframe-based). Tries 2 s, then 10% of the duration, then the first frame;
 * ffmpeg exits 0 with no output when the seek lands past the end, so an empty result
 * means "try the next position". Returns the frame and the position used.
 */
export async function grabVideoFrame(source: ProbeSource, o: VideoFrameOptions): Promise<{ frame: Buffer; atSec: number }> {
  const positions: number[] = [];
  if (o.durationMs === undefined || o.durationMs > 2500) positions.push(2);
  if (o.durationMs !== undefined && o.durationMs > 0) positions.push(Math.round(o.durationMs / 100) / 100);
  positions.push(0);
  const tried = new Set<number>();
  let lastError = 'no frame';
  for (const at of positions) {
    if (tried.has(at)) continue;
    tried.add(at);
    const input = source.localPath ? `file:${source.localPath}` : 'pipe:0';
    const args = ['-v', 'error', '-hide_banner'];
    // -nostdin keeps ffmpeg off the terminal; when stdin is our input it must stay on.
    if (source.localPath) args.push('-nostdin');
    if (at > 0) args.push('-ss', String(at));
    const w = Math.max(1, Math.round(o.width));
    args.push('-i', input, '-map', '0:v:0', '-an', '-sn', '-frames:v', '1',
      '-vf', `scale=w='min(${w},iw)':h='min(${w},ih)':force_original_aspect_ratio=decrease`,
      '-f', 'image2pipe', '-c:v', 'png', 'pipe:1');
    const stdin = source.localPath ? undefined : await openReadable(source, 0, undefined, o.signal);
    const res = await runTool(o.ffmpegPath, args, { timeoutMs: o.timeoutMs, signal: o.signal, stdin, maxStdout: 64 << 20 });
    if (res.code === 0 && res.stdout.length > 0) return { frame: res.stdout, atSec: at };
    lastError = lastLine(res.stderr).replace(input, '').replace(/^:\s*/, '') || `exit code ${res.code}`;
  }
  throw new Error(`ffmpeg: ${lastError}`);
}

/** The embedded cover of an audio file (front cover preferred), or NotFoundError. */
export async function extractCover(source: ProbeSource, signal?: AbortSignal): Promise<Buffer> {
  const options = { duration: false, skipCovers: false, skipPostHeaders: true };
  const { parseFile, parseStream, selectCover } = await loadMusicMetadata();
  let meta;
  if (source.localPath) {
    meta = await parseFile(source.localPath, options);
  } else {
    const stream = await openReadable(source, 0, undefined, signal);
    try {
      meta = await parseStream(stream, { size: source.size, path: source.name }, options);
    } finally {
      stream.destroy();
    }
  }
  const cover = selectCover(meta.common.picture);
  if (!cover) throw new NotFoundError('no cover art', 'NO_THUMBNAIL');
  return Buffer.from(cover.data);
}

/**
 * A size x size PNG with up to four images in a 2x2 grid (Media Viewer folder
 * thumbnails). Each image is cropped to fill its cell; missing cells stay transparent.
 */
export async function composeFolderGrid(images: Buffer[], size: number): Promise<Buffer> {
  const cell = Math.max(1, Math.floor(size / 2));
  const sharp = await loadSharp();
  const tiles = await Promise.all(images.slice(0, 4).map((img) =>
    sharp(img, { failOn: 'none' }).rotate().resize(cell, cell, { fit: 'cover' }).png().toBuffer()));
  return sharp({ create: { width: size, height: size, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 2) * cell, top: Math.floor(i / 2) * cell })))
    .png()
    .toBuffer();
}
