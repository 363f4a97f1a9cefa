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

interface Entry { page: PresentedPage; cost: number; used: number }

export class ListingCache {
  private readonly entries = new Map<string, Entry>();
  /** Use counter: a hit only stamps its entry (no Map reordering on the hot path). */
  private clock = 0;
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
      hit.used = ++this.clock;
      return hit.page;
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
    const cost = page.json.length + key.length * 2 + ENTRY_OVERHEAD;
    if (cost > this.maxBytes / 4) return;
    this.entries.set(key, { page, cost, used: ++this.clock });
    this.bytes += cost;
    if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) return;
    // Over budget: drop the least recently used down to 7/8 of it (evictions come in batches,
    // so the sort is paid once per several misses, never on a hit).
    const byAge = [...this.entries].sort((a, b) => a[1].used - b[1].used);
    for (const [k, e] of byAge) {
      if (this.bytes <= this.maxBytes * 7 / 8 && this.entries.size <= this.maxEntries * 7 / 8) break;
      this.entries.delete(k);
      this.bytes -= e.cost;
    }
  }
}
