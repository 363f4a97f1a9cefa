/**
 * POST /api/empty-trash: deletes every media file marked trashed (a `<name>.trash`
 * companion) in the review folders, with its companions, cached thumbnails and index item.
 * Locked-and-trashed files are skipped. Events, in this order per file:
 *   deleting -> deleted | error (message) ;  deleting -> skipped (reason "locked")
 * then, once every folder was walked, orphaned thumbnails are pruned and
 *   done {deleted, errors, skipped, pruned}
 *
 * Work runs in rounds of `workers` files deleted in parallel; the caller's signal is checked
 * between rounds and a round always finishes, so an abort never leaves a file half-deleted
 * (media gone but companions left, or the reverse). A failure on one file is reported and the
 * run goes on. Runs are serialized: a second request waits for the first.
 * The deletion queue counters (health endpoint) count this real work.
 */
import type { IndexStore } from '../../domain/ports.js';
import { ForbiddenError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../log/logger.js';
import { COMPANION_KINDS, statusFromNames } from './review-media.js';
import { removeCompanion } from './review-actions.service.js';
import { joinAbs } from './review-listing.service.js';
import { normalizeClientPath, type ReviewLocation, type ReviewPathService } from './review-paths.service.js';
import type { ReviewThumbnailService } from './review-thumbnail.service.js';
import { walkMedia } from './review-walk.js';

export type TrashEvent =
  | { type: 'deleting'; path: string }
  | { type: 'deleted'; path: string }
  | { type: 'skipped'; path: string; reason: 'locked' }
  | { type: 'error'; path: string; message: string }
  | { type: 'done'; deleted: number; errors: number; skipped: number; pruned: number };

/** Seed field names (snake_case), reported by GET /api/health. */
export interface DeletionQueueStats {
  max_workers: number;
  active_jobs: number;
  submitted_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
}

interface Target { owner: ReviewLocation; rel: string; abs: string }

export class ReviewTrashService {
  private readonly counters = { active: 0, submitted: 0, completed: 0, failed: 0 };
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly deps: {
    index: IndexStore; paths: ReviewPathService; thumbnails: ReviewThumbnailService; logger: Logger; workers: number;
  }) {}

  queue(): DeletionQueueStats {
    return {
      max_workers: this.deps.workers, active_jobs: this.counters.active, submitted_jobs: this.counters.submitted,
      completed_jobs: this.counters.completed, failed_jobs: this.counters.failed,
    };
  }

  /** The folders to empty: all review paths, or exactly the one named by an optional {"path"} body. */
  async scope(body: unknown): Promise<ReviewLocation[]> {
    if (body === undefined || body === null) return this.deps.paths.locations();
    if (typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Expected JSON object body.');
    const raw = (body as Record<string, unknown>).path;
    if (raw === undefined) return this.deps.paths.locations();
    const abs = normalizeClientPath(raw);
    const location = await this.deps.paths.exact(abs);
    if (!location) throw new ForbiddenError('Path is not a configured review path.', 'NOT_A_REVIEW_PATH');
    return [location];
  }

  async *run(locations: ReviewLocation[], signal?: AbortSignal): AsyncGenerator<TrashEvent> {
    const release = await this.lock();
    const totals = { deleted: 0, errors: 0, skipped: 0, pruned: 0 };
    try {
      const seen = new Set<string>(); // nested review folders: each file once
      let round: Target[] = [];
      for (const location of locations) {
        for await (const { entry, names } of walkMedia(location.adapter, '', { signal })) {
          const status = statusFromNames(entry.name, names);
          if (!status.trashed) continue;
          const abs = joinAbs(location.path, entry.path);
          if (seen.has(abs)) continue;
          seen.add(abs);
          if (status.locked) {
            totals.skipped++;
            yield { type: 'deleting', path: abs };
            yield { type: 'skipped', path: abs, reason: 'locked' };
            continue;
          }
          const resolved = await this.deps.paths.resolve(abs);
          round.push({ owner: resolved?.owner ?? location, rel: resolved?.rel ?? entry.path, abs });
          if (round.length >= this.deps.workers) {
            yield* this.deleteRound(round, totals);
            round = [];
            if (signal?.aborted) return;
          }
        }
      }
      if (round.length) yield* this.deleteRound(round, totals);
      for (const location of locations) {
        if (signal?.aborted) return;
        totals.pruned += await this.deps.thumbnails.pruneOrphans(location, signal).catch(() => 0);
      }
      yield { type: 'done', ...totals };
    } finally {
      release();
    }
  }

  private async *deleteRound(round: Target[], totals: { deleted: number; errors: number }): AsyncGenerator<TrashEvent> {
    for (const t of round) yield { type: 'deleting', path: t.abs };
    this.counters.submitted += round.length;
    const results = await Promise.all(round.map((t) => this.deleteOne(t)));
    for (let i = 0; i < round.length; i++) {
      const err = results[i];
      if (err) {
        totals.errors++;
        yield { type: 'error', path: round[i].abs, message: err };
      } else {
        totals.deleted++;
        yield { type: 'deleted', path: round[i].abs };
      }
    }
  }

  /** Media first (a failure keeps it trashed, companions intact, for a retry), then the rest. */
  private async deleteOne({ owner, rel, abs }: Target): Promise<string | undefined> {
    this.counters.active++;
    try {
      await owner.adapter.delete(rel);
    } catch (err) {
      this.counters.active--;
      this.counters.failed++;
      this.deps.logger.warn({ path: abs, err: (err as Error).message }, 'trashed file not deleted');
      return (err as Error).message;
    }
    try {
      for (const kind of COMPANION_KINDS) await removeCompanion(owner.adapter, rel, kind);
      await this.deps.thumbnails.remove(owner, abs);
      const item = this.deps.index.items.getByPath(owner.locationId, rel);
      if (item) await this.deps.index.items.applyBatch({ removeIds: [item.id] });
    } catch (err) {
      this.deps.logger.warn({ path: abs, err: (err as Error).message }, 'cleanup after delete incomplete');
    } finally {
      this.counters.active--;
      this.counters.completed++;
    }
    return undefined;
  }

  private async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => { release = resolve; });
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}
