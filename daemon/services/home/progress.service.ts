/**
 * Watch progress per user (h3xed /api/progress*, reused by Catalogizer's media endpoints).
 *
 * Contract:
 * - Progress is kept on the metadata item a client plays: a file that belongs to a movie,
 *   episode or track records on that item (two versions of a movie share one resume point).
 *   `ItemTree.canonical` does the mapping; every method here takes canonical items.
 * - `report` is cheap (TVs call it every few seconds): it validates, computes the new state
 *   and puts it in an in-memory write-behind buffer; a timer flushes the buffer every
 *   `flushIntervalMs` (2 s) in ONE LMDB transaction, and `stop()` flushes what is left.
 *   Reads merge the buffer, so a client always reads its own writes.
 * - Watched: an offset at or past `watchedThreshold` (0.9) of the duration completes the
 *   item: watched = true, viewCount + 1, resume point back to 0.
 * - Explicit actions (mark watched / unwatched, delete) write through at once and drop any
 *   buffered report for the same key, so a late report cannot undo them.
 */
import type { Clock, IndexStore, WatchProgress } from '../../domain/ports.js';
import { systemClock } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';

export interface ProgressOptions {
  flushIntervalMs?: number;
  watchedThreshold?: number;
  clock?: Clock;
  logger?: Logger;
}

/** What a client sees of one item's state (docs/API.md). */
export interface WatchState {
  ratingKey: string;
  viewOffset: number;
  duration: number;
  watched: boolean;
  viewCount: number;
  /** Unix seconds. */
  lastViewedAt?: number;
}

const keyOf = (userId: number, itemId: number): string => `${userId}:${itemId}`;

export class ProgressService {
  readonly threshold: number;
  private readonly clock: Clock;
  private readonly pending = new Map<string, { userId: number; progress: WatchProgress }>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<number> = Promise.resolve(0);
  /** Totals for metrics and benchmarks. */
  readonly stats = { reports: 0, flushes: 0, written: 0 };

  constructor(private readonly index: IndexStore, private readonly durationOf: (item: Item) => number, private readonly options: ProgressOptions = {}) {
    this.threshold = options.watchedThreshold ?? 0.9;
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.flush(); }, this.options.flushIntervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Stop the timer and flush what is buffered. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** One user's progress on one (canonical) item, buffer first. */
  get(userId: number, itemId: number): WatchProgress | undefined {
    return this.pending.get(keyOf(userId, itemId))?.progress ?? this.index.progress.get(userId, itemId);
  }

  /** Record a playback position (buffered). `durationMs` from the client wins when given. */
  report(userId: number, item: Item, offsetMs: number, durationMs?: number): WatchState {
    const now = this.clock.now();
    const base = this.get(userId, item.id);
    const duration = durationMs && durationMs > 0 ? Math.round(durationMs) : base?.durationMs || this.durationOf(item);
    const offset = Math.max(0, Math.round(offsetMs));
    let next: WatchProgress;
    if (duration > 0 && offset >= this.threshold * duration) {
      // Completion counts once: a repeated final report (offset already reset) is not a second view.
      const completes = !base || !base.watched || base.offsetMs > 0;
      next = { itemId: item.id, offsetMs: 0, durationMs: duration, watched: true, viewCount: (base?.viewCount ?? 0) + (completes ? 1 : 0), lastViewedAt: now, updatedAt: now };
    } else {
      next = { itemId: item.id, offsetMs: offset, durationMs: duration, watched: base?.watched ?? false, viewCount: base?.viewCount ?? 0, lastViewedAt: now, updatedAt: now };
    }
    this.pending.set(keyOf(userId, item.id), { userId, progress: next });
    this.stats.reports++;
    return this.view(next);
  }

  /** Mark items watched (write-through, one transaction). Items must be canonical leaves. */
  async markWatched(userId: number, items: Item[]): Promise<number> {
    const now = this.clock.now();
    const entries = items.map((item) => {
      this.pending.delete(keyOf(userId, item.id));
      const base = this.index.progress.get(userId, item.id);
      const progress: WatchProgress = {
        itemId: item.id, offsetMs: 0, durationMs: base?.durationMs || this.durationOf(item), watched: true,
        viewCount: base?.watched ? base.viewCount : (base?.viewCount ?? 0) + 1, lastViewedAt: now, updatedAt: now,
      };
      return { userId, progress };
    });
    return this.index.progress.putMany(entries);
  }

  /** Forget progress on items (unwatched, no resume point). */
  async markUnwatched(userId: number, items: Item[]): Promise<number> {
    for (const item of items) this.pending.delete(keyOf(userId, item.id));
    return this.index.progress.remove(userId, items.map((i) => i.id));
  }

  /** A user's progress, most recent first (buffer flushed first so the order is right). */
  async recent(userId: number, limit: number): Promise<WatchProgress[]> {
    if ([...this.pending.values()].some((p) => p.userId === userId)) await this.flush();
    return [...this.index.progress.recent(userId, limit)];
  }

  view(p: WatchProgress | undefined, itemId?: number, durationMs = 0): WatchState {
    const out: WatchState = {
      ratingKey: String(p?.itemId ?? itemId ?? 0), viewOffset: p?.offsetMs ?? 0, duration: p?.durationMs || durationMs,
      watched: p?.watched ?? false, viewCount: p?.viewCount ?? 0,
    };
    if (p?.lastViewedAt) out.lastViewedAt = Math.floor(p.lastViewedAt / 1000);
    return out;
  }

  /** Drop buffered reports of a removed user. */
  dropUser(userId: number): void {
    for (const [k, v] of this.pending) if (v.userId === userId) this.pending.delete(k);
  }

  /** Buffered reports not yet written. */
  get pendingCount(): number { return this.pending.size; }

  /** Write the buffer in one transaction (serialized: one flush at a time). */
  flush(): Promise<number> {
    this.flushing = this.flushing.then(() => this.flushNow(), () => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<number> {
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending.entries()];
    this.pending.clear();
    try {
      const n = await this.index.progress.putMany(batch.map(([, v]) => v));
      this.stats.flushes++;
      this.stats.written += n;
      return n;
    } catch (err) {
      // Put back what a newer report has not replaced; the next tick retries.
      for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
      this.options.logger?.warn({ err, entries: batch.length }, 'progress flush failed');
      return 0;
    }
  }
}
