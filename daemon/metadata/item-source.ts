/**
 * Reading small files of the index (NFO sidecars, artwork) through their storage adapter.
 * Resolves item -> (root, path within root) from the item's library location.
 */
import type { IndexStore } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';

export type GetAdapter = (rootId: number) => Promise<StorageAdapter>;

export interface ItemLocation { adapter: StorageAdapter; path: string }

export class ItemSource {
  constructor(private readonly index: IndexStore, private readonly getAdapter: GetAdapter) {}

  /** Adapter and adapter-relative path of a storage item; undefined for virtual items. */
  async locate(item: Item): Promise<ItemLocation | undefined> {
    if (item.locationId <= 0) return undefined;
    const lib = this.index.libraries.get(item.libraryId);
    const loc = lib?.locations.find((l) => l.id === item.locationId);
    if (!loc) return undefined;
    const adapter = await this.getAdapter(loc.rootId);
    const path = loc.path ? (item.relPath ? `${loc.path}/${item.relPath}` : loc.path) : item.relPath;
    return { adapter, path };
  }

  /** The whole content of a small file (refuses files above `maxBytes`). */
  async readText(item: Item, maxBytes = 512 * 1024, signal?: AbortSignal): Promise<string | undefined> {
    if (item.size > maxBytes) return undefined;
    const where = await this.locate(item);
    if (!where) return undefined;
    const stream = await where.adapter.createReadStream(where.path, { signal });
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) { (stream as { destroy?: () => void }).destroy?.(); return undefined; }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
