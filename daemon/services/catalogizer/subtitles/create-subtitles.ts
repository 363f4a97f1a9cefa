/**
 * Builds the Catalogizer subtitle service from the daemon's parts (one place, so the route
 * module stays thin). The OpenSubtitles client exists only when a key is configured; the
 * translator only when a provider is.
 */
import type { AuthInfo } from '../../../domain/auth.js';
import type { IndexStore, RecordRepo } from '../../../domain/ports.js';
import type { AlcoveConfig } from '../../../config/schema.js';
import type { Logger } from '../../../log/logger.js';
import type { MediaSourceResolver } from '../../playback/media-source.js';
import { LibraryPaths } from '../conversion/library-paths.js';
import { OpenSubtitlesClient } from './opensubtitles.client.js';
import { SubtitleStore, type SidecarScanner } from './subtitle-store.js';
import { SubtitleTracks } from './subtitle-tracks.js';
import { CatalogizerSubtitleService } from './subtitle.service.js';
import { LibreTranslateClient } from './translate.client.js';

export interface SubtitleDeps {
  index: IndexStore;
  records: RecordRepo;
  resolver: MediaSourceResolver;
  scanner: SidecarScanner;
  embeddedVtt: (fileId: number, stream: number, auth?: AuthInfo, signal?: AbortSignal) => Promise<string>;
  ffmpegPath: () => Promise<string>;
  config: AlcoveConfig['subtitles'];
  stateDir: string;
  logger: Logger;
}

export function createCatalogizerSubtitles(deps: SubtitleDeps): CatalogizerSubtitleService {
  const tracks = new SubtitleTracks({ index: deps.index, records: deps.records, resolver: deps.resolver, embeddedVtt: deps.embeddedVtt });
  const store = new SubtitleStore({
    index: deps.index, records: deps.records, resolver: deps.resolver, scanner: deps.scanner, tracks, stateDir: deps.stateDir, logger: deps.logger.child({ component: 'subtitles' }),
  });
  const c = deps.config;
  return new CatalogizerSubtitleService({
    index: deps.index, resolver: deps.resolver, paths: new LibraryPaths(deps.index), tracks, store, ffmpegPath: deps.ffmpegPath,
    openSubtitles: c.opensubtitlesApiKey ? new OpenSubtitlesClient({ baseUrl: c.opensubtitlesUrl, apiKey: c.opensubtitlesApiKey, userAgent: c.userAgent }) : undefined,
    translator: c.translationProvider ? new LibreTranslateClient({ url: c.translationProvider.url, apiKey: c.translationProvider.apiKey }) : undefined,
  });
}
