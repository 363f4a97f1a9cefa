/**
 * Background thumbnail warm-up for a review folder: walks it (review-walk.ts) and makes
 * sure every media file has a fresh 256 px ("large") thumbnail, at low priority so client
 * requests overtake it. One run per review folder at a time (a second start while one runs
 * is a no-op); runs stop when the folder is removed or the daemon stops. At most
 * `2 x limiter concurrency` files are in flight, so a 100,000-file tree never queues
 * 100,000 tasks.
 */
import type { Logger } from '../../log/logger.js';
import { bucketFor } from './freedesktop.js';
import { joinAbs } from './review-listing.service.js';
import type { ReviewLocation, ReviewPathService } from './review-paths.service.js';
import type { ReviewThumbnailService } from './review-thumbnail.service.js';
import { walkMedia } from './review-walk.js';

export interface WarmupState {
  path: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  seen: number;
  ready: number;
  failed: number;
  startedAt: number;
  finishedAt?: number;
}

export class ThumbnailWarmup {
  private readonly runs = new Map<string, { controller: AbortController; state: WarmupState; done: Promise<void> }>();

  constructor(private readonly deps: { paths: ReviewPathService; thumbnails: ReviewThumbnailService; logger: Logger; size?: number }) {}

  states(): WarmupState[] {
    return [...this.runs.values()].map((r) => ({ ...r.state }));
  }

  /** Starts a warm-up of `location` unless one is running; returns its completion. */
  start(location: ReviewLocation): Promise<void> {
    const running = this.runs.get(location.path);
    if (running && running.state.state === 'running') return running.done;
    const controller = new AbortController();
    const state: WarmupState = { path: location.path, state: 'running', seen: 0, ready: 0, failed: 0, startedAt: Date.now() };
    const done = this.run(location, state, controller.signal).then(
      () => { state.state = 'done'; },
      (err: unknown) => {
        state.state = controller.signal.aborted ? 'cancelled' : 'failed';
        if (!controller.signal.aborted) this.deps.logger.warn({ path: location.path, err: (err as Error).message }, 'thumbnail warm-up failed');
      },
    ).finally(() => {
      state.finishedAt = Date.now();
      this.deps.logger.info({ path: location.path, state: state.state, files: state.seen, ready: state.ready, ms: state.finishedAt - state.startedAt }, 'thumbnail warm-up finished');
    });
    this.runs.set(location.path, { controller, state, done });
    return done;
  }

  /** Cancels the run of one folder (removed review path); resolves when it has stopped. */
  async cancel(path: string): Promise<void> {
    const run = this.runs.get(path);
    if (!run) return;
    run.controller.abort();
    await run.done;
    this.runs.delete(path);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((p) => this.cancel(p)));
  }

  private async run(location: ReviewLocation, state: WarmupState, signal: AbortSignal): Promise<void> {
    const bucket = bucketFor(this.deps.size ?? 256);
    const maxInFlight = this.deps.thumbnails.limiter.concurrency * 2;
    const inFlight = new Set<Promise<void>>();
    for await (const { entry } of walkMedia(location.adapter, '', { signal })) {
      state.seen++;
      // A nested review folder owns (and caches) its own files' thumbnails.
      const abs = joinAbs(location.path, entry.path);
      const resolved = await this.deps.paths.resolve(abs);
      const owner = resolved?.owner ?? location;
      const rel = resolved?.rel ?? entry.path;
      const task: Promise<void> = this.deps.thumbnails.ensure(owner, rel, entry, bucket, 0, signal).then(
        (ok) => { if (ok) state.ready++; else state.failed++; },
        () => { state.failed++; },
      ).finally(() => { inFlight.delete(task); });
      inFlight.add(task);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
}
