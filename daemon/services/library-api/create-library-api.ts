/**
 * Builds the metadata engine and the OmniLux services for the composition root (app.ts):
 * the identification queue (started with the background work), the OmniLux service and
 * artwork, and the TMDb client/matcher when configured.
 */
import type { EventBus, IndexStore } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import { IdentifyService } from '../../metadata/identify.service.js';
import { ItemSource, type GetAdapter } from '../../metadata/item-source.js';
import { TmdbClient, tmdbSettings, type TmdbConfig } from '../../metadata/providers/tmdb/tmdb.client.js';
import { TmdbMatcher } from '../../metadata/providers/tmdb/tmdb-matcher.js';
import type { LibraryService } from '../libraries/library.service.js';
import { ArtworkService } from './artwork.service.js';
import { OmniLuxService, type ScanStarter } from './omnilux.service.js';

export interface LibraryApiServices {
  identify: IdentifyService;
  omnilux: OmniLuxService;
  artwork: ArtworkService;
  tmdb: TmdbClient;
  matcher: TmdbMatcher;
  /** Start listening to index events (after startup scans were queued or not). */
  start(): void;
  stop(): Promise<void>;
}

export interface LibraryApiDeps {
  index: IndexStore;
  libraries: LibraryService;
  scans: ScanStarter;
  getAdapter: GetAdapter;
  events: EventBus;
  logger: Logger;
  artworkDir: string;
  /** config.metadata (tmdbUrl, tmdbApiKey, language); env ALCOVE_TMDB_URL / ALCOVE_TMDB_API_KEY fill gaps. */
  metadata?: Partial<TmdbConfig>;
  env?: NodeJS.ProcessEnv;
}

export function createLibraryApiServices(deps: LibraryApiDeps): LibraryApiServices {
  const tmdb = new TmdbClient(tmdbSettings(deps.metadata ?? {}, deps.env ?? process.env), deps.logger);
  const matcher = new TmdbMatcher({ index: deps.index, client: tmdb, logger: deps.logger, artworkDir: deps.artworkDir });
  const identify = new IdentifyService({
    index: deps.index, getAdapter: deps.getAdapter, events: deps.events, logger: deps.logger,
    onIdentified: (r) => { if (tmdb.configured) matcher.enqueue(r.fileId); },
  });
  const omnilux = new OmniLuxService(deps.index, deps.libraries, deps.scans, identify);
  const artwork = new ArtworkService(deps.index, omnilux, new ItemSource(deps.index, deps.getAdapter), deps.artworkDir);
  return {
    identify, omnilux, artwork, tmdb, matcher,
    start: () => identify.start(),
    stop: async () => { await identify.stop(); await matcher.stop(); },
  };
}
