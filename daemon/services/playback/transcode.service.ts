/**
 * HLS transcode sessions for files on any root: decide what to copy and what to encode,
 * choose the hardware method, prepare burn-in subtitles, and hand the session manager an
 * argument builder (so a session can fall back to software on a hardware failure).
 * Remote roots are fed to ffmpeg through a per-session loopback range proxy.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthInfo } from '../../domain/auth.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { SubtitleStream } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';
import { buildVideoEncode } from '../../media/hwaccel/hw-args.js';
import { canHwDecode } from '../../media/hwaccel/hw-detect.js';
import { resolveCapabilities } from '../../media/transcode/client-profiles.js';
import { containerOf, contentTypeOf } from '../../media/transcode/containers.js';
import { buildHlsArgs, escapeFilterValue } from '../../media/transcode/hls-args.js';
import type { HlsSession } from '../../media/transcode/hls-session.js';
import { decidePlayback } from '../../media/transcode/playback-decision.js';
import { startRangeProxy } from '../../media/transcode/range-proxy.js';
import { parseSegmentName, planBoundaries, segmentAt } from '../../media/transcode/segment-plan.js';
import type { TranscodeSessionManager } from '../../media/transcode/session-manager.js';
import { toWebVtt } from '../../media/subtitles/subtitle-convert.js';
import type { HardwareService } from './hardware.service.js';
import type { MediaSourceResolver } from './media-source.js';
import type { PlaybackService } from './playback.service.js';
import type { SubtitleService } from './subtitle.service.js';
import { optionalInt, parseMode, planOutput, type TranscodeRequest } from './transcode-request.js';

export interface TranscodeSessionView {
  sessionId: string;
  fileId: number;
  ratingKey: string;
  playlistUrl: string;
  mode: 'transcode' | 'remux';
  hardware: string;
  startSegment: number;
  segmentCount?: number;
  duration?: number;
  width?: number;
  height?: number;
  videoBitrate?: number;
  audioStreamIndex?: number;
  burnSubtitle?: string;
  reasons: string[];
}

export interface TranscodeDeps {
  resolver: MediaSourceResolver;
  playback: PlaybackService;
  subtitles: SubtitleService;
  hardware: HardwareService;
  sessions: TranscodeSessionManager;
  ffmpegPath: string;
  segmentSeconds: number;
  preset: string;
  logger: Logger;
}

export class TranscodeService {
  constructor(private readonly d: TranscodeDeps) {}

  async start(fileId: number, req: TranscodeRequest, auth?: AuthInfo): Promise<TranscodeSessionView> {
    const caps = resolveCapabilities(req);
    const mode = parseMode(req.mode);
    const audioIndex = optionalInt(req.audioStreamIndex, 'audioStreamIndex');
    const subKey = req.subtitle ?? req.subtitleStreamIndex;
    const subtitle = subKey === undefined || subKey === null || subKey === '' ? undefined : String(subKey);
    const startMs = optionalInt(req.offset ?? req.startMs, 'offset') ?? 0;

    const src = await this.d.resolver.resolve(fileId, auth);
    const probe = await this.d.playback.probeOf(src);
    if (!probe?.durationMs) throw new ValidationError('The file could not be probed: its duration is unknown', undefined, 'NOT_PROBED');
    const audio = audioIndex !== undefined ? probe.audio?.find((a) => a.index === audioIndex) : (probe.audio?.find((a) => a.default) ?? probe.audio?.[0]);
    if (audioIndex !== undefined && !audio) throw new ValidationError('No audio track with that index', { field: 'audioStreamIndex' });
    const video = probe.video?.[0];
    const decision = decidePlayback(containerOf(src.item.name, probe.container), probe, caps, audio?.index);
    const copyVideo = !!video && !subtitle && (mode === 'remux' || (mode === 'auto' && decision.video === 'copy'));
    if (mode === 'remux' && (!video || subtitle)) throw new ValidationError('Remux needs a video track and no burned-in subtitle', { field: 'mode' });
    const out = planOutput(probe, caps, audio?.index);
    const copyAudio = !!audio && decision.audio === 'copy' && audio.codec === 'aac';
    const hw = await this.d.hardware.current();
    const method = copyVideo || !video ? 'none' : hw.method;
    const toneMap = decision.toneMap && hw.settings.toneMapping;
    const durationSec = probe.durationMs / 1000;

    const input = src.localPath ?? undefined;
    const startSegment = !copyVideo && startMs > 0 ? segmentAt(planBoundaries(durationSec, this.d.segmentSeconds), startMs / 1000) : 0;
    const session = await this.d.sessions.create(
      { userId: auth?.user.id ?? 0, fileId, createdAt: Date.now(), method: copyVideo ? 'copy' : method },
      async (dir) => {
        // Remote roots: ffmpeg reads (and seeks) through a loopback range proxy.
        const proxy = input ? undefined : await startRangeProxy({
          size: src.item.size, contentType: contentTypeOf(src.item.name, src.item.mime),
          open: (start, end, signal) => src.adapter.createReadStream(src.path, { start, end, signal }),
        });
        const ffInput = input ?? proxy!.url;
        let preFilters: string[];
        try {
          preFilters = subtitle ? [await this.burnFilter(src.item.id, subtitle, probe.subtitles ?? [], ffInput, dir, auth)] : [];
        } catch (err) {
          await proxy?.close();
          throw err;
        }
        return {
          onClose: proxy ? () => proxy.close() : undefined,
          ffmpegPath: this.d.ffmpegPath, mode: copyVideo ? 'copy' : 'transcode', durationSec, segmentSeconds: this.d.segmentSeconds,
          hardware: method !== 'none',
          buildArgs: (run) => buildHlsArgs({
            input: ffInput!, startSec: run.startSec, startNumber: run.startNumber, cutTimes: run.cutTimes,
            segmentSeconds: this.d.segmentSeconds, videoStream: video?.index, audioStream: audio?.index,
            video: !video ? { mode: 'none' } : copyVideo ? { mode: 'copy' } : {
              mode: 'transcode',
              encode: buildVideoEncode({
                method: run.software ? 'none' : method, device: hw.settings.device, hwDecode: canHwDecode(hw.report, method, video.codec),
                width: out.width, height: out.height, bitrate: out.videoBitrate, toneMap, lowPower: hw.settings.lowPower,
                preset: this.d.preset, preFilters,
              }),
            },
            audio: !audio ? { mode: 'none' } : copyAudio ? { mode: 'copy' } : { mode: 'transcode', channels: out.audioChannels, bitrate: out.audioBitrate },
            segmentPattern: run.segmentPattern, listPath: run.listPath,
          }),
        };
      },
      startSegment,
    );
    return {
      sessionId: session.id, fileId, ratingKey: String(fileId), playlistUrl: `/api/transcode/${session.id}/stream.m3u8`,
      mode: copyVideo ? 'remux' : 'transcode', hardware: copyVideo ? 'copy' : method, startSegment, segmentCount: session.segmentCount,
      duration: probe.durationMs, width: copyVideo ? video?.width : out.width, height: copyVideo ? video?.height : out.height,
      videoBitrate: copyVideo ? undefined : out.videoBitrate, audioStreamIndex: audio?.index, burnSubtitle: subtitle,
      reasons: decision.reasons.map((r) => r.code),
    };
  }

  private own(sessionId: string, auth?: AuthInfo): HlsSession {
    const entry = this.d.sessions.get(sessionId);
    if (!entry || (auth && !auth.isAdmin && entry.meta.userId !== auth.user.id)) throw new NotFoundError('No such transcode session', 'SESSION_NOT_FOUND');
    return entry.session;
  }

  async playlist(sessionId: string, query: string, auth?: AuthInfo): Promise<string> {
    const session = this.own(sessionId, auth);
    await session.waitFirst(15_000);
    return session.playlist(query);
  }

  async segment(sessionId: string, name: string, auth?: AuthInfo): Promise<{ path: string; bytes: number }> {
    const session = this.own(sessionId, auth);
    const n = parseSegmentName(name);
    if (n === undefined) throw new NotFoundError('No such segment', 'SEGMENT_NOT_FOUND');
    return session.segment(n);
  }

  async stop(sessionId: string, auth?: AuthInfo): Promise<void> {
    this.own(sessionId, auth);
    await this.d.sessions.remove(sessionId);
  }

  async close(): Promise<void> {
    await this.d.sessions.closeAll();
  }

  private async burnFilter(fileId: number, key: string, embedded: SubtitleStream[], input: string, dir: string, auth?: AuthInfo): Promise<string> {
    const side = /^sidecar-(\d{1,15})$/.exec(key);
    if (side) {
      const owner = this.d.resolver.visibleItem(fileId, auth);
      const { text, format } = await this.d.subtitles.readSidecar(owner, Number(side[1]));
      // Written as UTF-8 into the session dir: libass then never guesses an encoding.
      const file = join(dir, format === 'ass' || format === 'ssa' ? 'burn.ass' : 'burn.vtt');
      await writeFile(file, format === 'ass' || format === 'ssa' ? text : toWebVtt(text, format));
      return `subtitles=filename=${escapeFilterValue(file)}`;
    }
    const index = optionalInt(key, 'subtitle');
    const ordinal = embedded.findIndex((s) => s.index === index);
    if (ordinal < 0) throw new ValidationError('No subtitle track with that index', { field: 'subtitle' });
    if (!embedded[ordinal].text) throw new ValidationError('Burning in bitmap subtitles (PGS, VobSub) is not supported yet', { field: 'subtitle' }, 'SUBTITLE_NOT_TEXT');
    return `subtitles=filename=${escapeFilterValue(input)}:si=${ordinal}`;
  }
}
