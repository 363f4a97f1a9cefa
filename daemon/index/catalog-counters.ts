/**
 * Catalog counters (Catalogizer statistics), per library, kept in the same transaction as
 * the items (ItemTxn calls CatalogCounterTxn.apply on every insert, update and removal), so
 * /api/v1/stats answers from a handful of small records and never walks the items.
 *
 *   meta ['cat-counters', libraryId] -> CatalogCounters
 *   meta ['cat-counters-ready']      -> 1 once the one-time backfill of an older index ran
 *
 * Storage items only (kind 'file' | 'dir'); virtual items (shows, albums) are not files.
 */
import type { Key } from 'lmdb';
import type { CatalogCounters } from '../domain/ports.js';
import type { Item } from '../domain/types.js';

export type { CatalogCounters };

export const catalogCountersKey = (libraryId: number): [string, number] => ['cat-counters', libraryId];
export const CATALOG_COUNTERS_RANGE = { start: ['cat-counters'], end: ['cat-counters', Number.MAX_SAFE_INTEGER] };
export const CATALOG_READY_KEY: [string] = ['cat-counters-ready'];

/** Upper bounds (exclusive) of the size buckets tiny, small, medium, large, huge; the rest is massive. */
export const SIZE_BUCKET_LIMITS = [1024, 1024 ** 2, 10 * 1024 ** 2, 100 * 1024 ** 2, 1024 ** 3] as const;

export const emptyCatalogCounters = (): CatalogCounters =>
  ({ files: 0, dirs: 0, bytes: 0, sizes: [0, 0, 0, 0, 0, 0], ext: {}, months: {} });

export function sizeBucket(size: number): number {
  for (let i = 0; i < SIZE_BUCKET_LIMITS.length; i++) if (size < SIZE_BUCKET_LIMITS[i]) return i;
  return SIZE_BUCKET_LIMITS.length;
}

/** '.mkv' (lower-case) or '' for none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot).toLowerCase() : '';
}

/** 'YYYY-MM' (UTC) of an epoch-ms time. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

/** Add (1) or remove (-1) one item's contribution. */
export function applyCatalogItem(c: CatalogCounters, item: Item, sign: 1 | -1): void {
  if (item.kind === 'dir') { c.dirs += sign; return; }
  if (item.kind !== 'file') return;
  c.files += sign;
  c.bytes += sign * item.size;
  c.sizes[sizeBucket(item.size)] += sign;
  const ext = extensionOf(item.name);
  const e = c.ext[ext] ?? (c.ext[ext] = [0, 0, item.mediaType]);
  e[0] += sign;
  e[1] += sign * item.size;
  if (e[0] <= 0) delete c.ext[ext];
  const month = monthOf(item.addedAt);
  const m = c.months[month] ?? (c.months[month] = [0, 0]);
  m[0] += sign;
  m[1] += sign * item.size;
  if (m[0] <= 0) delete c.months[month];
}

/** The per-transaction copy: loaded on first touch, written once in finish(). */
export class CatalogCounterTxn {
  private readonly libs = new Map<number, CatalogCounters>();

  constructor(private readonly read: (key: Key) => unknown) {}

  apply(item: Item, sign: 1 | -1): void {
    if (item.kind !== 'file' && item.kind !== 'dir') return;
    let c = this.libs.get(item.libraryId);
    if (!c) {
      const stored = this.read(catalogCountersKey(item.libraryId)) as CatalogCounters | undefined;
      c = stored ? structuredClone(stored) : emptyCatalogCounters();
      this.libs.set(item.libraryId, c);
    }
    applyCatalogItem(c, item, sign);
  }

  flush(put: (key: Key, value: unknown) => void, remove: (key: Key) => void): void {
    for (const [id, c] of this.libs) {
      if (c.files > 0 || c.dirs > 0) put(catalogCountersKey(id), c); else remove(catalogCountersKey(id));
    }
  }
}
