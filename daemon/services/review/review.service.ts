/**
 * The Media Reviewer surface's services, built once by the composition root:
 * review paths (libraries with purpose 'review'), listings, actions, empty-trash,
 * freedesktop thumbnails and their warm-up, plus the health report and the lookups the
 * file/thumbnail routes need. See docs/API.md (Media Reviewer) for the HTTP contract.
 *
 * Side effects on review-path changes: an added path is scanned into the index (so probe
 * info fills `metadata`) and its thumbnails warmed; a removed path's scan and warm-up stop.
 */
import type { IndexStore, Prober } from '../../domain/ports.js';
import { ForbiddenError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import { StorageError, type StorageEntry } from '../../../storage-adapters/types.js';
import type { LibraryService } from '../libraries/library.service.js';
import type { StorageAdapter } from '../../../storage-adapters/types.js';
import { loadReviewSettings, type ReviewSettings } from './review-config.js';
import { ReviewPathService, normalizeClientPath, type ReviewLocation } from './review-paths.service.js';
import { ReviewListingService, intParam } from './review-listing.service.js';
import { ReviewActionService } from './review-actions.service.js';
import { ReviewTrashService, type DeletionQueueStats } from './review-trash.service.js';
import { ReviewThumbnailService } from './review-thumbnail.service.js';
import { ThumbnailWarmup } from './thumbnail-warmup.js';

export interface ReviewScanner {
  scanLibrary(libraryId: number, request: { kind: 'full' | 'incremental'; trigger: 'api'; signal?: AbortSignal }): Promise<unknown>;
}

export interface ReviewDeps {
  index: IndexStore;
  libraries: Pick<LibraryService, 'create' | 'remove' | 'list'>;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  stateDir: string;
  /** YAML mirror of the review settings (paths.reviewConfigFile); undefined = none. */
  configFile?: string;
  /** Overrides what the YAML file says (tests). */
  overrides?: Partial<Omit<ReviewSettings, 'knownPaths'>>;
  prober?: Prober;
  ffmpegPath?: string;
  scanner?: ReviewScanner;
  logger: Logger;
  thumbnailConcurrency?: number;
}

export interface ReviewHealth {
  status: 'ok';
  service: 'mediareviewer-api';
  settings: { stateDirectory: string; hiddenPickerPaths: string[]; deletionWorkers: number };
  deletionQueue: DeletionQueueStats;
}

/** A file under a review path, checked: 400 missing/not a file, 403 outside every review path. */
export interface ReviewFile { owner: ReviewLocation; rel: string; abs: string; entry: StorageEntry }

export class ReviewService {
  readonly paths: ReviewPathService;
  readonly listing: ReviewListingService;
  readonly actions: ReviewActionService;
  readonly trash: ReviewTrashService;
  readonly thumbnails: ReviewThumbnailService;
  readonly warmup: ThumbnailWarmup;
  private readonly scans = new Map<number, { controller: AbortController; done: Promise<unknown> }>();
  private readonly background = new AbortController();

  private constructor(private readonly deps: ReviewDeps, readonly settings: ReviewSettings) {
    const logger = deps.logger.child({ component: 'review' });
    this.paths = new ReviewPathService({ index: deps.index, libraries: deps.libraries, getAdapter: deps.getAdapter, settings, configFile: deps.configFile, logger });
    this.listing = new ReviewListingService({ index: deps.index, paths: this.paths, prober: deps.prober, logger });
    this.actions = new ReviewActionService({ index: deps.index, paths: this.paths });
    this.thumbnails = new ReviewThumbnailService({ ffmpegPath: deps.ffmpegPath, logger, concurrency: deps.thumbnailConcurrency });
    this.warmup = new ThumbnailWarmup({ paths: this.paths, thumbnails: this.thumbnails, logger });
    this.trash = new ReviewTrashService({ index: deps.index, paths: this.paths, thumbnails: this.thumbnails, logger, workers: settings.deletionWorkers });
    this.paths.onChange((event, location) => (event === 'added' ? this.onAdded(location) : this.onRemoved(location)));
  }

  /** Loads the YAML settings, imports hand-added paths, and returns the ready service. */
  static async create(deps: ReviewDeps): Promise<ReviewService> {
    const loaded = await loadReviewSettings(deps.configFile, deps.stateDir);
    const settings: ReviewSettings = { ...loaded, ...deps.overrides };
    const service = new ReviewService(deps, settings);
    await service.paths.reconcile();
    return service;
  }

  health(): ReviewHealth {
    return {
      status: 'ok',
      service: 'mediareviewer-api',
      settings: {
        stateDirectory: this.deps.stateDir,
        hiddenPickerPaths: [...this.settings.hiddenPickerPaths],
        deletionWorkers: this.settings.deletionWorkers,
      },
      deletionQueue: this.trash.queue(),
    };
  }

  /** Warm thumbnails of every review path (daemon start), when enabled. */
  warmAll(): void {
    if (!this.settings.autoThumbnail) return;
    void this.paths.locations().then((locs) => { for (const l of locs) void this.warmup.start(l); });
  }

  /** After a stream request: warm that folder's thumbnails in the background. */
  warm(location: ReviewLocation): void {
    if (this.settings.autoThumbnail) void this.warmup.start(location);
  }

  /** Resolves the `path` (and optional `size`) query of the file/thumbnail routes. */
  async file(query: URLSearchParams, withSize = false): Promise<ReviewFile & { size: number }> {
    const raw = query.get('path');
    if (raw === null || raw === '') throw new ValidationError("Query parameter 'path' is required.", { field: 'path' });
    const abs = normalizeClientPath(raw, 'path', 'Query parameter');
    const size = withSize ? intParam(query.get('size'), 'size', 256, 1, 1024) : 0;
    const resolved = await this.paths.resolve(abs);
    if (!resolved || !resolved.rel) throw new ForbiddenError('Path is not under a configured review path.', 'OUTSIDE_REVIEW_PATHS');
    const entry = await resolved.owner.adapter.stat(resolved.rel).catch((err: unknown) => {
      if (err instanceof StorageError && (err.code === 'NOT_FOUND' || err.code === 'NOT_DIR')) return undefined;
      throw err;
    });
    if (!entry || entry.type !== 'file') throw new ValidationError('Path must be an existing media file.', { field: 'path' }, 'NOT_MEDIA');
    return { ...resolved, entry, size };
  }

  async stop(): Promise<void> {
    this.background.abort();
    for (const s of this.scans.values()) s.controller.abort();
    await Promise.all([...this.scans.values()].map((s) => s.done));
    await this.warmup.stopAll();
  }

  private onAdded(location: ReviewLocation): void {
    if (this.deps.scanner) {
      const controller = new AbortController();
      const run = { controller, done: Promise.resolve() as Promise<unknown> };
      run.done = this.deps.scanner.scanLibrary(location.library.id, { kind: 'full', trigger: 'api', signal: controller.signal })
        .catch((err: unknown) => { if (!controller.signal.aborted) this.deps.logger.warn({ err, path: location.path }, 'review path scan failed'); })
        .finally(() => { if (this.scans.get(location.library.id) === run) this.scans.delete(location.library.id); });
      this.scans.set(location.library.id, run);
    }
    this.warm(location);
  }

  /** Stops the folder's scan and warm-up before its library (and items) leave the index. */
  private async onRemoved(location: ReviewLocation): Promise<void> {
    const scan = this.scans.get(location.library.id);
    scan?.controller.abort();
    await scan?.done;
    await this.warmup.cancel(location.path);
  }
}
