/**
 * Resolves a file id to what playback needs: the item, its storage adapter and path, a
 * local path when the bytes are local, and access rules (a user restricted to some
 * libraries sees other libraries' files as missing).
 */
import type { AuthInfo } from '../../domain/auth.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { IndexStore, ProbeSource } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';
import type { StorageAdapter } from '../../../storage-adapters/types.js';

export interface MediaSource {
  item: Item;
  adapter: StorageAdapter;
  /** Path within the adapter's root. */
  path: string;
  localPath?: string;
}

export type GetAdapter = (rootId: number) => Promise<StorageAdapter>;

export class MediaSourceResolver {
  constructor(private readonly index: IndexStore, private readonly getAdapter: GetAdapter) {}

  /** Parse a `:fileId` route param (ratingKey string of digits). */
  static parseId(raw: string, what = 'file id'): number {
    if (!/^\d{1,15}$/.test(raw)) throw new ValidationError(`Invalid ${what}`, { field: 'fileId' });
    return Number(raw);
  }

  /** The item, if this user may see it (any kind). */
  visibleItem(id: number, auth?: AuthInfo): Item {
    const item = this.index.items.get(id);
    if (!item || !this.mayAccess(item, auth)) throw new NotFoundError('No such file', 'FILE_NOT_FOUND');
    return item;
  }

  mayAccess(item: Item, auth?: AuthInfo): boolean {
    if (!auth || auth.isAdmin) return true;
    const allowed = this.index.users.get(auth.user.id)?.restrictions?.libraryIds;
    return !allowed || allowed.includes(item.libraryId);
  }

  /** A playable file (video or audio) with its storage. */
  async resolve(id: number, auth?: AuthInfo, opts: { anyMediaType?: boolean } = {}): Promise<MediaSource> {
    const item = this.visibleItem(id, auth);
    if (item.kind !== 'file') throw new NotFoundError('Not a file', 'FILE_NOT_FOUND');
    if (!opts.anyMediaType && item.mediaType !== 'video' && item.mediaType !== 'audio') {
      throw new ValidationError('Not a video or audio file', { mediaType: item.mediaType }, 'NOT_PLAYABLE');
    }
    return this.storageOf(item);
  }

  async storageOf(item: Item): Promise<MediaSource> {
    const lib = this.index.libraries.get(item.libraryId);
    const loc = lib?.locations.find((l) => l.id === item.locationId);
    if (!loc) throw new NotFoundError('The file\'s library location is gone', 'FILE_NOT_FOUND');
    const adapter = await this.getAdapter(loc.rootId);
    const path = loc.path ? (item.relPath ? `${loc.path}/${item.relPath}` : loc.path) : item.relPath;
    const localPath = adapter.localPath?.(path);
    return { item, adapter, path, localPath };
  }

  static probeSource(src: MediaSource): ProbeSource {
    const s: ProbeSource = { name: src.item.name, mediaType: src.item.mediaType, size: src.item.size };
    if (src.localPath) s.localPath = src.localPath;
    else s.open = (start, end, signal) => src.adapter.createReadStream(src.path, { start, end, signal });
    return s;
  }
}
