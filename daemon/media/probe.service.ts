/**
 * ProbeService: what a media file is (Prober port).
 *
 * Speed is the point (a scan probes every file; ffprobe costs 25-125 ms per spawn):
 *  - images: in process (sharp header + exifr picked tags), ~1-3 ms;
 *  - audio: in process (music-metadata), falling back to ffprobe when it cannot parse;
 *  - video: ffprobe with small analyze/probe sizes, at most `ffprobeConcurrency` at once.
 * Remote sources (no localPath) read ranged bytes: the head for images and audio, and the
 * stream piped into ffprobe's stdin for video (ffprobe's exit ends the read). An MP4 whose
 * moov atom is at the end is read to the end that way.
 *
 * Errors are plain Errors with short messages (the scanner records them); a timeout kills
 * the child and rejects.
 */
import type { Prober, ProbeSource } from '../domain/ports.js';
import type { ProbeInfo } from '../domain/types.js';
import { ValidationError } from '../domain/errors.js';
import type { Logger } from '../log/logger.js';
import { createLimiter, type Limiter } from '../jobs/limiter.js';
import { probeAudioFile, probeAudioStream } from './audio-probe.js';
import { mapFfprobe, type FfprobeOutput } from './ffprobe-map.js';
import { IMAGE_HEAD_BYTES, probeImage } from './image-probe.js';
import { openReadable, readHead } from './source-read.js';
import { lastLine, runTool } from './tool-process.js';
import type { MediaTools } from './tools.js';

export interface ProbeServiceOptions {
  /** ffprobe processes at once; default 2. */
  ffprobeConcurrency?: number;
  /** Per-probe deadline; default 30 s. */
  timeoutMs?: number;
  /** ffprobe -analyzeduration (µs) and -probesize (bytes); default 5 M each. */
  analyzeDurationUs?: number;
  probeSizeBytes?: number;
}

export class ProbeService implements Prober {
  readonly ffprobeLimiter: Limiter;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly analyzeDurationUs: number;
  private readonly probeSizeBytes: number;

  constructor(private readonly tools: Pick<MediaTools, 'ffprobe'>, logger: Logger, options: ProbeServiceOptions = {}) {
    this.log = logger.child({ component: 'media' });
    this.ffprobeLimiter = createLimiter(options.ffprobeConcurrency ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.analyzeDurationUs = options.analyzeDurationUs ?? 5_000_000;
    this.probeSizeBytes = options.probeSizeBytes ?? 5_000_000;
  }

  async probe(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
    signal?.throwIfAborted();
    if (!source.localPath && !source.open) throw new ValidationError('probe source has neither a local path nor a reader');
    switch (source.mediaType) {
      case 'image':
        return this.withTimeout(this.probeImage(source, signal), signal);
      case 'audio':
        return this.probeAudio(source, signal);
      case 'video':
        return this.ffprobe(source, signal);
      default:
        throw new ValidationError(`cannot probe media type ${source.mediaType}`);
    }
  }

  private async probeImage(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
    if (source.localPath) return probeImage(source.localPath);
    return probeImage(await readHead(source, IMAGE_HEAD_BYTES, signal));
  }

  private async probeAudio(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
    try {
      const parsed = source.localPath
        ? probeAudioFile(source.localPath, source.name)
        : openReadable(source, 0, undefined, signal).then((s) => probeAudioStream(s, source.size, source.name));
      return await this.withTimeout(parsed, signal);
    } catch (err) {
      signal?.throwIfAborted();
      this.log.debug({ name: source.name, err: (err as Error).message }, 'music-metadata failed, trying ffprobe');
      return this.ffprobe(source, signal);
    }
  }

  /** Run ffprobe (through the limiter) on a local path or on the source piped to stdin. */
  private ffprobe(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
    return this.ffprobeLimiter.run(async () => {
      const input = source.localPath ? `file:${source.localPath}` : 'pipe:0';
      const args = [
        '-v', 'error', '-hide_banner',
        '-analyzeduration', String(this.analyzeDurationUs), '-probesize', String(this.probeSizeBytes),
        '-print_format', 'json', '-show_format', '-show_streams', '-i', input,
      ];
      const stdin = source.localPath ? undefined : await openReadable(source, 0, undefined, signal);
      const res = await runTool(this.tools.ffprobe.path, args, { timeoutMs: this.timeoutMs, signal, stdin });
      if (res.code !== 0) {
        const why = lastLine(res.stderr).replace(input, '').replace(/^:\s*/, '') || `exit code ${res.code}`;
        throw new Error(`ffprobe: ${why}`);
      }
      let data: FfprobeOutput;
      try {
        data = JSON.parse(res.stdout.toString('utf8')) as FfprobeOutput;
      } catch {
        throw new Error('ffprobe: unreadable output');
      }
      if (!data.streams?.length) throw new Error('ffprobe: no streams found');
      const info = mapFfprobe(data, source.name);
      // From a pipe ffprobe does not know the size, so it reports no overall bit rate.
      if (info.bitRate === undefined && info.durationMs && source.size > 0) {
        info.bitRate = Math.round((source.size * 8 * 1000) / info.durationMs);
      }
      return info;
    }, { signal });
  }

  /** In-process parsers cannot be killed; the deadline at least frees the caller. */
  private withTimeout<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`probe timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      const onAbort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }
}
