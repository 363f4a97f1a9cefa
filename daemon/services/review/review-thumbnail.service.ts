/**
 * Media Reviewer thumbnails (GET /api/media-thumbnail), cached in the freedesktop layout
 * inside each review folder (freedesktop.ts), written and read through the review
 * location's StorageAdapter:
 *
 *   request(size) -> bucket (128/256/512/1024) -> <review>/.thumbnails/<bucket>/<md5>.png
 *     fresh  = the cached file's mtime equals the source's (the writer sets it so)
 *     stale/missing -> render (sharp / ffmpeg frame) at the bucket size, add Thumb::URI and
 *     Thumb::MTime, write atomically with mtime = source mtime
 *   size == bucket size -> the cached file is served as is; else it is scaled down in memory.
 *
 * A failed render (ffmpeg missing, broken file) answers a labelled placeholder that is never
 * cached, so the next request retries. Generations are single-flight per cache file and run
 * on a limiter where requests (priority 10) overtake warm-up work (priority 0).
 */
import { availableParallelism } from 'node:os';
import { loadSharp } from '../../media/lazy-modules.js';
import type { Logger } from '../../log/logger.js';
import { createLimiter, type Limiter } from '../../jobs/limiter.js';
import { grabVideoFrame, renderImage, renderImageStream } from '../../media/thumbnail-render.js';
import { StorageError, type StorageAdapter, type StorageEntry } from '../../../storage-adapters/types.js';
import { BUCKETS, addPngText, bucketFor, fileUri, pathFromFileUri, readPngText, thumbRelPath, THUMB_DIR, type Bucket } from './freedesktop.js';
import { reviewMediaType, type ReviewMediaType } from './review-media.js';
import { joinAbs, probeSource } from './review-listing.service.js';
import type { ReviewLocation } from './review-paths.service.js';

export interface ThumbnailOptions {
  /** ffmpeg binary for video frames; undefined = placeholders for videos. */
  ffmpegPath?: string;
  logger: Logger;
  /** Renders at once (default: CPU count). */
  concurrency?: number;
  /** Per-video ffmpeg deadline (default 30 s). */
  timeoutMs?: number;
}

/** What the route sends: a cached file (sendFile, ranges/304) or bytes made for this request. */
export type ThumbnailAnswer =
  | { kind: 'file'; size: number; mtimeMs: number; open: (start: number, end: number, signal: AbortSignal) => Promise<import('node:stream').Readable> }
  | { kind: 'bytes'; png: Buffer; placeholder: boolean };

export const REQUEST_PRIORITY = 10;

export class ReviewThumbnailService {
  readonly stats = { generated: 0, hits: 0, placeholders: 0, failed: 0, pruned: 0 };
  readonly limiter: Limiter;
  private readonly flights = new Map<string, Promise<boolean>>();
  private readonly log: Logger;

  constructor(private readonly options: ThumbnailOptions) {
    this.limiter = createLimiter(options.concurrency ?? Math.max(1, availableParallelism()));
    this.log = options.logger.child({ component: 'review-thumbnails' });
  }

  /** The thumbnail of `rel` (a file of `owner`) at `size` px (1..1024). */
  async get(owner: ReviewLocation, rel: string, entry: StorageEntry, size: number, signal?: AbortSignal): Promise<ThumbnailAnswer> {
    const bucket = bucketFor(size);
    const ok = await this.ensure(owner, rel, entry, bucket, REQUEST_PRIORITY, signal);
    const mediaType = reviewMediaType(entry.name);
    if (!ok) return { kind: 'bytes', png: await placeholder(size, mediaType, entry.name), placeholder: true };
    const trel = thumbRelPath(joinAbs(owner.path, rel), bucket);
    const thumb = await owner.adapter.stat(trel);
    if (size === bucket.size) {
      return { kind: 'file', size: thumb.size, mtimeMs: thumb.mtimeMs, open: (start, end, s) => owner.adapter.createReadStream(trel, { start, end, signal: s }) };
    }
    const cached = await readAll(owner.adapter, trel, signal);
    const sharp = await loadSharp();
    const png = await sharp(cached).resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    return { kind: 'bytes', png, placeholder: false };
  }

  /**
   * Makes sure a fresh cached thumbnail exists in `bucket`. Resolves false when rendering
   * failed (nothing cached: the caller answers a placeholder and a later call retries).
   */
  async ensure(owner: ReviewLocation, rel: string, entry: StorageEntry, bucket: Bucket, priority: number, signal?: AbortSignal): Promise<boolean> {
    const abs = joinAbs(owner.path, rel);
    const trel = thumbRelPath(abs, bucket);
    if (await isFresh(owner.adapter, trel, entry.mtimeMs)) {
      this.stats.hits++;
      return true;
    }
    const key = `${owner.path}\0${trel}`;
    let flight = this.flights.get(key);
    if (!flight) {
      // Not tied to one caller's signal: a second waiter must not lose the work when the first leaves.
      flight = this.limiter.run(() => this.generate(owner.adapter, rel, abs, entry, bucket), { priority })
        .finally(() => this.flights.delete(key));
      this.flights.set(key, flight);
    }
    if (!signal) return flight;
    signal.throwIfAborted();
    const shared = flight;
    // The listener is removed when the flight settles: a 100,000-file warm-up shares one signal.
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      shared.then(
        (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
        (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
      );
    });
  }

  /** Deletes every bucket's thumbnail of one file (after the file was deleted). */
  async remove(owner: ReviewLocation, abs: string): Promise<void> {
    for (const bucket of BUCKETS) {
      await owner.adapter.delete(thumbRelPath(abs, bucket)).catch((err: unknown) => {
        if (!(err instanceof StorageError && err.code === 'NOT_FOUND')) throw err;
      });
    }
  }

  /**
   * Deletes cached thumbnails whose source (Thumb::URI) is gone. Thumbnails naming a path
   * outside this review folder are left alone. Returns how many were deleted.
   */
  async pruneOrphans(owner: ReviewLocation, signal?: AbortSignal): Promise<number> {
    let pruned = 0;
    for (const bucket of BUCKETS) {
      const dir = `${THUMB_DIR}/${bucket.name}`;
      const entries = await owner.adapter.list(dir, signal).catch(() => [] as StorageEntry[]);
      for (const e of entries) {
        signal?.throwIfAborted();
        if (e.type !== 'file' || !e.name.endsWith('.png')) continue;
        const head = await readAll(owner.adapter, e.path, signal, 4095).catch(() => undefined);
        const src = head && pathFromFileUri(readPngText(head)['Thumb::URI'] ?? '');
        if (!src || !(src === owner.path || src.startsWith(`${owner.path === '/' ? '' : owner.path}/`))) continue;
        const srcRel = src.slice(owner.path === '/' ? 1 : owner.path.length + 1);
        const gone = await owner.adapter.stat(srcRel).then(() => false, (err: unknown) => err instanceof StorageError && (err.code === 'NOT_FOUND' || err.code === 'NOT_DIR'));
        if (gone) {
          await owner.adapter.delete(e.path).catch(() => undefined);
          pruned++;
        }
      }
    }
    this.stats.pruned += pruned;
    return pruned;
  }

  private async generate(adapter: StorageAdapter, rel: string, abs: string, entry: StorageEntry, bucket: Bucket): Promise<boolean> {
    const mediaType = reviewMediaType(entry.name);
    let png: Buffer;
    try {
      png = await this.render(adapter, rel, entry, mediaType, bucket.size);
    } catch (err) {
      this.stats.placeholders++;
      this.log.debug({ path: abs, err: (err as Error).message }, 'thumbnail render failed; placeholder served');
      return false;
    }
    const tagged = addPngText(png, {
      'Thumb::URI': fileUri(abs),
      'Thumb::MTime': String(Math.floor(entry.mtimeMs / 1000)),
      'Thumb::Size': String(entry.size),
      Software: 'Alcove',
    });
    try {
      await adapter.mkdir(`${THUMB_DIR}/${bucket.name}`, { recursive: true });
      const out = await adapter.createWriteStream(thumbRelPath(abs, bucket), { overwrite: true, mtimeMs: entry.mtimeMs });
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(tagged, () => resolve());
      });
      this.stats.generated++;
      return true;
    } catch (err) {
      this.stats.failed++;
      this.log.warn({ path: abs, err: (err as Error).message }, 'thumbnail not written');
      return false;
    }
  }

  private async render(adapter: StorageAdapter, rel: string, entry: StorageEntry, mediaType: ReviewMediaType | undefined, width: number): Promise<Buffer> {
    if (mediaType === 'video') {
      if (!this.options.ffmpegPath) throw new Error('ffmpeg is not available');
      const { frame } = await grabVideoFrame(probeSource(adapter, entry, 'video'), {
        ffmpegPath: this.options.ffmpegPath, width, timeoutMs: this.options.timeoutMs ?? 30_000,
      });
      return frame;
    }
    const options = { width, format: 'png' as const, quality: 80 };
    const local = adapter.localPath?.(rel);
    if (local) return renderImage(local, options);
    return renderImageStream(await adapter.createReadStream(rel), options);
  }
}

async function isFresh(adapter: StorageAdapter, trel: string, srcMtimeMs: number): Promise<boolean> {
  try {
    const st = await adapter.stat(trel);
    return st.type === 'file' && st.size > 0 && Math.abs(st.mtimeMs - srcMtimeMs) < 1;
  } catch {
    return false;
  }
}

async function readAll(adapter: StorageAdapter, rel: string, signal?: AbortSignal, end?: number): Promise<Buffer> {
  const stream = await adapter.createReadStream(rel, { start: 0, end, signal });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** size x size PNG: dark for video, grey otherwise, a rounded frame and two labels (type, extension). */
export async function placeholder(size: number, mediaType: ReviewMediaType | undefined, name: string): Promise<Buffer> {
  const kind = (mediaType ?? 'file').toUpperCase();
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8) || 'FILE' : 'FILE';
  const bg = mediaType === 'video' ? '#182334' : '#6d7c8c';
  const inset = Math.min(18, Math.floor(size / 6));
  const font = Math.max(6, Math.floor(size / 8));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
<rect width="100%" height="100%" fill="${bg}"/>
<rect x="${inset}" y="${inset}" width="${Math.max(1, size - 2 * inset)}" height="${Math.max(1, size - 2 * inset)}" rx="${inset}" fill="none" stroke="white" stroke-width="${Math.max(1, Math.floor(size / 64))}"/>
<text x="50%" y="46%" font-family="sans-serif" font-size="${font}" fill="white" text-anchor="middle">${kind}</text>
<text x="50%" y="${46 + Math.round((font * 130) / size)}%" font-family="sans-serif" font-size="${Math.floor(font * 0.8)}" fill="white" text-anchor="middle">${ext}</text>
</svg>`;
  const sharp = await loadSharp();
  return sharp(Buffer.from(svg)).png().toBuffer();
}
