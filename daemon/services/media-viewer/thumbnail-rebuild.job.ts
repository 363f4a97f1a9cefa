/**
 * POST /api/thumbnails/rebuild (api-000 §7.6): clear the thumbnail cache, then regenerate
 * every image and video thumbnail of the browse libraries in the background. Low priority
 * by construction: one item at a time (the request path keeps the Thumbnailer's other
 * slots), a macrotask yield between items, items paged from the index (never all loaded).
 * Progress goes out as EventBus 'job.progress' events (job 'thumbnails.rebuild').
 */
import type { EventBus, IndexStore } from '../../domain/ports.js';
import type { Logger } from '../../log/logger.js';
import type { VirtualPathService } from '../browse/virtual-path.service.js';
import type { ViewerThumbnailService } from './viewer-thumbnail.service.js';

export const REBUILD_JOB = 'thumbnails.rebuild';
const PROGRESS_EVERY_MS = 500;

export interface RebuildStatus {
  inProgress: boolean;
  startedAt?: string;
  lastCompleted?: string;
  totalFiles: number;
  processed: number;
  generated: number;
  failed: number;
}

export interface ThumbnailRebuildDeps {
  index: IndexStore;
  paths: VirtualPathService;
  viewerThumbs: ViewerThumbnailService;
  clearCache: () => Promise<void>;
  events: EventBus;
  logger: Logger;
}

const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

export class ThumbnailRebuildJob {
  private current?: Promise<void>;
  private controller?: AbortController;
  private state: RebuildStatus = { inProgress: false, totalFiles: 0, processed: 0, generated: 0, failed: 0 };

  constructor(private readonly d: ThumbnailRebuildDeps) {}

  get running(): boolean { return this.current !== undefined; }

  status(): RebuildStatus { return { ...this.state }; }

  /** Starts a rebuild unless one is running. */
  start(): 'started' | 'already_running' {
    if (this.current) return 'already_running';
    const controller = new AbortController();
    this.controller = controller;
    this.current = this.run(controller.signal)
      .catch((err: unknown) => {
        this.d.logger.error({ err }, 'thumbnail rebuild failed');
        this.emit('failed');
      })
      .finally(() => {
        this.state.inProgress = false;
        this.current = undefined;
        this.controller = undefined;
      });
    return 'started';
  }

  /** Abort a running rebuild and wait for it to settle. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.current;
  }

  /** Resolves when the running rebuild (if any) has finished. */
  async idle(): Promise<void> { await this.current; }

  private async run(signal: AbortSignal): Promise<void> {
    const counters = this.d.index.items.counters().byMediaType;
    this.state = {
      inProgress: true, startedAt: new Date().toISOString(), lastCompleted: this.state.lastCompleted,
      totalFiles: (counters.image?.count ?? 0) + (counters.video?.count ?? 0), processed: 0, generated: 0, failed: 0,
    };
    this.d.logger.info({ total: this.state.totalFiles }, 'thumbnail rebuild started');
    await this.d.clearCache();
    this.d.viewerThumbs.clearFolders();
    this.emit('running');
    let lastEmit = Date.now();
    for (const lib of this.d.paths.libraries()) {
      for (const item of this.d.index.items.iterateLibrary(lib.id)) {
        if (signal.aborted) { this.emit('cancelled'); return; }
        if (item.kind !== 'file' || (item.mediaType !== 'image' && item.mediaType !== 'video') || item.offline) continue;
        try {
          await this.d.viewerThumbs.file(item, signal);
          this.state.generated++;
        } catch (err) {
          if (signal.aborted) { this.emit('cancelled'); return; }
          this.state.failed++;
          this.d.logger.debug({ err: (err as Error).message, itemId: item.id }, 'thumbnail rebuild: item failed');
        }
        this.state.processed++;
        if (Date.now() - lastEmit >= PROGRESS_EVERY_MS) { this.emit('running'); lastEmit = Date.now(); }
        await yieldToIo();
      }
    }
    this.state.lastCompleted = new Date().toISOString();
    this.state.totalFiles = this.state.processed;
    this.emit('done');
    this.d.logger.info({ generated: this.state.generated, failed: this.state.failed }, 'thumbnail rebuild finished');
  }

  private emit(state: 'running' | 'done' | 'failed' | 'cancelled'): void {
    this.d.events.emit({ type: 'job.progress', job: REBUILD_JOB, done: this.state.processed, total: this.state.totalFiles, state });
  }
}
