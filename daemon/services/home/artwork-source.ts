/**
 * Where an item's poster ("thumb") or background ("art") comes from, without reading bytes:
 * a local image item next to the media (meta.posterItemId / fanartItemId /
 * seasonPosterItemId, written by the metadata engine), a TMDb download in the artwork cache
 * (meta.posterPath / backdropPath), an image file itself, or the same looked up on the
 * item's first file, first child or show. Bounded: a few point reads.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item } from '../../domain/types.js';

export type ArtKind = 'thumb' | 'art';
export type ArtSource = { kind: 'item'; item: Item } | { kind: 'cache'; file: string };

const FIELDS: Record<ArtKind, { item: string[]; cache: string }> = {
  thumb: { item: ['posterItemId'], cache: 'posterPath' },
  art: { item: ['fanartItemId'], cache: 'backdropPath' },
};

export function findArtSource(index: IndexStore, item: Item, which: ArtKind, depth = 0): ArtSource | undefined {
  const m = item.meta ?? {};
  if (which === 'thumb' && item.kind === 'file' && item.mediaType === 'image') return { kind: 'item', item };
  const fields = which === 'thumb' && item.kind === 'season' ? ['seasonPosterItemId', ...FIELDS.thumb.item] : FIELDS[which].item;
  for (const f of fields) {
    const id = m[f];
    if (typeof id === 'number') {
      const img = index.items.get(id);
      if (img && img.mediaType === 'image') return { kind: 'item', item: img };
    }
  }
  const cached = m[FIELDS[which].cache];
  if (typeof cached === 'string' && cached) return { kind: 'cache', file: cached };
  if (depth >= 3) return undefined;
  // Borrow: a virtual item from its first file, a container from its first child, an episode from its show.
  const next: number[] = [];
  if (Array.isArray(m.fileIds) && typeof m.fileIds[0] === 'number') next.push(m.fileIds[0]);
  if (item.kind === 'show' || item.kind === 'season' || item.kind === 'artist' || item.kind === 'album') {
    const first = index.items.listChildren(item.id, { limit: 1 }).items[0];
    if (first) next.push(first.id);
  }
  if (item.kind === 'episode' && which === 'art' && typeof m.showId === 'number') next.push(m.showId);
  for (const id of next) {
    const other = index.items.get(id);
    const found = other && findArtSource(index, other, which === 'thumb' && item.kind === 'season' ? 'thumb' : which, depth + 1);
    if (found) return found;
  }
  return undefined;
}
