/**
 * Catalogizer's FileInfo (seed 003 + upstream model): one shape for catalog listings, file
 * info, search results and duplicate groups. Paths are virtual-namespace paths: the first
 * segment is the library name, which is what Catalogizer calls the storage root name
 * (`smb_root`, `storage_root_name`); `storage_root_id` is the Alcove storage root id.
 */
import type { Item, Library } from '../../../domain/types.js';

export interface FileInfo {
  id: number;
  name: string;
  path: string;
  is_directory: boolean;
  type: 'directory' | 'file';
  size: number;
  last_modified: string;
  modified_at: string;
  hash: string | null;
  extension: string | null;
  mime_type: string | null;
  media_type: string | null;
  parent_id: number | null;
  smb_root: string;
  storage_root_id: number | null;
  storage_root_name: string;
  created_at: string;
  updated_at: string;
}

const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : 0).toISOString();

export function fileExtension(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : null;
}

export function toFileInfo(item: Item, library: Library | undefined, hash?: string): FileInfo {
  const isDir = item.kind === 'dir' || item.mediaType === 'folder';
  const libName = library?.name ?? '';
  const rootId = library?.locations.find((l) => l.id === item.locationId)?.rootId ?? null;
  return {
    id: item.id,
    name: item.relPath ? item.name : libName || item.name,
    path: item.relPath ? `${libName}/${item.relPath}` : libName,
    is_directory: isDir,
    type: isDir ? 'directory' : 'file',
    size: item.size,
    last_modified: iso(item.mtimeMs),
    modified_at: iso(item.mtimeMs),
    hash: hash ?? null,
    extension: isDir ? null : fileExtension(item.name),
    mime_type: isDir ? null : item.mime ?? null,
    media_type: isDir ? null : item.mediaType,
    parent_id: item.parentId > 0 ? item.parentId : null,
    smb_root: libName,
    storage_root_id: rootId,
    storage_root_name: libName,
    created_at: iso(item.addedAt),
    updated_at: iso(item.updatedAt),
  };
}
