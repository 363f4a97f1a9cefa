/**
 * Subtitle tracks of a file and their WebVTT text.
 * - Embedded text tracks: `ffmpeg -map 0:<index> -c:s webvtt -f webvtt pipe:1` (remote
 *   roots read through a loopback range proxy).
 * - Sidecars (.srt/.ass/.ssa/.vtt next to the media, attached by the scanner as
 *   item.sidecarIds): read, decoded (UTF-8/UTF-16/Windows-1252 detection), converted.
 * Track keys: an embedded track is its ffprobe stream index ("3"); a sidecar is
 * "sidecar-<itemId>". A few recent conversions are kept in memory.
 */
import type { Readable } from 'node:stream';
import type { AuthInfo } from '../../domain/auth.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../domain/errors.js';
import type { Item, SubtitleStream } from '../../domain/types.js';
import { decodeSubtitleText } from '../../media/subtitles/text-decode.js';
import { formatOf, toWebVtt } from '../../media/subtitles/subtitle-convert.js';
import { startRangeProxy } from '../../media/transcode/range-proxy.js';
import { lastLine, runTool } from '../../media/tool-process.js';
import { MediaSourceResolver, type MediaSource } from './media-source.js';

export interface SubtitleTrack {
  key: string;
  /** Embedded: ffprobe stream index; sidecar: undefined. */
  streamIndex?: number;
  codec: string;
  language?: string;
  title?: string;
  default: boolean;
  forced: boolean;
  /** Text tracks can be served as WebVTT; bitmap ones (PGS, VobSub) only burned in. */
  text: boolean;
  external: boolean;
  /** WebVTT URL (text tracks only). */
  url?: string;
}

const MAX_SIDECAR_BYTES = 8 << 20;

/** "Movie.en.forced.srt" -> { language: 'en', forced: true }. */
export function sidecarTags(name: string): { language?: string; forced: boolean; default: boolean } {
  const parts = name.toLowerCase().split('.').slice(1, -1);
  const language = [...parts].reverse().find((p) => /^[a-z]{2,3}(-[a-z]{2})?$/.test(p) && p !== 'sdh' && p !== 'cc');
  return { language, forced: parts.includes('forced'), default: parts.includes('default') };
}

export class SubtitleService {
  private readonly cache = new Map<string, string>();

  constructor(private readonly deps: { resolver: MediaSourceResolver; ffmpegPath: string; readItem: (id: number) => Item | undefined }) {}

  tracks(item: Item, embedded: SubtitleStream[] | undefined): SubtitleTrack[] {
    const out: SubtitleTrack[] = (embedded ?? []).map((s) => ({
      key: String(s.index), streamIndex: s.index, codec: s.codec, language: s.language, title: s.title,
      default: !!s.default, forced: !!s.forced, text: s.text, external: false,
      url: s.text ? `/api/media/${item.id}/subtitle/${s.index}` : undefined,
    }));
    for (const id of item.sidecarIds ?? []) {
      const side = this.deps.readItem(id);
      const format = side ? formatOf(side.name) : undefined;
      if (!side || !format) continue;
      const tags = sidecarTags(side.name);
      out.push({
        key: `sidecar-${id}`, codec: format === 'srt' ? 'subrip' : format === 'vtt' ? 'webvtt' : format, language: tags.language,
        title: side.name, default: tags.default, forced: tags.forced, text: true, external: true, url: `/api/media/${item.id}/subtitle/sidecar-${id}`,
      });
    }
    return out;
  }

  /** WebVTT text of track `key` of file `fileId`. */
  async webvtt(fileId: number, key: string, auth?: AuthInfo, signal?: AbortSignal): Promise<string> {
    const src = await this.deps.resolver.resolve(fileId, auth);
    const side = /^sidecar-(\d{1,15})$/.exec(key);
    const cacheKey = `${fileId}:${key}:${src.item.mtimeMs}:${src.item.size}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    let vtt: string;
    if (side) vtt = await this.sidecarVtt(src.item, Number(side[1]));
    else if (/^\d{1,4}$/.test(key)) vtt = await this.embeddedVtt(src, Number(key), signal);
    else throw new ValidationError('Subtitle index must be a stream index or sidecar-<id>', { field: 'index' });
    this.cache.set(cacheKey, vtt);
    if (this.cache.size > 16) this.cache.delete(this.cache.keys().next().value as string);
    return vtt;
  }

  /** A sidecar's text decoded to a JS string, with its format (also used for burn-in). */
  async readSidecar(owner: Item, sidecarId: number): Promise<{ text: string; format: NonNullable<ReturnType<typeof formatOf>> }> {
    if (!(owner.sidecarIds ?? []).includes(sidecarId)) throw new NotFoundError('No such subtitle', 'SUBTITLE_NOT_FOUND');
    const item = this.deps.readItem(sidecarId);
    const format = item ? formatOf(item.name) : undefined;
    if (!item || !format) throw new NotFoundError('No such subtitle', 'SUBTITLE_NOT_FOUND');
    if (item.size > MAX_SIDECAR_BYTES) throw new ValidationError('Subtitle file is too large', undefined, 'SUBTITLE_TOO_LARGE');
    const src = await this.deps.resolver.storageOf(item);
    const stream = await src.adapter.createReadStream(src.path);
    const chunks: Buffer[] = [];
    for await (const chunk of stream as Readable) chunks.push(chunk as Buffer);
    return { text: decodeSubtitleText(Buffer.concat(chunks)).text, format };
  }

  private async sidecarVtt(owner: Item, sidecarId: number): Promise<string> {
    const { text, format } = await this.readSidecar(owner, sidecarId);
    return toWebVtt(text, format);
  }

  private async embeddedVtt(src: MediaSource, index: number, signal?: AbortSignal): Promise<string> {
    const stream = src.item.probe?.subtitles?.find((s) => s.index === index);
    if (!stream) throw new NotFoundError('No such subtitle track', 'SUBTITLE_NOT_FOUND');
    if (!stream.text) throw new ValidationError(`${stream.codec} is a bitmap subtitle: it can only be burned in`, undefined, 'SUBTITLE_NOT_TEXT');
    const proxy = src.localPath ? undefined : await startRangeProxy({
      size: src.item.size, contentType: 'application/octet-stream',
      open: (start, end, sig) => src.adapter.createReadStream(src.path, { start, end, signal: sig }),
    });
    try {
      const input = src.localPath ?? proxy!.url;
      const res = await runTool(this.deps.ffmpegPath, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input,
        '-map', `0:${index}`, '-c:s', 'webvtt', '-f', 'webvtt', 'pipe:1'], { timeoutMs: 120_000, signal });
      if (res.code !== 0) throw new UnavailableError(`Subtitle extraction failed: ${lastLine(res.stderr)}`, 'SUBTITLE_EXTRACT_FAILED');
      return res.stdout.toString('utf8');
    } finally {
      await proxy?.close();
    }
  }
}
