/**
 * Batches scanner writes into ItemRepo.applyBatch calls and publishes item events.
 *
 * Contract: batches are applied strictly in the order they were queued (one promise chain),
 * so a directory queued before its children is always committed first. Each applyBatch is
 * one LMDB transaction; a crash between batches leaves a consistent, partly updated index
 * that the next scan converges. The first failure rejects every later flush.
 */
import type { EventBus, ItemBatch, ItemBatchResult, ItemRepo, ItemUpsert } from '../domain/ports.js';

export interface BatchTotals {
  batches: number;
  added: number;
  changed: number;
  removed: number;
}

export class BatchWriter {
  readonly totals: BatchTotals = { batches: 0, added: 0, changed: 0, removed: 0 };
  private pending: ItemUpsert[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly items: ItemRepo,
    private readonly events: EventBus,
    private readonly libraryId: number,
    readonly batchSize: number,
  ) {}

  /** Queue an upsert; callers await `flushIfFull()` for backpressure. */
  upsert(upsert: ItemUpsert): void {
    this.pending.push(upsert);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Flush when a full batch is waiting. Resolves once the batch BEFORE it is written, so
   * one batch commits while the walk lists the next directories (bounded: at most two).
   */
  flushIfFull(): Promise<void> | undefined {
    if (this.pending.length < this.batchSize) return undefined;
    const previous = this.chain;
    void this.flush().catch(() => undefined); // the failure surfaces through later awaits
    return previous;
  }

  /** Queue the waiting upserts as batches; resolves when everything queued so far is written. */
  flush(): Promise<void> {
    while (this.pending.length > 0) {
      const upserts = this.pending.splice(0, this.batchSize);
      this.enqueue({ upserts });
    }
    return this.chain;
  }

  /** Flush waiting upserts, then apply `batch` (moves, removals) in chunks of batchSize. */
  apply(batch: ItemBatch): Promise<void> {
    this.flush();
    for (const moves of chunks(batch.moves ?? [], this.batchSize)) this.enqueue({ moves });
    for (const upserts of chunks(batch.upserts ?? [], this.batchSize)) this.enqueue({ upserts });
    for (const removeIds of chunks(batch.removeIds ?? [], this.batchSize)) this.enqueue({ removeIds });
    return this.chain;
  }

  private enqueue(batch: ItemBatch): void {
    this.chain = this.chain.then(async () => {
      const result = await this.items.applyBatch(batch);
      this.totals.batches++;
      this.publish(result);
    });
  }

  private publish(result: ItemBatchResult): void {
    const { libraryId } = this;
    this.totals.added += result.added.length;
    this.totals.changed += result.changed.length;
    this.totals.removed += result.removedIds.length;
    if (result.added.length) this.events.emit({ type: 'items.added', libraryId, ids: result.added.map((i) => i.id) });
    if (result.changed.length) this.events.emit({ type: 'items.changed', libraryId, ids: result.changed.map((i) => i.id) });
    if (result.removedIds.length) {
      for (const ids of chunks(result.removedIds, this.batchSize)) this.events.emit({ type: 'items.removed', libraryId, ids });
    }
  }
}

export function* chunks<T>(list: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}
