/**
 * Catalogizer's MediaCatalogItem (seed 003 "Media Operations", api-003 §8) presented from an
 * Alcove item. One id space: a media id is any item id (movie, show, season, episode,
 * artist, album, track, or a plain file). Per-user fields come from the shared per-user
 * data: `is_favorite` from index.favorites, `watch_progress`/`last_watched` from the home
 * ProgressService (the same records h3xed's /api/progress reads and writes).
 *
 * Field rules (docs/API.md "Catalogizer — Media"):
 * - media_type: 'video' for movie/show/season/episode/collection, 'audio' for
 *   artist/album/track, a file's own media type otherwise; `kind` carries Alcove's kind.
 * - duration: seconds; file_size: bytes of the item's files; quality from the first video
 *   stream ('2160p', '1080p', '720p', '576p', '480p', 'SD').
 * - created_at/updated_at: 'YYYY-MM-DD HH:MM:SS' (UTC), as upstream's DB strings.
 * - watch_progress: 0..1; a watched item reads 1; last_watched when the user played it.
 * - is_downloaded: the item's bytes are available (it has a file and none is offline).
 */
import type { IndexStore, WatchProgress } from '../../../domain/ports.js';
import type { Item, Library } from '../../../domain/types.js';
import { findArtSource } from '../../home/artwork-source.js';
import type { ItemTree } from '../../home/item-tree.js';

export interface MediaVersion {
  id: number; file_id: number; filename: string; path: string; quality: string | null; file_size: number;
  container: string | null; video_codec: string | null; audio_codec: string | null; duration: number | null;
}

export interface ExternalMetadata { provider: string; external_id: string; rating: number | null }

export interface MediaCatalogItem {
  id: number;
  title: string;
  media_type: string;
  kind: string;
  year: number | null;
  description: string | null;
  cover_image: string | null;
  rating: number | null;
  quality: string | null;
  file_size: number | null;
  duration: number | null;
  directory_path: string;
  smb_path: string | null;
  genres: string[];
  library_id: number;
  created_at: string;
  updated_at: string;
  external_metadata: ExternalMetadata[];
  versions: MediaVersion[];
  is_favorite: boolean;
  watch_progress: number;
  last_watched: string | null;
  is_downloaded: boolean;
}

/** Reads one user's progress on a canonical item (buffer first). */
export type ProgressLookup = (userId: number, itemId: number) => WatchProgress | undefined;

const VIDEO_KINDS = new Set(['movie', 'show', 'season', 'episode', 'collection']);
const AUDIO_KINDS = new Set(['artist', 'album', 'track']);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** 'YYYY-MM-DD HH:MM:SS' in UTC (Catalogizer's DB string form). */
export function dbTime(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString().slice(0, 19).replace('T', ' ');
}

/** Catalogizer media type of an item. */
export function mediaTypeOf(item: Item): string {
  if (VIDEO_KINDS.has(item.kind)) return 'video';
  if (AUDIO_KINDS.has(item.kind)) return 'audio';
  return item.kind === 'dir' ? 'folder' : item.mediaType;
}

/** Quality label from a probed height ('1080p'...), null when unknown. */
export function qualityOf(file: Item | undefined): string | null {
  const v = file?.probe?.video?.[0];
  const h = v?.height ?? file?.probe?.height;
  const w = v?.width ?? file?.probe?.width ?? 0;
  if (!h) return null;
  if (h >= 2000 || w >= 3200) return '2160p';
  if (h >= 1000 || w >= 1800) return '1080p';
  if (h >= 700 || w >= 1200) return '720p';
  if (h >= 560) return '576p';
  if (h >= 470) return '480p';
  return 'SD';
}

export function genresOf(item: Item): string[] {
  const g = item.meta?.genres;
  return Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
}

export class MediaPresenter {
  constructor(
    private readonly index: IndexStore,
    private readonly tree: ItemTree,
    private readonly progress: ProgressLookup,
  ) {}

  /**
   * Ids whose favorite mark stands for this item: itself, the metadata item a file belongs
   * to, and a playable item's files (Media Viewer marks files; Catalogizer marks media).
   */
  linkedIds(item: Item): number[] {
    const ids = new Set<number>([item.id]);
    const canonical = this.tree.canonical(item);
    ids.add(canonical.id);
    if (this.tree.isPlayable(canonical)) for (const f of this.tree.filesOf(canonical)) ids.add(f.id);
    return [...ids];
  }

  isFavorite(userId: number, item: Item): boolean {
    return this.linkedIds(item).some((id) => this.index.favorites.has(userId, id));
  }

  /** 0..1 for a playable item (1 once watched), with the last play time. */
  watchState(userId: number, item: Item): { progress: number; lastWatched?: number; watched: boolean; updatedAt?: number } {
    if (!this.tree.isPlayable(item)) return { progress: 0, watched: false };
    const p = this.progress(userId, this.tree.canonical(item).id);
    if (!p) return { progress: 0, watched: false };
    const fraction = p.watched && p.offsetMs === 0 ? 1 : p.durationMs > 0 ? Math.min(1, p.offsetMs / p.durationMs) : 0;
    return { progress: Math.round(fraction * 10_000) / 10_000, lastWatched: p.lastViewedAt, watched: p.watched, updatedAt: p.updatedAt };
  }

  present(item: Item, userId: number, libs = new Map<number, Library | undefined>()): MediaCatalogItem {
    const m = item.meta ?? {};
    const files = this.filesOf(item);
    const first = files[0];
    if (!libs.has(item.libraryId)) libs.set(item.libraryId, this.index.libraries.get(item.libraryId));
    const lib = libs.get(item.libraryId);
    const durationMs = this.tree.isPlayable(item) ? this.tree.durationOf(item) : first?.probe?.durationMs ?? 0;
    const watch = this.watchState(userId, item);
    const external: ExternalMetadata[] = [];
    for (const [provider, key] of [['tmdb', 'tmdbId'], ['imdb', 'imdbId'], ['tvdb', 'tvdbId']] as const) {
      const v = m[key];
      if (typeof v === 'string' || typeof v === 'number') external.push({ provider, external_id: String(v), rating: provider === 'tmdb' ? num(m.rating) : null });
    }
    const dirRel = first ? first.relPath.slice(0, Math.max(0, first.relPath.lastIndexOf('/'))) : item.kind === 'dir' ? item.relPath : '';
    const fileBytes = files.reduce((s, f) => s + f.size, 0);
    return {
      id: item.id,
      title: str(m.title) ?? item.name,
      media_type: mediaTypeOf(item),
      kind: item.kind,
      year: num(m.year),
      description: str(m.overview) ?? str(m.summary) ?? str(m.plot),
      cover_image: findArtSource(this.index, item, 'thumb') ? `/api/artwork/${item.id}/thumb` : null,
      rating: num(m.rating) === null ? null : Math.round((m.rating as number) * 10) / 10,
      quality: qualityOf(files.find((f) => f.mediaType === 'video') ?? first),
      file_size: files.length ? fileBytes : null,
      duration: durationMs > 0 ? Math.round(durationMs / 1000) : null,
      directory_path: lib ? `/${[lib.name, dirRel].filter(Boolean).join('/')}` : `/${dirRel}`,
      smb_path: this.smbPath(lib, first ?? (item.kind === 'dir' ? item : undefined), dirRel),
      genres: genresOf(item),
      library_id: item.libraryId,
      created_at: dbTime(item.addedAt),
      updated_at: dbTime(Math.max(item.updatedAt, watch.updatedAt ?? 0)),
      external_metadata: external,
      versions: files.length > 1 || item.kind !== 'file' ? files.map((f) => this.version(f, lib)) : [],
      is_favorite: this.isFavorite(userId, item),
      watch_progress: watch.progress,
      last_watched: watch.lastWatched ? dbTime(watch.lastWatched) : null,
      is_downloaded: files.length > 0 && files.every((f) => !f.offline),
    };
  }

  list(items: Item[], userId: number): MediaCatalogItem[] {
    const libs = new Map<number, Library | undefined>();
    return items.map((i) => this.present(i, userId, libs));
  }

  /** The files of an item: a file itself, a playable item's files, a container's first leaf's files. */
  filesOf(item: Item): Item[] {
    if (item.kind === 'file') return [item];
    if (item.kind === 'dir') return [];
    if (this.tree.isPlayable(item)) return this.tree.filesOf(item);
    return [];
  }

  private version(f: Item, lib: Library | undefined): MediaVersion {
    const p = f.probe ?? {};
    const ext = f.name.includes('.') ? f.name.slice(f.name.lastIndexOf('.') + 1).toLowerCase() : null;
    return {
      id: f.id, file_id: f.id, filename: f.name, path: lib ? `${lib.name}/${f.relPath}` : f.relPath, quality: qualityOf(f), file_size: f.size,
      container: p.container ?? ext, video_codec: p.video?.[0]?.codec ?? null, audio_codec: p.audio?.[0]?.codec ?? null,
      duration: p.durationMs ? Math.round(p.durationMs / 1000) : null,
    };
  }

  /** `//host/share/path/dir` when the item's bytes live on an SMB root; null otherwise. */
  private smbPath(lib: Library | undefined, onStorage: Item | undefined, dirRel: string): string | null {
    if (!lib || !onStorage) return null;
    const loc = lib.locations.find((l) => l.id === onStorage.locationId);
    const root = loc ? this.index.roots.get(loc.rootId) : undefined;
    if (!loc || !root || root.scheme !== 'smb') return null;
    try {
      const u = new URL(root.url);
      const parts = [u.host, ...decodeURIComponent(u.pathname).split('/'), ...loc.path.split('/'), ...dirRel.split('/')].filter(Boolean);
      return `//${parts.join('/')}`;
    } catch {
      return null;
    }
  }
}
