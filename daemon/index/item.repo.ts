/**
 * ItemRepo over LMDB. Reads go straight to the databases; every write runs in one
 * ItemTxn (one LMDB transaction) so items, indexes, childCounts and counters move together.
 */
import type { ChildPageQuery, ContentMarked, ItemBatch, ItemBatchResult, ItemRepo, MetaListQuery, Page, VirtualLookup } from '../domain/ports.js';
import type { IndexCounters, Item, LibraryCounters, ItemKind, MediaType, ProbeInfo, ProbeState } from '../domain/types.js';
import type { Key } from 'lmdb';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { cloneCounters } from './counters.js';
import type { IndexState } from './env.js';
import { contentMarked, inheritorsOf } from './content-query.js';
import { applyBatchInTxn } from './item-batch.js';
import { iterateChildren, listChildren, searchByName } from './item-query.js';
import { runItemTxn } from './item-txn.js';
import { findVirtual, libraryCounters, listByMeta } from './meta-query.js';
import { libraryItemRange, locationPathRange, pathKey } from './keys.js';

interface PendingProbe {
  id: number; state: ProbeState; probe?: ProbeInfo; error?: string;
  resolve: () => void; reject: (err: unknown) => void;
}

/** Items flipped per transaction by setLocationOffline (bounded write-lock time). */
const OFFLINE_CHUNK = 5_000;

export class LmdbItemRepo implements ItemRepo {
  constructor(private readonly state: IndexState) {}

  private get dbs() { return this.state.dbs; }

  get(id: number): Item | undefined {
    return this.dbs.items.get(id);
  }

  getMany(ids: number[]): (Item | undefined)[] {
    return ids.map((id) => this.dbs.items.get(id));
  }

  getByPath(locationId: number, relPath: string): Item | undefined {
    const id = this.dbs.itemPath.get(pathKey(locationId, relPath));
    return id === undefined ? undefined : this.dbs.items.get(id);
  }

  listChildren(parentId: number, query?: ChildPageQuery): Page<Item> {
    return listChildren(this.dbs, parentId, query);
  }

  iterateChildren(parentId: number): Iterable<Item> {
    return iterateChildren(this.dbs, parentId);
  }

  *iterateLibrary(libraryId: number): Iterable<Item> {
    const range = libraryItemRange(libraryId);
    let start: [number, number] | number[] = range.start;
    let exclusiveStart = false;
    for (;;) {
      const keys = [...this.dbs.itemByLibrary.getKeys({ start, end: range.end, limit: 1000, exclusiveStart })] as [number, number][];
      for (const [, id] of keys) {
        const item = this.dbs.items.get(id);
        if (item) yield item;
      }
      if (keys.length < 1000) return;
      start = keys[keys.length - 1];
      exclusiveStart = true;
    }
  }

  async applyBatch(batch: ItemBatch): Promise<ItemBatchResult> {
    return runItemTxn(this.state, (tx) => applyBatchInTxn(tx, batch));
  }

  async setLocationOffline(locationId: number, offline: boolean): Promise<number> {
    const range = locationPathRange(locationId);
    let start: Key = range.start;
    let exclusiveStart = false;
    let flipped = 0;
    for (;;) {
      const entries: { key: Key; value: number }[] = [...this.dbs.itemPath.getRange({ start, end: range.end, limit: OFFLINE_CHUNK, exclusiveStart })];
      if (entries.length === 0) break;
      flipped += runItemTxn(this.state, (tx) => {
        let n = 0;
        for (const { value: id } of entries) {
          const item = tx.get(id);
          if (!item || item.offline === offline) continue;
          tx.update(item, { ...item, offline });
          n++;
        }
        return n;
      });
      if (entries.length < OFFLINE_CHUNK) break;
      start = entries[entries.length - 1].key;
      exclusiveStart = true;
    }
    return flipped;
  }

  pendingProbe(afterId: number, limit: number): Item[] {
    const out: Item[] = [];
    for (const id of this.dbs.itemPending.getKeys({ start: afterId, exclusiveStart: true, limit })) {
      const item = this.dbs.items.get(id as number);
      if (item) out.push(item);
    }
    return out;
  }

  /**
   * Group commit: calls made in the same tick (a probe job recording a page of results)
   * share ONE transaction, committed on a microtask; each promise settles after that
   * commit. A commit costs milliseconds, far more than probing an image in process, so one
   * per result would dominate a scan with metadata. A missing item rejects only its own
   * call (NotFoundError); the others still commit.
   */
  setProbe(id: number, state: ProbeState, probe?: ProbeInfo, error?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.probeWrites.push({ id, state, probe, error, resolve, reject });
      if (this.probeWrites.length === 1) queueMicrotask(() => this.commitProbes());
    });
  }

  private probeWrites: PendingProbe[] = [];

  private commitProbes(): void {
    const batch = this.probeWrites;
    this.probeWrites = [];
    const missing = new Set<PendingProbe>();
    try {
      runItemTxn(this.state, (tx) => {
        for (const w of batch) {
          const item = tx.get(w.id);
          if (!item) { missing.add(w); continue; }
          const next: Item = { ...item, probeState: w.state, updatedAt: tx.now };
          if (w.probe !== undefined) next.probe = w.probe;
          if (w.error !== undefined) next.probeError = w.error; else delete next.probeError;
          tx.update(item, next);
        }
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    for (const w of batch) {
      if (missing.has(w)) w.reject(new NotFoundError(`item ${w.id} not found`));
      else w.resolve();
    }
  }

  async setSidecars(ownerId: number, sidecarIds: number[]): Promise<void> {
    runItemTxn(this.state, (tx) => {
      const owner = tx.get(ownerId);
      if (!owner) throw new NotFoundError(`item ${ownerId} not found`);
      // Sidecars that are no longer attached lose their owner link.
      for (const old of owner.sidecarIds ?? []) {
        if (sidecarIds.includes(old)) continue;
        const s = tx.get(old);
        if (s && s.ownerId === ownerId) { const next = { ...s }; delete next.ownerId; tx.update(s, next); }
      }
      for (const sid of sidecarIds) {
        const s = tx.get(sid);
        if (!s) throw new NotFoundError(`sidecar item ${sid} not found`);
        if (s.ownerId !== ownerId) tx.update(s, { ...s, ownerId });
      }
      const next: Item = { ...owner, sidecarIds: [...sidecarIds] };
      if (sidecarIds.length === 0) delete next.sidecarIds;
      tx.update(owner, next);
    });
  }

  async updateMeta(id: number, meta: Record<string, unknown>, lockedFields?: string[]): Promise<Item | undefined> {
    return runItemTxn(this.state, (tx) => {
      const item = tx.get(id);
      if (!item) return undefined;
      const next: Item = { ...item, meta: { ...(item.meta ?? {}), ...meta }, updatedAt: tx.now };
      if (lockedFields !== undefined) next.lockedFields = [...lockedFields];
      return tx.update(item, next); // re-indexes search tokens when title/originalTitle change
    });
  }

  searchByName(query: string, opts?: { libraryIds?: number[]; mediaTypes?: MediaType[]; kinds?: ItemKind[]; offset?: number; limit?: number }): Page<Item> {
    return searchByName(this.dbs, query, opts);
  }

  counters(): IndexCounters {
    return cloneCounters(this.state.counters);
  }

  async createVirtual(input: Omit<Item, 'id' | 'addedAt' | 'updatedAt'>): Promise<Item> {
    return runItemTxn(this.state, (tx) => {
      if (input.kind === 'dir' || input.kind === 'file') {
        throw new ValidationError(`createVirtual is for virtual items, not '${input.kind}'`);
      }
      // A new item has no children yet, whatever the caller passed.
      const item: Item = { ...input, id: tx.nextId(), addedAt: tx.now, updatedAt: tx.now, childCount: 0 };
      return tx.insert(item);
    });
  }

  async updateMetaMany(updates: { id: number; meta: Record<string, unknown> }[]): Promise<number> {
    return runItemTxn(this.state, (tx) => {
      let n = 0;
      for (const u of updates) {
        const item = tx.get(u.id);
        if (!item) continue;
        tx.update(item, { ...item, meta: { ...(item.meta ?? {}), ...u.meta }, updatedAt: tx.now });
        n++;
      }
      return n;
    });
  }

  libraryCounters(libraryId: number): LibraryCounters {
    return libraryCounters(this.dbs, libraryId);
  }

  listByMeta(query: MetaListQuery): Page<Item> {
    return listByMeta(this.dbs, query);
  }

  findVirtual(query: VirtualLookup): Item | undefined {
    return findVirtual(this.dbs, query);
  }

  contentMarked(libraryId: number): ContentMarked[] {
    return contentMarked(this.dbs, libraryId);
  }

  inheritorsOf(ids: Iterable<number>): number[] {
    return inheritorsOf(this.dbs, ids);
  }
}
