/**
 * Sidecar matching: subtitles and .nfo files belong to the media file with the same base
 * name in the same directory. Pure functions over one directory's entries; the scanner
 * writes the result with ItemRepo.setSidecars.
 *
 *   movie.mkv  <-  movie.srt, movie.en.srt, movie.eng.forced.srt, movie.idx + movie.sub, movie.nfo
 *   movie.mkv  <-  movie.nfo when movie.mkv is the folder's only video (Kodi's convention)
 *
 * `tvshow.nfo` / `season.nfo` describe folders, not files: the metadata engine reads them.
 */
import type { MediaType } from '../domain/types.js';
import { baseNameOf, extensionOf } from './classify.js';

export interface SidecarCandidate {
  id: number;
  name: string;
  mediaType: MediaType;
}

export interface SubtitleNameInfo {
  language?: string;
  forced: boolean;
  sdh: boolean;
  default: boolean;
}

const OWNER_TYPES: ReadonlySet<MediaType> = new Set<MediaType>(['video', 'audio']);
/** Common language names people put in subtitle file names -> ISO 639-1. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  english: 'en', french: 'fr', german: 'de', spanish: 'es', italian: 'it', portuguese: 'pt',
  dutch: 'nl', russian: 'ru', japanese: 'ja', chinese: 'zh', korean: 'ko', swedish: 'sv',
  norwegian: 'no', danish: 'da', finnish: 'fi', polish: 'pl', czech: 'cs', turkish: 'tr',
  greek: 'el', hungarian: 'hu', arabic: 'ar', hebrew: 'he', hindi: 'hi', bulgarian: 'bg',
  serbian: 'sr', croatian: 'hr', romanian: 'ro', ukrainian: 'uk', vietnamese: 'vi', thai: 'th',
};

/**
 * Parse the tokens after the media base name: `movie.eng.forced.srt` with base `movie`
 * -> { language: 'eng', forced: true }. Language tokens are kept as written (lower case)
 * when they are 2-3 letters (ISO 639-1/-2, optionally with a region: 'pt-br'); language
 * names are mapped to ISO 639-1.
 */
export function parseSubtitleName(name: string, mediaBase: string): SubtitleNameInfo {
  const info: SubtitleNameInfo = { forced: false, sdh: false, default: false };
  const rest = baseNameOf(name).slice(mediaBase.length).replace(/^\./, '');
  if (!rest) return info;
  for (const raw of rest.split('.')) {
    const token = raw.toLowerCase();
    if (token === 'forced') info.forced = true;
    else if (token === 'sdh' || token === 'cc' || (token === 'hi' && info.language)) info.sdh = true;
    else if (token === 'default') info.default = true;
    else if (!info.language && /^[a-z]{2,3}([-_][a-z]{2,4})?$/.test(token)) info.language = token.replace('_', '-');
    else if (!info.language && LANGUAGE_NAMES[token]) info.language = LANGUAGE_NAMES[token];
  }
  return info;
}

/** True when `name`'s base starts with `mediaBase` followed by '.' or nothing. */
function belongsTo(sidecarBase: string, mediaBase: string): boolean {
  return sidecarBase === mediaBase || sidecarBase.startsWith(mediaBase + '.');
}

/**
 * Match one directory's sidecars to their media. Returns owner id -> sidecar ids (sorted),
 * containing only owners that got at least one sidecar. When several media share a
 * prefix ('a.mkv' and 'a.b.mkv'), the longest base name wins.
 */
export function matchSidecars(entries: readonly SidecarCandidate[]): Map<number, number[]> {
  const owners = entries
    .filter((e) => OWNER_TYPES.has(e.mediaType))
    .map((e) => ({ id: e.id, base: baseNameOf(e.name), mediaType: e.mediaType }))
    .sort((a, b) => b.base.length - a.base.length);
  const videos = owners.filter((o) => o.mediaType === 'video');
  const result = new Map<number, number[]>();
  const attach = (ownerId: number, sidecarId: number): void => {
    const list = result.get(ownerId);
    if (list) list.push(sidecarId); else result.set(ownerId, [sidecarId]);
  };

  for (const entry of entries) {
    if (entry.mediaType !== 'subtitle' && entry.mediaType !== 'nfo') continue;
    const base = baseNameOf(entry.name);
    if (entry.mediaType === 'nfo') {
      const lower = entry.name.toLowerCase();
      if (lower === 'tvshow.nfo' || lower === 'season.nfo') continue;
      const exact = owners.find((o) => o.base === base);
      if (exact) { attach(exact.id, entry.id); continue; }
      if (lower === 'movie.nfo' && videos.length === 1) attach(videos[0].id, entry.id);
      continue;
    }
    // Subtitles belong to videos only; an exact-base audio match is not a sidecar.
    const owner = videos.find((o) => belongsTo(base, o.base));
    if (owner) attach(owner.id, entry.id);
  }
  for (const list of result.values()) list.sort((a, b) => a - b);
  return result;
}

/** Whether a file name is a sidecar type (cheap pre-check for the walk). */
export function isSidecarName(name: string): boolean {
  const ext = extensionOf(name);
  return ext === '.nfo' || ext === '.srt' || ext === '.ass' || ext === '.ssa' || ext === '.vtt'
    || ext === '.sub' || ext === '.idx' || ext === '.sup';
}
