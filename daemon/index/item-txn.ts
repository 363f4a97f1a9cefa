/**
 * The write side for items, used inside ONE LMDB write transaction. It keeps changed
 * items in a dirty map (so a parent touched by 1,000 children is written once), advances
 * the shared item counter, keeps indexes and counters in step, and writes everything in
 * finish(). Callers: ItemRepo (batches, probes, meta) and LibraryRepo (root items, purge).
 */
import type { IndexCounters, Item } from '../domain/types.js';
import { ConflictError } from '../domain/errors.js';
import { applyItem, cloneCounters } from './counters.js';
import { writeTxn, type IndexDbs, type IndexState } from './env.js';
import { writeIndexDiff } from './item-indexes.js';
import { MetaCounterTxn } from './meta-indexes.js';
import { CatalogCounterTxn } from './catalog-counters.js';
import { unlinkItemFavorites } from './favorite.repo.js';
import { unlinkItemTags } from './tag.repo.js';
import { unlinkItemProgress } from './progress.repo.js';
import { unlinkItemWatchlist } from './watchlist.repo.js';
import { childSegment, childIdOf, META_COUNTERS, pathKey, seqKey } from './keys.js';

export class ItemTxn {
  readonly counters: IndexCounters;
  private readonly dirty = new Map<number, Item>();
  private seq: number | undefined;
  /** Per-library counters and metadata sort counts (meta-indexes.ts), same transaction. */
  private readonly metaCounters: MetaCounterTxn;
  /** Catalogizer statistics counters per library (catalog-counters.ts), same transaction. */
  private readonly catalogCounters: CatalogCounterTxn;

  constructor(private readonly dbs: IndexDbs, counters: IndexCounters, readonly now: number) {
    this.counters = cloneCounters(counters);
    this.metaCounters = new MetaCounterTxn((k) => this.dbs.meta.get(k));
    this.catalogCounters = new CatalogCounterTxn((k) => this.dbs.meta.get(k));
  }

  get(id: number): Item | undefined {
    return this.dirty.get(id) ?? this.dbs.items.get(id);
  }

  idByPath(locationId: number, relPath: string): number | undefined {
    return this.dbs.itemPath.get(pathKey(locationId, relPath));
  }

  nextId(): number {
    this.seq = (this.seq ?? ((this.dbs.meta.get(seqKey('item')) as number | undefined) ?? 0)) + 1;
    return this.seq;
  }

  /** Insert a new item (id already assigned); bumps the parent's childCount. */
  insert(item: Item): Item {
    if (item.parentId > 0) this.adjustChildCount(item.parentId, 1);
    writeIndexDiff(this.dbs, undefined, item);
    applyItem(this.counters, item, 1);
    this.metaCounters.apply(item, 1);
    this.catalogCounters.apply(item, 1);
    this.dirty.set(item.id, item);
    return item;
  }

  /** Replace `before` by `after` (same id): indexes diffed, counters and childCounts moved. */
  update(before: Item, after: Item): Item {
    if (before.parentId !== after.parentId) {
      if (before.parentId > 0) this.adjustChildCount(before.parentId, -1);
      if (after.parentId > 0) this.adjustChildCount(after.parentId, 1);
    }
    writeIndexDiff(this.dbs, before, after);
    applyItem(this.counters, before, -1);
    applyItem(this.counters, after, 1);
    this.metaCounters.apply(before, -1);
    this.metaCounters.apply(after, 1);
    this.catalogCounters.apply(before, -1);
    this.catalogCounters.apply(after, 1);
    this.dirty.set(after.id, after);
    return after;
  }

  /** Delete one item (not its children) with its index entries, tag links and favorites. */
  removeOne(item: Item): void {
    if (item.parentId > 0 && this.get(item.parentId)) this.adjustChildCount(item.parentId, -1);
    writeIndexDiff(this.dbs, item, undefined);
    // User data on the item goes in this same transaction, so it can never point at nothing.
    unlinkItemTags(this.dbs, item.id);
    unlinkItemFavorites(this.dbs, item.id);
    unlinkItemProgress(this.dbs, item.id);
    unlinkItemWatchlist(this.dbs, item.id);
    applyItem(this.counters, item, -1);
    this.metaCounters.apply(item, -1);
    this.catalogCounters.apply(item, -1);
    this.dirty.delete(item.id);
    this.dbs.items.remove(item.id);
  }

  /** Delete an item and its whole subtree; returns the removed ids (parents first). */
  removeSubtree(id: number): number[] {
    const top = this.get(id);
    if (!top) return [];
    const order: Item[] = [];
    const queue: Item[] = [top];
    for (let q = 0; q < queue.length; q++) {
      const item = queue[q];
      order.push(item);
      for (const childId of this.childIds(item.id)) {
        const child = this.get(childId);
        if (child) queue.push(child);
      }
    }
    // Children first, so each parent still exists when its childCount is decremented.
    for (let i = order.length - 1; i >= 0; i--) this.removeOne(order[i]);
    return order.map((i) => i.id);
  }

  /** Ids of the direct children (name order), read from the children index. */
  childIds(parentId: number): number[] {
    const ids: number[] = [];
    for (const rank of [0, 1] as const) {
      for (const key of this.dbs.itemChildren.getKeys(childSegment('n', parentId, rank))) {
        ids.push(childIdOf(key as (string | number)[]));
      }
    }
    return ids;
  }

  private adjustChildCount(parentId: number, delta: number): void {
    const parent = this.get(parentId);
    if (!parent) throw new ConflictError(`parent item ${parentId} does not exist`);
    this.dirty.set(parentId, { ...parent, childCount: Math.max(0, (parent.childCount ?? 0) + delta) });
  }

  /** Write dirty items, the item counter and the counters. */
  finish(): void {
    for (const item of this.dirty.values()) this.dbs.items.put(item.id, item);
    if (this.seq !== undefined) this.dbs.meta.put(seqKey('item'), this.seq);
    this.dbs.meta.put(META_COUNTERS, this.counters);
    this.metaCounters.flush((k, v) => this.dbs.meta.put(k, v), (k) => { this.dbs.meta.remove(k); });
    this.catalogCounters.flush((k, v) => this.dbs.meta.put(k, v), (k) => { this.dbs.meta.remove(k); });
  }
}

/** Run `fn` with an ItemTxn inside one write transaction; counters swap in after commit. */
export function runItemTxn<T>(state: IndexState, fn: (tx: ItemTxn) => T): T {
  let tx: ItemTxn | undefined;
  const result = writeTxn(state.dbs, () => {
    tx = new ItemTxn(state.dbs, state.counters, state.now());
    const r = fn(tx);
    tx.finish();
    return r;
  });
  if (tx) state.counters = tx.counters;
  return result;
}
