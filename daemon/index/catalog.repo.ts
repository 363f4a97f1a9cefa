/**
 * CatalogRepo over LMDB (meta sub-db): per-library catalog counters (written by ItemTxn,
 * read here), cached content hashes and the duplicate detector's results.
 *
 *   meta ['cat-hash', itemId]    -> FileHashes (valid while size and mtime match the item)
 *   meta ['cat-dups', libraryId] -> DuplicateResult
 */
import type { CatalogCounters, CatalogRepo, DuplicateResult, FileHashes } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { writeTxn, type IndexDbs } from './env.js';
import type { LmdbIndexStore } from './lmdb-store.js';
import { LmdbAccessRepo } from './access.repo.js';
import { trackAsyncWrite } from './map-release.js';
import {
  applyCatalogItem, catalogCountersKey, CATALOG_COUNTERS_RANGE, CATALOG_READY_KEY, emptyCatalogCounters,
} from './catalog-counters.js';

const hashKey = (itemId: number): [string, number] => ['cat-hash', itemId];
const dupsKey = (libraryId: number): [string, number] => ['cat-dups', libraryId];

export class LmdbCatalogRepo implements CatalogRepo {
  constructor(private readonly dbs: IndexDbs) {}

  private get meta() { return this.dbs.meta; }

  counters(libraryId: number): CatalogCounters {
    return (this.meta.get(catalogCountersKey(libraryId)) as CatalogCounters | undefined) ?? emptyCatalogCounters();
  }

  hashes(itemId: number): FileHashes | undefined {
    return this.meta.get(hashKey(itemId)) as FileHashes | undefined;
  }

  async putHashes(itemId: number, hashes: FileHashes): Promise<void> {
    await trackAsyncWrite(this.dbs, this.meta.put(hashKey(itemId), hashes));
  }

  duplicates(libraryId: number): DuplicateResult | undefined {
    return this.meta.get(dupsKey(libraryId)) as DuplicateResult | undefined;
  }

  async putDuplicates(result: DuplicateResult): Promise<void> {
    await trackAsyncWrite(this.dbs, this.meta.put(dupsKey(result.libraryId), result));
  }
}

/**
 * One-time recount for an index written before catalog counters existed: one write
 * transaction over every item (consistent with concurrent writers, which wait for it).
 * Returns the number of items counted, or -1 when the counters were already kept.
 */
export function backfillCatalogCounters(dbs: IndexDbs): number {
  if (dbs.meta.get(CATALOG_READY_KEY) !== undefined) return -1;
  return writeTxn(dbs, () => {
    const libs = new Map<number, CatalogCounters>();
    let n = 0;
    for (const { value } of dbs.items.getRange({})) {
      const item = value as Item;
      if (item.kind !== 'file' && item.kind !== 'dir') continue;
      let c = libs.get(item.libraryId);
      if (!c) libs.set(item.libraryId, (c = emptyCatalogCounters()));
      applyCatalogItem(c, item, 1);
      n++;
    }
    for (const { key } of dbs.meta.getRange(CATALOG_COUNTERS_RANGE)) dbs.meta.remove(key);
    for (const [id, c] of libs) dbs.meta.put(catalogCountersKey(id), c);
    dbs.meta.put(CATALOG_READY_KEY, 1);
    return n;
  });
}

/**
 * The Catalogizer repos of an open store (they live in its meta sub-db, so opening them
 * needs no schema change); backfills the catalog counters of an older index first.
 */
export function openCatalogRepos(store: LmdbIndexStore): { catalog: LmdbCatalogRepo; access: LmdbAccessRepo; backfilled: number } {
  const backfilled = backfillCatalogCounters(store.dbs);
  return { catalog: new LmdbCatalogRepo(store.dbs), access: new LmdbAccessRepo(store.dbs), backfilled };
}
