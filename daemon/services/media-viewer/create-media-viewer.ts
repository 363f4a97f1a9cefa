/**
 * Builds the Media Viewer services from the app's parts (composition helper for app.ts),
 * and derives a Viewer from an authenticated request's user.
 */
import type { EventBus, IndexStore, Thumbnailer } from '../../domain/ports.js';
import type { AuthInfo } from '../../domain/auth.js';
import type { Logger } from '../../log/logger.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import { BrowseService } from './browse.service.js';
import { FavoriteService } from './favorite.service.js';
import { ItemStorage, type GetAdapter } from './item-storage.js';
import { MediaFilePresenter, type Viewer } from './media-file.js';
import { OriginalFileService } from './original-file.service.js';
import { SearchService } from './search.service.js';
import { TagService } from './tag.service.js';
import { ThumbnailRebuildJob } from './thumbnail-rebuild.job.js';
import { ViewerStatsService } from './viewer-stats.service.js';
import { ViewerThumbnailService } from './viewer-thumbnail.service.js';
import { AccessService } from '../access/access.service.js';

export interface MediaViewerServices {
  browse: BrowseService;
  tags: TagService;
  favorites: FavoriteService;
  search: SearchService;
  stats: ViewerStatsService;
  thumbnails: ViewerThumbnailService;
  rebuild: ThumbnailRebuildJob;
  files: OriginalFileService;
  /** The viewer of a request: admins see every library, others their allowed ones. */
  viewerOf(auth: AuthInfo): Viewer;
}

export interface MediaViewerDeps {
  index: IndexStore;
  paths: VirtualPathService;
  getAdapter: GetAdapter;
  thumbnails: Thumbnailer;
  composeGrid: (images: Buffer[], size: number) => Promise<Buffer>;
  events: EventBus;
  logger: Logger;
  dirs: { thumbnailDir: string; transcodeDir: string };
}

export function createMediaViewerServices(d: MediaViewerDeps): MediaViewerServices {
  const presenter = new MediaFilePresenter(d.index);
  const access = new AccessService(d.index);
  const storage = new ItemStorage(d.index, d.getAdapter);
  const favorites = new FavoriteService(d.index, d.paths, presenter);
  const thumbnails = new ViewerThumbnailService({ index: d.index, paths: d.paths, storage, thumbnails: d.thumbnails, composeGrid: d.composeGrid });
  const stats = new ViewerStatsService(d.index, d.dirs);
  return {
    browse: new BrowseService(d.index, d.paths, presenter, (viewer) => favorites.list(viewer)),
    tags: new TagService(d.index, d.paths, presenter),
    favorites,
    search: new SearchService(d.index, d.paths, presenter),
    stats,
    thumbnails,
    rebuild: new ThumbnailRebuildJob({
      index: d.index, paths: d.paths, viewerThumbs: thumbnails, events: d.events,
      logger: d.logger.child({ component: 'thumbnail-rebuild' }),
      clearCache: async () => { await d.thumbnails.clear(); stats.invalidate(); },
    }),
    files: new OriginalFileService(d.paths, storage),
    viewerOf(auth) {
      if (auth.isAdmin) return { userId: auth.user.id };
      const restrictions = d.index.users.get(auth.user.id)?.restrictions;
      const ids = restrictions?.libraryIds;
      const viewer: Viewer = ids ? { userId: auth.user.id, libraryIds: ids } : { userId: auth.user.id };
      // Rating and label rules (h3xed restrictions) apply to the shared search too.
      const scope = access.scopeFor(auth.user.id, false, restrictions);
      if (scope.contentFiltered) viewer.allows = (item) => scope.allows(item);
      return viewer;
    },
  };
}
