/**
 * Builds the playback services (one place, so app.ts stays a list of one-liners).
 */
import type { IndexStore, Prober } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import type { EventBus } from '../../domain/ports.js';
import type { HwProbeIo } from '../../media/hwaccel/hw-detect.js';
import { TranscodeSessionManager } from '../../media/transcode/session-manager.js';
import { HardwareService, systemHwIo } from './hardware.service.js';
import { MediaSourceResolver, type GetAdapter } from './media-source.js';
import { PlaybackService } from './playback.service.js';
import { SubtitleService } from './subtitle.service.js';
import { TranscodeService } from './transcode.service.js';

export interface PlaybackServices {
  resolver: MediaSourceResolver;
  playback: PlaybackService;
  subtitles: SubtitleService;
  hardware: HardwareService;
  transcodes: TranscodeService;
  sessions: TranscodeSessionManager;
  close(): Promise<void>;
}

export interface PlaybackConfig {
  maxSessions: number;
  idleTimeoutSec: number;
  cacheMaxBytes: number;
  segmentSeconds: number;
  preset: string;
}

export async function createPlaybackServices(deps: {
  index: IndexStore; getAdapter: GetAdapter; prober: Prober; logger: Logger;
  ffmpeg: { path: string; version: string }; transcodeDir: string; config: PlaybackConfig; hwIo?: HwProbeIo;
  /** Transcode session events for the WebSocket 'transcodes' topic. */
  events?: EventBus;
}): Promise<PlaybackServices> {
  const logger = deps.logger.child({ component: 'playback' });
  const resolver = new MediaSourceResolver(deps.index, deps.getAdapter);
  const subtitles = new SubtitleService({ resolver, ffmpegPath: deps.ffmpeg.path, readItem: (id) => deps.index.items.get(id) });
  const playback = new PlaybackService({ index: deps.index, resolver, prober: deps.prober, subtitles, logger });
  const hardware = new HardwareService({ kv: deps.index.kv, io: deps.hwIo ?? systemHwIo(deps.ffmpeg.path), ffmpeg: deps.ffmpeg, logger });
  const sessions = new TranscodeSessionManager({
    dir: deps.transcodeDir, maxSessions: deps.config.maxSessions, idleTimeoutSec: deps.config.idleTimeoutSec,
    cacheMaxBytes: deps.config.cacheMaxBytes, logger, events: deps.events,
  });
  await sessions.init();
  const transcodes = new TranscodeService({
    resolver, playback, subtitles, hardware, sessions, ffmpegPath: deps.ffmpeg.path,
    segmentSeconds: deps.config.segmentSeconds, preset: deps.config.preset, logger,
  });
  return { resolver, playback, subtitles, hardware, transcodes, sessions, close: () => transcodes.close() };
}
