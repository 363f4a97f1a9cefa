/**
 * AccessRepo over LMDB (meta sub-db): recorded reads (downloads, streams) for Catalogizer's
 * access statistics. Every record() is one transaction that updates, for the item's library
 * and for the 0 ("all libraries") scope alike:
 *
 *   ['acc-day', lib, day]            -> reads that day (day = UTC day number)
 *   ['acc-item', itemId]             -> { count, lastDay }
 *   ['acc-last', lib, lastDay, id]   -> null   (distinct items by last read day: range counts)
 *   ['acc-distinct', lib]            -> distinct items ever read
 *   ['acc-ext', lib, ext] / ['acc-dir', lib, parentId] -> reads
 *   ['acc-iday', itemId, day]        -> reads of one item that day (trending in a time range)
 */
import type { AccessRepo } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { writeTxn, type IndexDbs } from './env.js';
import { extensionOf } from './catalog-counters.js';

const DAY_MS = 86_400_000;
export const dayNumber = (ms: number): number => Math.floor(ms / DAY_MS);

interface ItemAccess { count: number; lastDay: number }

export class LmdbAccessRepo implements AccessRepo {
  constructor(private readonly dbs: IndexDbs) {}

  private get meta() { return this.dbs.meta; }

  async record(item: Item, at: number): Promise<void> {
    const day = dayNumber(at);
    const { meta } = this;
    const bump = (key: (string | number)[]): void => { meta.put(key, ((meta.get(key) as number | undefined) ?? 0) + 1); };
    writeTxn(this.dbs, () => {
      const prev = meta.get(['acc-item', item.id]) as ItemAccess | undefined;
      meta.put(['acc-item', item.id], { count: (prev?.count ?? 0) + 1, lastDay: day });
      bump(['acc-iday', item.id, day]);
      for (const lib of [item.libraryId, 0]) {
        bump(['acc-day', lib, day]);
        if (prev) meta.remove(['acc-last', lib, prev.lastDay, item.id]);
        else bump(['acc-distinct', lib]);
        meta.put(['acc-last', lib, day, item.id], null);
        bump(['acc-ext', lib, extensionOf(item.name) || 'none']);
        bump(['acc-dir', lib, item.parentId]);
      }
    });
  }

  daily(libraryId: number, fromDay: number, toDay: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const { key, value } of this.meta.getRange({ start: ['acc-day', libraryId, fromDay], end: ['acc-day', libraryId, toDay + 1] })) {
      out.set((key as [string, number, number])[2], value as number);
    }
    return out;
  }

  recentlyAccessed(libraryId: number, sinceDay: number): number {
    return this.meta.getKeysCount({ start: ['acc-last', libraryId, sinceDay], end: ['acc-last', libraryId + 1] });
  }

  accessedItems(libraryId: number): number {
    return (this.meta.get(['acc-distinct', libraryId]) as number | undefined) ?? 0;
  }

  readsSince(sinceDay: number, cap = 50_000): { itemId: number; reads: number; lastDay: number }[] {
    const out: { itemId: number; reads: number; lastDay: number }[] = [];
    for (const key of this.meta.getKeys({ start: ['acc-last', 0, sinceDay], end: ['acc-last', 1] })) {
      if (out.length >= cap) break;
      const [, , lastDay, itemId] = key as [string, number, number, number];
      let reads = 0;
      for (const { value } of this.meta.getRange({ start: ['acc-iday', itemId, sinceDay], end: ['acc-iday', itemId + 1] })) reads += value as number;
      // Reads recorded before per-day item counts existed: the last one is known to be in range.
      out.push({ itemId, reads: Math.max(1, reads), lastDay });
    }
    return out;
  }

  top(libraryId: number, kind: 'ext' | 'dir', limit: number): { key: string | number; count: number }[] {
    const prefix = kind === 'ext' ? 'acc-ext' : 'acc-dir';
    const all: { key: string | number; count: number }[] = [];
    for (const { key, value } of this.meta.getRange({ start: [prefix, libraryId], end: [prefix, libraryId + 1] })) {
      all.push({ key: (key as [string, number, string | number])[2], count: value as number });
    }
    return all.sort((a, b) => b.count - a.count).slice(0, limit);
  }
}
