/**
 * ProbeService: what a media file is (Prober port).
 *
 * Speed is the point (a scan probes every file; ffprobe costs 25-125 ms per spawn):
 *  - images: in process (sharp header + exifr picked tags), ~1-3 ms;
 *  - audio: in process (music-metadata), falling back to ffprobe when it cannot parse;
 *  - video: MP4/M4V/MOV and MKV/WebM in process (containers/: box and EBML headers only,
 *    ~0.1-0.5 ms), falling back to ffprobe on any parse failure or codec the parsers do not
 *    name; other containers go to ffprobe, at most `ffprobeConcurrency` at once.
 * Remote sources (no localPath) read ranged bytes: the head for images and audio, the
 * boxes/elements needed for the parsed containers (an MP4's moov at the end costs one more
 * ranged read), and the stream piped into ffprobe's stdin otherwise (ffprobe's exit ends
 * the read).
 *
 * Failed probes stay cheap: a file named .mp4/.mkv whose bytes are not that container at
 * all is handed to ffprobe with small analyze/probe sizes.
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
import { isSourceReadError, UnsupportedMediaError } from './containers/byte-source.js';
import { hasContainerParser, probeContainer } from './containers/container-probe.js';
import type { MediaTools } from './tools.js';

export interface ProbeServiceOptions {
  /** ffprobe processes at once; default 2. */
  ffprobeConcurrency?: number;
  /** Per-probe deadline; default 30 s. */
  timeoutMs?: number;
  /** ffprobe -analyzeduration (µs) and -probesize (bytes); default 5 M each. */
  analyzeDurationUs?: number;
  probeSizeBytes?: number;
  /**
   * Parse MP4/M4V/MOV/MKV/WebM in process before trying ffprobe; default true. false
   * forces ffprobe for every video (the config switch for a parser bug in the field).
   */
  containerParsers?: boolean;
}

/** ffprobe limits for files whose bytes are not the container their name says. */
const GARBAGE_ANALYZE_US = 100_000;
const GARBAGE_PROBE_BYTES = 32_768;

export class ProbeService implements Prober {
  readonly ffprobeLimiter: Limiter;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly analyzeDurationUs: number;
  private readonly probeSizeBytes: number;
  private readonly containerParsers: boolean;

  constructor(private readonly tools: Pick<MediaTools, 'ffprobe'>, logger: Logger, options: ProbeServiceOptions = {}) {
    this.log = logger.child({ component: 'media' });
    this.ffprobeLimiter = createLimiter(options.ffprobeConcurrency ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.analyzeDurationUs = options.analyzeDurationUs ?? 5_000_000;
    this.probeSizeBytes = options.probeSizeBytes ?? 5_000_000;
    this.containerParsers = options.containerParsers ?? true;
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
        return this.probeVideo(source, signal);
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

  /** In-process container parse first; ffprobe when it cannot answer. */
  private async probeVideo(source: ProbeSource, signal?: AbortSignal): Promise<ProbeInfo> {
    // Size 0: nothing to parse (and a FIFO reports 0: opening it here would block a thread).
    if (!this.containerParsers || source.size <= 0 || !hasContainerParser(source.name)) return this.ffprobe(source, signal);
    const deadline = new AbortController();
    const onAbort = (): void => deadline.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let garbage = false;
    try {
      return await this.withTimeout(probeContainer(source, deadline.signal), signal, (err) => deadline.abort(err));
    } catch (err) {
      signal?.throwIfAborted();
      if (deadline.signal.aborted) throw err; // timed out: ffprobe would only wait again
      // A remote root's failure is the caller's to see (it may retry later), unchanged.
      if (!source.localPath && isSourceReadError(err)) throw err;
      garbage = err instanceof UnsupportedMediaError && err.notContainer;
      this.log.debug({ name: source.name, err: (err as Error).message }, 'container parse failed, trying ffprobe');
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return this.ffprobe(source, signal, garbage);
  }

  /**
   * Run ffprobe (through the limiter) on a local path or on the source piped to stdin.
   * `small`: the bytes are not what the name says; ffprobe gets small analyze/probe sizes
   * so a garbage file costs little (a misnamed real file is still identified from its head).
   */
  private ffprobe(source: ProbeSource, signal?: AbortSignal, small = false): Promise<ProbeInfo> {
    return this.ffprobeLimiter.run(async () => {
      const input = source.localPath ? `file:${source.localPath}` : 'pipe:0';
      const args = [
        '-v', 'error', '-hide_banner',
        '-analyzeduration', String(small ? GARBAGE_ANALYZE_US : this.analyzeDurationUs),
        '-probesize', String(small ? GARBAGE_PROBE_BYTES : this.probeSizeBytes),
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

  /**
   * In-process parsers cannot be killed; the deadline at least frees the caller, and
   * `onTimeout` lets one stop its reads.
   */
  private withTimeout<T>(p: Promise<T>, signal?: AbortSignal, onTimeout?: (err: Error) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new Error(`probe timed out after ${this.timeoutMs} ms`);
        onTimeout?.(err);
        reject(err);
      }, this.timeoutMs);
      const onAbort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }
}
