/**
 * Media Viewer's JSON shapes (api-000 §2) and the presenter that turns index items into
 * MediaFile objects. Key order follows upstream; optional keys are absent, not null.
 * Per-user data (isFavorite) and shared data (tags) are read from the index per item:
 * both are point reads / short range scans, so a page costs O(page), never O(folder).
 */
import type { IndexStore } from '../../domain/ports.js';
import type { Item, Library, MediaType } from '../../domain/types.js';

export type MediaFileType = 'folder' | 'image' | 'video' | 'playlist' | 'other';
export const MEDIA_FILE_TYPES: readonly MediaFileType[] = ['folder', 'image', 'video', 'playlist', 'other'];

export interface MediaFile {
  id: number;
  name: string;
  path: string;
  parentPath: string;
  type: MediaFileType;
  size: number;
  modTime: string;
  mimeType?: string;
  thumbnailUrl?: string;
  itemCount?: number;
  isFavorite?: boolean;
  tags?: string[];
}

export interface PathPart { name: string; path: string }

export interface BulkResult { success: number; failed: number; errors?: string[] }

/** The viewer: who asks, and which libraries they may see (undefined = all). */
export interface Viewer {
  userId: number;
  libraryIds?: readonly number[];
  /** Content restrictions (rating, labels; services/access). Absent = none. Search skips items it refuses. */
  allows?: (item: Item) => boolean;
}

/** Our richer media types folded onto Media Viewer's five. */
export function fileTypeOf(mediaType: MediaType): MediaFileType {
  switch (mediaType) {
    case 'folder': case 'image': case 'video': case 'playlist': return mediaType;
    default: return 'other';
  }
}

/** Index media types matching a Media Viewer type filter. */
export function mediaTypesOf(type: MediaFileType): MediaType[] {
  return type === 'other' ? ['audio', 'subtitle', 'nfo', 'other'] : [type];
}

/** Go's time.Time JSON at second precision: RFC 3339, no fraction. */
export function rfc3339(ms: number): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  // 'YYYY-MM-DDTHH:MM:SS.000Z' -> 'YYYY-MM-DDTHH:MM:SSZ' (years past 9999 keep the long form)
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace('.000Z', 'Z');
}

/** '/api/thumbnail/' + the path, each segment percent-encoded so any name is a valid URL. */
export function thumbnailUrlOf(path: string): string {
  // Same as encoding each segment: '/' is the only character turned into %2F, and a literal
  // '%2F' in a name is encoded as '%252F', so putting the slashes back is exact.
  return '/api/thumbnail/' + encodeURIComponent(path).replaceAll('%2F', '/');
}

export const parentOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
};

export interface PresentOptions {
  /** Which types get a thumbnailUrl. */
  thumbnails: 'browse' | 'media' | 'none';
  tags: boolean;
  /** Folders get itemCount. */
  itemCount: boolean;
  /** Known favorite state (skips the lookup). */
  favorite?: boolean;
}

export class MediaFilePresenter {
  constructor(private readonly index: IndexStore) {}

  /** Virtual path of an item: '<library>/<relPath>', or the library name for a location root. */
  pathOf(item: Item, library: Library): string {
    return item.relPath ? `${library.name}/${item.relPath}` : library.name;
  }

  present(item: Item, library: Library, viewer: Viewer, o: PresentOptions): MediaFile {
    const path = this.pathOf(item, library);
    const type = fileTypeOf(item.mediaType);
    const out: MediaFile = {
      id: item.id,
      name: item.relPath ? item.name : library.name,
      path,
      parentPath: parentOf(path),
      type,
      size: item.kind === 'dir' ? 0 : item.size,
      modTime: rfc3339(item.mtimeMs),
    };
    if (item.mime) out.mimeType = item.mime;
    const thumb = o.thumbnails === 'media'
      ? type === 'image' || type === 'video'
      : o.thumbnails === 'browse' && (type === 'image' || type === 'video' || type === 'folder');
    if (thumb) out.thumbnailUrl = thumbnailUrlOf(path);
    if (o.itemCount && type === 'folder' && item.childCount) out.itemCount = item.childCount;
    if (o.favorite ?? this.index.favorites.has(viewer.userId, item.id)) out.isFavorite = true;
    if (o.tags) {
      const tags = this.index.tags.tagsOf(item.id).map((t) => t.name);
      if (tags.length) out.tags = tags;
    }
    return out;
  }

  /** A library shown as a folder at the virtual root (its locations merged). */
  presentLibrary(library: Library, roots: Item[], viewer: Viewer, o: PresentOptions): MediaFile {
    const first = roots[0];
    const count = roots.reduce((n, r) => n + (r.childCount ?? 0), 0);
    const out: MediaFile = {
      id: first?.id ?? 0,
      name: library.name,
      path: library.name,
      parentPath: '',
      type: 'folder',
      size: 0,
      modTime: rfc3339(Math.max(0, ...roots.map((r) => r.mtimeMs))),
    };
    if (o.thumbnails === 'browse') out.thumbnailUrl = thumbnailUrlOf(library.name);
    if (o.itemCount && count) out.itemCount = count;
    if (first && (o.favorite ?? this.index.favorites.has(viewer.userId, first.id))) out.isFavorite = true;
    if (o.tags && first) {
      const tags = this.index.tags.tagsOf(first.id).map((t) => t.name);
      if (tags.length) out.tags = tags;
    }
    return out;
  }

  /** The library of an item, if the viewer may see it (browse libraries only). */
  libraryOf(item: Item, viewer: Viewer, cache?: Map<number, Library | null>): Library | undefined {
    let lib = cache?.get(item.libraryId);
    if (lib === undefined) {
      const found = this.index.libraries.get(item.libraryId);
      lib = found && found.purpose === 'library' && (!viewer.libraryIds || viewer.libraryIds.includes(found.id)) ? found : null;
      cache?.set(item.libraryId, lib);
    }
    return lib ?? undefined;
  }
}
