/**
 * Where an indexed item's bytes are: its location's storage adapter and the path within
 * that root (location path + the item's relPath). Storage errors pass through as
 * StorageError (mapped to 404/503/... by daemon/http).
 */
import type { IndexStore, ProbeSource } from '../../domain/ports.js';
import type { Item, Library } from '../../domain/types.js';
import { NotFoundError } from '../../domain/errors.js';
import type { StorageAdapter } from '../../../storage-adapters/types.js';

export type GetAdapter = (rootId: number) => Promise<StorageAdapter>;

export interface ItemLocation { adapter: StorageAdapter; path: string }

export const joinStoragePath = (base: string, rel: string): string =>
  base && rel ? `${base.replace(/\/+$/, '')}/${rel}` : base || rel;

export class ItemStorage {
  constructor(private readonly index: IndexStore, private readonly getAdapter: GetAdapter) {}

  /** `library`: the item's library when the caller already read it (saves a lookup and decode). */
  async locate(item: Item, library?: Library): Promise<ItemLocation> {
    const lib = library?.id === item.libraryId ? library : this.index.libraries.get(item.libraryId);
    const loc = lib?.locations.find((l) => l.id === item.locationId);
    if (!loc) throw new NotFoundError('File not found', 'PATH_NOT_FOUND');
    return { adapter: await this.getAdapter(loc.rootId), path: joinStoragePath(loc.path, item.relPath) };
  }

  /** A probe/thumbnail source: a local path when the adapter has one, else ranged reads. */
  async source(item: Item): Promise<ProbeSource> {
    const { adapter, path } = await this.locate(item);
    const localPath = adapter.localPath?.(path);
    return {
      name: item.name,
      mediaType: item.mediaType,
      size: item.size,
      ...(localPath ? { localPath } : {}),
      open: (start, end, signal) => adapter.createReadStream(path, { start, end, signal }),
    };
  }
}
