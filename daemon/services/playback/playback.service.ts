/**
 * Playback of one file: direct-play descriptions, probe info with every track, and the
 * direct play / remux / transcode decision for a client (h3xed surface, Plex-like shapes:
 * ratingKey strings, durations in ms).
 */
import type { Readable } from 'node:stream';
import type { AuthInfo } from '../../domain/auth.js';
import { NotFoundError } from '../../domain/errors.js';
import type { IndexStore, Prober } from '../../domain/ports.js';
import type { Item, ProbeInfo } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';
import type { OpenedFile } from '../../../storage-adapters/types.js';
import { resolveCapabilities, type CapabilityInput, type ClientCapabilities } from '../../media/transcode/client-profiles.js';
import { containerOf, contentTypeOf } from '../../media/transcode/containers.js';
import { decidePlayback, type PlaybackDecision } from '../../media/transcode/playback-decision.js';
import { MediaSourceResolver, type MediaSource } from './media-source.js';
import type { SubtitleService, SubtitleTrack } from './subtitle.service.js';

/** Bytes of a file for the HTTP layer's sendFile (structurally its FileToSend). */
export interface StreamableFile {
  size: number;
  mtimeMs: number;
  contentType: string;
  disposition?: string;
  open: (start: number, end: number, signal: AbortSignal) => Promise<Readable>;
  /** The open file (adapters with openFile, i.e. local disks): released by sendFile. */
  file?: OpenedFile;
}

export interface MediaInfo {
  id: string;
  ratingKey: string;
  fileId: number;
  name: string;
  container: string;
  contentType: string;
  size: number;
  duration?: number;
  bitrate?: number;
  width?: number;
  height?: number;
  videoResolution?: string;
  video: NonNullable<ProbeInfo['video']>;
  audio: NonNullable<ProbeInfo['audio']>;
  subtitles: SubtitleTrack[];
  streamUrl: string;
  probeState: string;
}

export interface PlaybackInfo {
  fileId: number;
  ratingKey: string;
  method: PlaybackDecision['method'];
  canDirectPlay: boolean;
  directPlay: boolean;
  decision: PlaybackDecision;
  capabilities: ClientCapabilities;
  streamUrl: string;
  /** POST here to start HLS (remux or transcode). */
  transcodeUrl: string;
  media: MediaInfo;
}

export function resolutionLabel(height?: number): string | undefined {
  if (!height) return undefined;
  if (height >= 2000) return '4k';
  for (const h of [1080, 720, 576, 480]) if (height >= h * 0.9) return String(h);
  return 'sd';
}

export class PlaybackService {
  constructor(private readonly deps: { index: IndexStore; resolver: MediaSourceResolver; prober: Prober; subtitles: SubtitleService; logger: Logger }) {}

  /** Direct play: the file's bytes, Content-Type by container. */
  async stream(fileId: number, auth?: AuthInfo): Promise<StreamableFile> {
    const src = await this.deps.resolver.resolve(fileId, auth, { anyMediaType: true });
    if (src.item.mediaType === 'folder') throw new NotFoundError('Not a file', 'FILE_NOT_FOUND');
    const out: StreamableFile = {
      size: src.item.size, mtimeMs: src.item.mtimeMs, contentType: contentTypeOf(src.item.name, src.item.mime),
      open: (start, end, signal) => src.adapter.createReadStream(src.path, { start, end, signal, highWaterMark: 512 * 1024 }),
    };
    if (!src.adapter.openFile) return out;
    // Local disks: positioned reads through the adapter's descriptor cache; size and mtime
    // of the file as it is now (a file rewritten since the scan is still served whole).
    const file = await src.adapter.openFile(src.path, undefined, { early: true }); // checked by sendFile (OpenedFile.current)
    return { ...out, size: file.size, mtimeMs: file.mtimeMs, file };
  }

  /** The probe of a file; probed now (and stored) when the index has none yet. */
  async probeOf(src: MediaSource, signal?: AbortSignal): Promise<ProbeInfo | undefined> {
    const item = src.item;
    if (item.probe && item.probeState === 'done') return item.probe;
    try {
      const info = await this.deps.prober.probe(MediaSourceResolver.probeSource(src), signal);
      await this.deps.index.items.setProbe(item.id, 'done', info);
      item.probe = info;
      item.probeState = 'done';
      return info;
    } catch (err) {
      this.deps.logger.warn({ itemId: item.id, err: (err as Error).message }, 'on-demand probe failed');
      return undefined;
    }
  }

  async info(fileId: number, auth?: AuthInfo, signal?: AbortSignal): Promise<MediaInfo> {
    const src = await this.deps.resolver.resolve(fileId, auth);
    const probe = await this.probeOf(src, signal);
    return this.describe(src.item, probe);
  }

  async playbackInfo(fileId: number, input: CapabilityInput & { audioStreamIndex?: unknown }, auth?: AuthInfo, signal?: AbortSignal): Promise<PlaybackInfo> {
    const caps = resolveCapabilities(input);
    const src = await this.deps.resolver.resolve(fileId, auth);
    const probe = await this.probeOf(src, signal);
    const audioIndex = input.audioStreamIndex !== undefined && input.audioStreamIndex !== '' ? Number(input.audioStreamIndex) : undefined;
    const decision = decidePlayback(containerOf(src.item.name, probe?.container), probe, caps, Number.isFinite(audioIndex) ? audioIndex : undefined);
    const media = this.describe(src.item, probe);
    return {
      fileId, ratingKey: String(fileId), method: decision.method, canDirectPlay: decision.method === 'direct', directPlay: decision.method === 'direct',
      decision, capabilities: caps, streamUrl: media.streamUrl, transcodeUrl: `/api/transcode/${fileId}`, media,
    };
  }

  private describe(item: Item, probe: ProbeInfo | undefined): MediaInfo {
    return {
      id: String(item.id), ratingKey: String(item.id), fileId: item.id, name: item.name,
      container: containerOf(item.name, probe?.container), contentType: contentTypeOf(item.name, item.mime), size: item.size,
      duration: probe?.durationMs, bitrate: probe?.bitRate, width: probe?.width, height: probe?.height,
      videoResolution: resolutionLabel(probe?.height),
      video: probe?.video ?? [], audio: probe?.audio ?? [],
      subtitles: this.deps.subtitles.tracks(item, probe?.subtitles),
      streamUrl: `/api/stream/${item.id}`, probeState: item.probeState ?? 'pending',
    };
  }
}
