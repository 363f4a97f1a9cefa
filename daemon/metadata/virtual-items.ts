/**
 * Virtual items in the one id space: movie; show -> season -> episode; artist -> album ->
 * track. Files attach to them (file.meta.virtualId; virtual.meta.fileIds), so a movie in
 * two parts or two versions (1080p and 2160p) is one movie with several files.
 *
 * Lookups go through the index (ItemRepo.findVirtual: by normalised title + year under a
 * parent, or by provider id), never through a scan. Callers run one identification at a
 * time (IdentifyService's queue), so find-then-create cannot race.
 */
import type { IndexStore } from '../domain/ports.js';
import type { Item, ItemKind, MediaType } from '../domain/types.js';
import { matchKey } from './merge.js';

const MEDIA_TYPE: Partial<Record<ItemKind, MediaType>> = {
  movie: 'video', episode: 'video', track: 'audio', show: 'folder', season: 'folder', artist: 'folder', album: 'folder',
};

export interface EnsureInput {
  kind: ItemKind;
  libraryId: number;
  parentId: number;
  title: string;
  year?: number;
  /** Fields set on creation only (later changes go through updateMeta and locks). */
  meta?: Record<string, unknown>;
  /** Provider id to try first (tmdbId from an NFO). */
  tmdbId?: number;
}

export class VirtualItems {
  constructor(private readonly index: IndexStore) {}

  /** Find the virtual item for (kind, parent, title, year) or create it. */
  async ensure(input: EnsureInput): Promise<Item> {
    const key = matchKey(input.title) || matchKey(String(input.meta?.name ?? '')) || '_';
    const items = this.index.items;
    if (input.tmdbId) {
      const byId = items.findVirtual({ libraryId: input.libraryId, kind: input.kind, provider: 'tmdbId', providerId: input.tmdbId });
      if (byId) return byId;
    }
    const found = items.findVirtual({ libraryId: input.libraryId, kind: input.kind, parentId: input.parentId, matchKey: key, year: input.year ?? 0 });
    if (found) return found;
    return items.createVirtual({
      kind: input.kind,
      libraryId: input.libraryId,
      locationId: 0,
      parentId: input.parentId,
      name: input.title || 'Unknown',
      relPath: '',
      mediaType: MEDIA_TYPE[input.kind] ?? 'folder',
      size: 0,
      mtimeMs: 0,
      offline: false,
      meta: { title: input.title || 'Unknown', matchKey: key, ...(input.year ? { year: input.year } : {}), ...(input.tmdbId ? { tmdbId: input.tmdbId } : {}), ...input.meta, fileIds: [] },
    });
  }

  /** Attach a file to a virtual item (and detach it from the previous one). */
  async attach(file: Item, target: Item): Promise<void> {
    const previous = typeof file.meta?.virtualId === 'number' ? file.meta.virtualId : undefined;
    if (previous !== undefined && previous !== target.id) await this.detach(file.id, previous);
    const ids = fileIdsOf(target);
    if (!ids.includes(file.id)) await this.index.items.updateMeta(target.id, { fileIds: [...ids, file.id] });
  }

  /** Remove a file from a virtual item; the item (and empty parents) go when no file is left. */
  async detach(fileId: number, virtualId: number): Promise<void> {
    const v = this.index.items.get(virtualId);
    if (!v) return;
    const ids = fileIdsOf(v).filter((id) => id !== fileId);
    if (ids.length) { await this.index.items.updateMeta(v.id, { fileIds: ids }); return; }
    await this.removeEmpty(v);
  }

  /** Drop file ids that no longer exist; remove virtual items left without files. */
  async prune(v: Item): Promise<void> {
    const ids = fileIdsOf(v);
    const alive = ids.filter((id) => this.index.items.get(id) !== undefined);
    if (alive.length === ids.length && (alive.length > 0 || (v.childCount ?? 0) > 0)) return;
    if (alive.length) await this.index.items.updateMeta(v.id, { fileIds: alive });
    else await this.removeEmpty(v);
  }

  private async removeEmpty(v: Item): Promise<void> {
    if ((v.childCount ?? 0) > 0 || fileIdsOf(v).some((id) => this.index.items.get(id))) {
      await this.index.items.updateMeta(v.id, { fileIds: fileIdsOf(v).filter((id) => this.index.items.get(id)) });
      return;
    }
    await this.index.items.applyBatch({ removeIds: [v.id] });
    const parent = v.parentId > 0 ? this.index.items.get(v.parentId) : undefined;
    if (parent && parent.kind !== 'dir' && parent.kind !== 'file' && (parent.childCount ?? 0) === 0 && fileIdsOf(parent).length === 0) {
      await this.removeEmpty(parent);
    }
  }
}

export function fileIdsOf(v: Item): number[] {
  const ids = v.meta?.fileIds;
  return Array.isArray(ids) ? ids.filter((x): x is number => typeof x === 'number') : [];
}
