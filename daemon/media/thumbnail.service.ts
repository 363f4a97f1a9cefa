/**
 * ThumbnailService (Thumbnailer port): an on-disk cache of generated thumbnails.
 *
 * - Key: sha1(id|size|mtimeMs|width|format); a changed file (size or mtime) gets a new key,
 *   so stale thumbnails are never served. Files live in a 2-level fan-out
 *   (<cacheDir>/ab/cd/<sha1>.<ext>) and are written atomically (temp file + rename), so a
 *   reader never sees half a file.
 * - Single flight: concurrent requests for one key share one generation. A waiter that
 *   aborts only stops waiting; the generation is aborted when every waiter has left.
 * - Per-kind limits: images (sharp, in process) and video (ffmpeg children) each have their
 *   own limiter.
 * - sharp runs with one libvips thread per image (`sharp.concurrency(1)`, process-wide):
 *   measured fastest with two images in flight (DEPENDENCIES.md); more threads per image
 *   only add contention on NAS CPUs. sharp's operation cache is off: it is keyed by file
 *   name and would serve a replaced file's old pixels.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thumbnail, ThumbnailRequest, Thumbnailer } from '../domain/ports.js';
import { ValidationError } from '../domain/errors.js';
import type { Logger } from '../log/logger.js';
import { createLimiter, type Limiter } from '../jobs/limiter.js';
import { openReadable } from './source-read.js';
import {
  CONTENT_TYPES, extractCover, grabVideoFrame, renderImage, renderImageStream, type ThumbFormat,
} from './thumbnail-render.js';
import type { MediaTools } from './tools.js';

export { composeFolderGrid } from './thumbnail-render.js';

export interface ThumbnailServiceOptions {
  cacheDir: string;
  tools: Pick<MediaTools, 'ffmpeg'>;
  logger: Logger;
  imageConcurrency?: number;
  videoConcurrency?: number;
  /** JPEG/WebP quality, default 80. */
  quality?: number;
  /** Per-generation deadline for ffmpeg, default 30 s. */
  timeoutMs?: number;
}

const MAX_WIDTH = 4096;

interface Flight {
  hash: string;
  promise: Promise<Thumbnail>;
  controller: AbortController;
  waiters: number;
}

export class ThumbnailService implements Thumbnailer {
  /** Counters (tests, metrics). */
  readonly stats = { generated: 0, hits: 0, failed: 0, videoFallbacks: 0 };
  private readonly log: Logger;
  private readonly images: Limiter;
  private readonly videos: Limiter;
  private readonly quality: number;
  private readonly timeoutMs: number;
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly options: ThumbnailServiceOptions) {
    this.log = options.logger.child({ component: 'media' });
    this.images = createLimiter(options.imageConcurrency ?? 2);
    this.videos = createLimiter(options.videoConcurrency ?? 1);
    this.quality = options.quality ?? 80;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async get(request: ThumbnailRequest, signal?: AbortSignal): Promise<Thumbnail> {
    signal?.throwIfAborted();
    const format: ThumbFormat = request.format ?? 'jpeg';
    if (!CONTENT_TYPES[format]) throw new ValidationError(`unsupported thumbnail format ${String(format)}`);
    if (!Number.isInteger(request.width) || request.width < 1 || request.width > MAX_WIDTH) {
      throw new ValidationError(`thumbnail width must be 1..${MAX_WIDTH}`);
    }
    const kind = request.source.mediaType;
    if (kind !== 'image' && kind !== 'video' && kind !== 'audio') {
      throw new ValidationError(`no thumbnails for media type ${kind}`);
    }
    const { key } = request;
    const hash = createHash('sha1').update(`${key.id}|${key.size}|${key.mtimeMs}|${request.width}|${format}`).digest('hex');
    const path = join(this.options.cacheDir, hash.slice(0, 2), hash.slice(2, 4), `${hash}.${format === 'jpeg' ? 'jpg' : format}`);

    const cached = await this.describe(path, hash, format);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    signal?.throwIfAborted();
    let flight = this.flights.get(hash);
    if (!flight) {
      const controller = new AbortController();
      // `finally` runs after generate() settles, by which time `f` is assigned.
      // eslint-disable-next-line prefer-const
      let f: Flight;
      const promise = this.generate(request, format, path, hash, controller.signal).finally(() => this.land(f));
      // Nobody may be waiting when it fails (all aborted): keep that rejection handled.
      promise.catch(() => undefined);
      f = { hash, controller, waiters: 0, promise };
      this.flights.set(hash, f);
      flight = f;
    }
    return this.wait(flight, signal);
  }

  async clear(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.options.cacheDir);
    } catch {
      return;
    }
    await Promise.all(entries.map((e) => rm(join(this.options.cacheDir, e), { recursive: true, force: true })));
    this.log.info({ removed: entries.length }, 'thumbnail cache cleared');
  }

  /** A flight is over (or abandoned): later requests must start a fresh one. */
  private land(flight: Flight): void {
    if (this.flights.get(flight.hash) === flight) this.flights.delete(flight.hash);
  }

  private wait(flight: Flight, signal?: AbortSignal): Promise<Thumbnail> {
    flight.waiters++;
    return new Promise<Thumbnail>((resolve, reject) => {
      let done = false;
      const leave = (): void => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        flight.waiters--;
      };
      const onAbort = (): void => {
        leave();
        if (flight.waiters === 0) {
          this.land(flight);
          flight.controller.abort(signal?.reason);
        }
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then((t) => { leave(); resolve(t); }, (e: unknown) => { leave(); reject(e); });
    });
  }

  private async generate(request: ThumbnailRequest, format: ThumbFormat, path: string, hash: string, signal: AbortSignal): Promise<Thumbnail> {
    const started = Date.now();
    const o = { width: request.width, format, quality: this.quality };
    const { source } = request;
    let bytes: Buffer;
    try {
      if (source.mediaType === 'video') {
        bytes = await this.videos.run(async (sig) => {
          const { frame, atSec } = await grabVideoFrame(source, {
            ffmpegPath: this.options.tools.ffmpeg.path, width: request.width, durationMs: request.durationMs,
            timeoutMs: this.timeoutMs, signal: sig,
          });
          if (atSec !== 2) this.stats.videoFallbacks++;
          return frame;
        }, { signal });
        bytes = await this.images.run(() => renderImage(bytes, o), { signal });
      } else if (source.mediaType === 'audio') {
        const cover = await extractCover(source, signal);
        bytes = await this.images.run(() => renderImage(cover, o), { signal });
      } else {
        bytes = await this.images.run(async () => source.localPath
          ? renderImage(source.localPath, o)
          : renderImageStream(await openReadable(source, 0, undefined, signal), o), { signal });
      }
    } catch (err) {
      this.stats.failed++;
      throw err;
    }
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.stats.generated++;
    this.log.debug({ name: source.name, width: request.width, format, ms: Date.now() - started }, 'thumbnail generated');
    const t = await this.describe(path, hash, format);
    if (!t) throw new Error('thumbnail vanished after writing');
    return t;
  }

  private async describe(path: string, hash: string, format: ThumbFormat): Promise<Thumbnail | undefined> {
    try {
      const st = await stat(path);
      return { path, contentType: CONTENT_TYPES[format], size: st.size, etag: `"${hash}"`, mtimeMs: st.mtimeMs };
    } catch {
      return undefined;
    }
  }
}
