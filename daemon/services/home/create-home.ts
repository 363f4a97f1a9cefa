/**
 * Builds the home media surface (h3xed, seed 004, beyond playback) for app.ts: access
 * guard, progress (write-behind), watch actions, continue watching, recommendations,
 * library browsing, item details, artwork, invites, user administration, genres,
 * matching and manual edits.
 */
import { join } from 'node:path';
import type { EventBus, IndexStore } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import { ItemSource, type GetAdapter } from '../../metadata/item-source.js';
import type { TmdbClient } from '../../metadata/providers/tmdb/tmdb.client.js';
import { AccessService } from '../access/access.service.js';
import type { AuthServices } from '../auth/create-auth.js';
import { ContinueWatchingService } from './continue-watching.service.js';
import { GenreService } from './genre.service.js';
import { HomeArtworkService } from './home-artwork.service.js';
import { HomePresenter } from './home-item.js';
import { InviteService } from './invite.service.js';
import { ItemTree } from './item-tree.js';
import { LibraryBrowseService } from './library-browse.service.js';
import { MatchService } from './match.service.js';
import { MediaService } from './media.service.js';
import { MetadataEditService } from './metadata-edit.service.js';
import { ProgressService, type ProgressOptions } from './progress.service.js';
import { RecommendationService } from './recommendation.service.js';
import { UserAdminService } from './user-admin.service.js';
import { WatchService } from './watch.service.js';

export interface HomeServices {
  access: AccessService;
  tree: ItemTree;
  presenter: HomePresenter;
  progress: ProgressService;
  watch: WatchService;
  continueWatching: ContinueWatchingService;
  recommendations: RecommendationService;
  browse: LibraryBrowseService;
  media: MediaService;
  artwork: HomeArtworkService;
  invites: InviteService;
  users: UserAdminService;
  genres: GenreService;
  match: MatchService;
  edits: MetadataEditService;
  /** Start the progress flush timer. */
  start(): void;
  /** Flush buffered progress and stop timers (before the index closes). */
  stop(): Promise<void>;
}

export interface HomeDeps {
  index: IndexStore;
  auth: AuthServices;
  events: EventBus;
  getAdapter: GetAdapter;
  tmdb: TmdbClient;
  logger: Logger;
  serverName: () => string;
  artworkDir: string;
  cacheDir: string;
  progress?: ProgressOptions;
}

export function createHomeServices(d: HomeDeps): HomeServices {
  const access = new AccessService(d.index);
  const tree = new ItemTree(d.index);
  const progress = new ProgressService(d.index, (item) => tree.durationOf(item), { logger: d.logger.child({ component: 'progress' }), ...d.progress });
  const presenter = new HomePresenter(d.index, tree, (userId, itemId) => progress.get(userId, itemId));
  const genres = new GenreService(d.index, d.events);
  const offUsers = d.events.on((e) => { if (e.type === 'users.changed' && e.change === 'removed') progress.dropUser(e.userId); });
  return {
    access, tree, presenter, progress,
    watch: new WatchService(d.index, access, tree, presenter, progress),
    continueWatching: new ContinueWatchingService(d.index, tree, presenter, progress),
    recommendations: new RecommendationService(d.index, tree, presenter, progress),
    browse: new LibraryBrowseService(d.index, tree, presenter, progress),
    media: new MediaService(access, tree, presenter),
    artwork: new HomeArtworkService(d.index, new ItemSource(d.index, d.getAdapter), d.artworkDir, join(d.cacheDir, 'home-artwork')),
    invites: new InviteService({ index: d.index, users: d.auth.users, auth: d.auth.auth, serverName: d.serverName }),
    users: new UserAdminService(d.index, d.auth, progress),
    genres,
    match: new MatchService(d.index, tree, d.tmdb, d.artworkDir),
    edits: new MetadataEditService(d.index),
    start: () => progress.start(),
    stop: async () => { offUsers(); genres.close(); await progress.stop(); },
  };
}
