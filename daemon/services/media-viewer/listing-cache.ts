/**
 * Presented listing pages, serialised once and served again until the index changes.
 *
 * A page of /api/files is a pure function of the index (items, tags, favorites, libraries,
 * users) and of the request (path, sort, order, type filter, page, pageSize, and the
 * viewer: favorites are per user, visible libraries per restriction). The cache keys on
 * all of the request's part and remembers the index's write generation: when that moves
 * (any committed write, see daemon/index/write-generation.ts) every entry is dropped before
 * the next answer, so a page is never older than the last write.
 *
 * Bounded: least recently used pages are evicted past `maxBytes` (body + key) or
 * `maxEntries`; a page larger than a quarter of the budget is never kept.
 */
import { createHash } from 'node:crypto';

/** A serialised JSON answer and its strong entity tag (quoted md5 of the bytes). */
export interface PresentedPage {
  json: Buffer;
  etag: string;
}

export interface ListingCacheOptions {
  /** Byte budget for bodies and keys (default 4 MiB). */
  maxBytes?: number;
  /** Entry limit (default 1024). */
  maxEntries?: number;
}

export const DEFAULT_LISTING_CACHE_BYTES = 4 * 1024 * 1024;
const ENTRY_OVERHEAD = 160;

export function presentJson(value: unknown): PresentedPage {
  const json = Buffer.from(JSON.stringify(value));
  return { json, etag: `"${createHash('md5').update(json).digest('hex')}"` };
}

export class ListingCache {
  private readonly entries = new Map<string, PresentedPage>();
  private generation = -1;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  /** Counters for tests and diagnostics. */
  hits = 0;
  misses = 0;

  constructor(private readonly currentGeneration: () => number, o: ListingCacheOptions = {}) {
    this.maxBytes = o.maxBytes ?? DEFAULT_LISTING_CACHE_BYTES;
    this.maxEntries = o.maxEntries ?? 1024;
  }

  get size(): number { return this.entries.size; }
  get usedBytes(): number { return this.bytes; }

  /** The cached page for `key`, or `build()`'s value serialised (and kept when it fits). */
  get(key: string, build: () => unknown): PresentedPage {
    const generation = this.currentGeneration();
    if (generation !== this.generation) this.clear(generation);
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      // Most recently used last: Map iteration order is insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    const page = presentJson(build());
    // build() is synchronous; a write it caused (none should) would make the page suspect.
    if (this.currentGeneration() === generation) this.keep(key, page);
    return page;
  }

  clear(generation = this.generation): void {
    this.entries.clear();
    this.bytes = 0;
    this.generation = generation;
  }

  private keep(key: string, page: PresentedPage): void {
    const cost = costOf(key, page);
    if (cost > this.maxBytes / 4) return;
    this.entries.set(key, page);
    this.bytes += cost;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
      this.bytes -= costOf(k, v);
    }
  }
}

function costOf(key: string, page: PresentedPage): number {
  return page.json.length + key.length * 2 + ENTRY_OVERHEAD;
}
