/**
 * Music identification: embedded tags (read by the probe job into item.probe.tags) first,
 * folder names as the fallback: Artist/Album (Year)/NN - Title.ext.
 */
import type { Item } from '../domain/types.js';
import { baseName } from './names/path-name.js';

export interface TrackInfo {
  title: string;
  artist: string;
  albumArtist: string;
  album: string;
  track?: number;
  disc?: number;
  year?: number;
  genres?: string[];
}

const TRACK_PREFIX_RE = /^(?:(\d)[-.])?(\d{1,3})[\s._-]+(?:-\s+)?/;
const ALBUM_YEAR_RE = /^(.*?)\s*[([]((?:19|20)\d{2})[)\]]\s*$/;

export function trackInfo(item: Item): TrackInfo {
  const tags = item.probe?.tags ?? {};
  const dirs = item.relPath.split('/').slice(0, -1);
  const albumDir = dirs[dirs.length - 1];
  const artistDir = dirs[dirs.length - 2];
  const base = baseName(item.name);
  const prefix = TRACK_PREFIX_RE.exec(base);
  let titleFromName = prefix ? base.slice(prefix[0].length) : base;
  const artistDash = / - /.exec(titleFromName);
  if (!tags.title && artistDash && !artistDir) titleFromName = titleFromName.slice(artistDash.index + 3);
  const albumYear = albumDir ? ALBUM_YEAR_RE.exec(albumDir) : null;
  const artist = tags.artist ?? tags.albumArtist ?? artistDir ?? 'Unknown Artist';
  const out: TrackInfo = {
    title: tags.title ?? titleFromName.trim(),
    artist,
    albumArtist: tags.albumArtist ?? tags.artist ?? artistDir ?? 'Unknown Artist',
    album: tags.album ?? (albumYear ? albumYear[1] : albumDir) ?? 'Unknown Album',
  };
  const track = tags.track ?? (prefix ? Number(prefix[2]) : undefined);
  if (track !== undefined) out.track = track;
  const disc = tags.disc ?? (prefix?.[1] ? Number(prefix[1]) : undefined);
  if (disc !== undefined) out.disc = disc;
  const year = tags.year ?? (albumYear ? Number(albumYear[2]) : undefined);
  if (year !== undefined) out.year = year;
  if (tags.genre?.length) out.genres = [...tags.genre];
  return out;
}
