/**
 * Local artwork: images next to the media (Kodi/Jellyfin names), found through the path
 * index (a few point lookups, no directory listing):
 *   <name>-poster.jpg, poster.jpg, folder.jpg, cover.jpg     -> poster
 *   <name>-fanart.jpg, fanart.jpg, backdrop.jpg              -> fanart
 *   episodes: seasonNN-poster.jpg / season-specials-poster.jpg and poster.jpg in the show folder
 * Embedded cover art (audio with probe.hasCoverArt) is flagged: coverEmbedded.
 * artworkScope answers the reverse (which files can a new image serve) from the same
 * names: a name added here must be added there too.
 */
import type { IndexStore } from '../domain/ports.js';
import type { Item } from '../domain/types.js';
import { baseName } from './names/path-name.js';

const EXTS = ['jpg', 'jpeg', 'png', 'webp'];
const SEASON_DIR_RE = /^(?:season|series|s)[ ._-]*(\d{1,4})$|^(specials)$/i;
/** Folder-wide names (any media file of the folder may use them), per-file suffixes. */
const POSTERS = ['poster', 'folder', 'cover'];
const FANARTS = ['fanart', 'backdrop'];
const POSTER_SUFFIX = '-poster';
const FANART_SUFFIX = '-fanart';
const FOLDER_WIDE = new Set([...POSTERS, ...FANARTS]);
const SEASON_POSTER_RE = /^season-?(?:\d+|specials)-poster$/i;
const PER_FILE_RE = new RegExp(`^(.*)(?:${POSTER_SUFFIX}|${FANART_SUFFIX})$`, 'i');

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
  const poster = find(dir, [`${base}${POSTER_SUFFIX}`, ...POSTERS]) ?? (seasonDir ? find(showDir, ['poster', 'folder']) : undefined);
  if (poster !== undefined) out.posterItemId = poster;
  const fanart = find(dir, [`${base}${FANART_SUFFIX}`, ...FANARTS]) ?? (seasonDir ? find(showDir, FANARTS) : undefined);
  if (fanart !== undefined) out.fanartItemId = fanart;
  if (seasonDir) {
    const n = seasonDir[2] ? 'specials' : String(Number(seasonDir[1])).padStart(2, '0');
    const sp = find(showDir, [`season${n}-poster`, `season-${n}-poster`]) ?? find(dir, ['poster', 'folder']);
    if (sp !== undefined) out.seasonPosterItemId = sp;
  }
  if (file.mediaType === 'audio' && file.probe?.hasCoverArt) out.coverEmbedded = true;
  return out;
}

/**
 * Which media files of an image's own folder `findArtwork` can pick it up for: every one
 * ('folder': poster.jpg, fanart.png, season01-poster.jpg ...), only those whose base name
 * is `base` (`<base>-poster.jpg`, `<base>-fanart.jpg`; lower-cased), or none (undefined:
 * IMG_0001.jpg is nobody's artwork). Case-insensitive and any extension, so it never says
 * less than findArtwork's exact-case lookups can find.
 */
export type ArtworkScope = { folder: true } | { folder: false; base: string };

export function artworkScope(imageName: string): ArtworkScope | undefined {
  const stem = baseName(imageName);
  if (FOLDER_WIDE.has(stem.toLowerCase()) || SEASON_POSTER_RE.test(stem)) return { folder: true };
  const m = PER_FILE_RE.exec(stem);
  return m ? { folder: false, base: m[1].toLowerCase() } : undefined;
}
