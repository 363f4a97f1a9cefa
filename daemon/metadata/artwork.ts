/**
 * Local artwork: images next to the media (Kodi/Jellyfin names), found through the path
 * index (a few point lookups, no directory listing):
 *   <name>-poster.jpg, poster.jpg, folder.jpg, cover.jpg     -> poster
 *   <name>-fanart.jpg, fanart.jpg, backdrop.jpg              -> fanart
 *   episodes: seasonNN-poster.jpg / season-specials-poster.jpg and poster.jpg in the show folder
 * Embedded cover art (audio with probe.hasCoverArt) is flagged: coverEmbedded.
 */
import type { IndexStore } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { baseName } from './names/path-name.js';

const EXTS = ['jpg', 'jpeg', 'png', 'webp'];
const SEASON_DIR_RE = /^(?:season|series|s)[ ._-]*(\d{1,4})$|^(specials)$/i;

export interface ArtworkRefs { posterItemId?: number; fanartItemId?: number; seasonPosterItemId?: number; coverEmbedded?: boolean }

export async function findArtwork(index: IndexStore, file: Item): Promise<ArtworkRefs> {
  const parts = file.relPath.split('/');
  const dir = parts.slice(0, -1);
  const base = baseName(file.name);
  const find = (folder: string[], names: string[]): number | undefined => {
    for (const n of names) {
      for (const ext of EXTS) {
        const hit = index.items.getByPath(file.locationId, [...folder, `${n}.${ext}`].join('/'));
        if (hit && hit.mediaType === 'image') return hit.id;
      }
    }
    return undefined;
  };
  const out: ArtworkRefs = {};
  const seasonDir = dir.length ? SEASON_DIR_RE.exec(dir[dir.length - 1]) : null;
  const showDir = seasonDir ? dir.slice(0, -1) : dir;
  const poster = find(dir, [`${base}-poster`, 'poster', 'folder', 'cover']) ?? (seasonDir ? find(showDir, ['poster', 'folder']) : undefined);
  if (poster !== undefined) out.posterItemId = poster;
  const fanart = find(dir, [`${base}-fanart`, 'fanart', 'backdrop']) ?? (seasonDir ? find(showDir, ['fanart', 'backdrop']) : undefined);
  if (fanart !== undefined) out.fanartItemId = fanart;
  if (seasonDir) {
    const n = seasonDir[2] ? 'specials' : String(Number(seasonDir[1])).padStart(2, '0');
    const sp = find(showDir, [`season${n}-poster`, `season-${n}-poster`]) ?? find(dir, ['poster', 'folder']);
    if (sp !== undefined) out.seasonPosterItemId = sp;
  }
  if (file.mediaType === 'audio' && file.probe?.hasCoverArt) out.coverEmbedded = true;
  return out;
}
