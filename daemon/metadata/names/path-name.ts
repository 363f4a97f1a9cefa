/**
 * What a media file's path says it is: a movie (title, year, part, edition) or an episode
 * (show, year, season, episodes, or an air date). Pure and fast (no I/O); the release-name
 * parser does the title/year cleanup, our own patterns find episodes, parts and folders.
 *
 *   Inception (2010)/Inception (2010).mkv                  movie Inception 2010
 *   Title.2010.1080p.BluRay.x264-GRP.mkv                   movie Title 2010
 *   Heat (1995)/movie.mkv                                  movie Heat 1995 (folder wins)
 *   Title (2001) cd2.avi                                   movie, part 2
 *   Show/Season 01/Show - S01E02 - Title.ext               episode Show 1x2
 *   Show.S01E03.mkv | Show 1x04 | S01E01-E02 | S01E01E02   episodes 3 | 4 | 1,2 | 1,2
 *   Show/Specials/Show - S00E01.mkv                        season 0
 *   Show.2023.01.17.mkv                                    date-based episode
 *   Show/Season 3/Episode 7.mkv                            season from the folder
 */
import { parseReleaseName } from './release-name.js';

export type NameHint = 'movie' | 'tv' | 'auto';

export interface ParsedMovieName {
  kind: 'movie';
  title: string;
  year?: number;
  part?: number;
  edition?: string;
  resolution?: string;
}

export interface ParsedEpisodeName {
  kind: 'episode';
  /** The show's title. */
  title: string;
  year?: number;
  season?: number;
  episodes: number[];
  /** Air date (YYYY-MM-DD) of a date-based episode. */
  airDate?: string;
  episodeTitle?: string;
  resolution?: string;
}

export type ParsedName = ParsedMovieName | ParsedEpisodeName;

const EXT_RE = /\.[a-z0-9]{2,4}$/i;
const SXXEYY_RE = /(?:^|[^a-z0-9])s(\d{1,2})[ ._-]?e(\d{1,4})((?:[ ._-]?-?[ ._-]?e?\d{1,4})*)(?=[^a-z0-9]|$)/i;
const NXM_RE = /(?:^|[^a-z0-9])(\d{1,2})x(\d{2,3})(?:[-x](\d{2,3}))?(?=[^a-z0-9]|$)/i;
const SEASON_EPISODE_WORDS_RE = /(?:^|[^a-z0-9])season[ ._-]*(\d{1,2})[ ._-]*episode[ ._-]*(\d{1,3})(?=[^a-z0-9]|$)/i;
const EPISODE_WORD_RE = /(?:^|[^a-z0-9])(?:episode|ep|e)[ ._-]*(\d{1,3})(?=[^a-z0-9]|$)/i;
const DATE_RE = /(?:^|[^0-9])((?:19|20)\d{2})[ ._-](0[1-9]|1[0-2])[ ._-](0[1-9]|[12]\d|3[01])(?=[^0-9]|$)/;
const SEASON_DIR_RE = /^(?:season|series|saison|staffel|temporada|s)[ ._-]*(\d{1,4})$/i;
const SPECIALS_DIR_RE = /^(?:specials?|extras?)$/i;
const PART_RE = /(?:^|[ ._-])(?:cd|dvd|part|pt|disc|disk)[ ._-]?(\d{1,2})(?=$|[ ._-])/i;
const TITLE_YEAR_RE = /^(.+?)[ ._]*[([]((?:19|20)\d{2})[)\]]/;
const RELEASE_TAG_RE = /(?:^|[ ._\[(-])(?:\d{3,4}[pi]|4k|web[ ._-]?(?:dl|rip)?|hdtv|bluray|blu-ray|brrip|bdrip|dvdrip|hdrip|webrip|x26[45]|h[ .]?26[45]|hevc|xvid|amzn|nf|dsnp|hmax|atvp|hulu|proper|repack|internal|multi|french|german|spanish|korean|japanese)(?=$|[ ._\])-])/i;
const RESOLUTION_RE = /(?:^|[ ._\[(-])(2160p|1080[pi]|720p|576p|480p|4k)(?=$|[ ._\])-])/i;
const GENERIC_BASES = new Set(['movie', 'video_ts', 'video ts', 'film', 'main', 'feature']);
const EDITIONS: [RegExp, string][] = [
  [/director'?s[ ._-]?cut/i, "Director's Cut"],
  [/(?:^|[ ._-])extended(?:[ ._-]?(?:cut|edition))?(?=$|[ ._-])/i, 'Extended'],
  [/(?:^|[ ._-])theatrical(?=$|[ ._-])/i, 'Theatrical'],
  [/(?:^|[ ._-])unrated(?=$|[ ._-])/i, 'Unrated'],
  [/(?:^|[ ._-])ultimate[ ._-](?:cut|edition)(?=$|[ ._-])/i, 'Ultimate'],
  [/(?:^|[ ._-])final[ ._-]cut(?=$|[ ._-])/i, 'Final Cut'],
  [/(?:^|[ ._-])imax(?=$|[ ._-])/i, 'IMAX'],
];

/** Strip the extension from a file name. */
export const baseName = (name: string): string => name.replace(EXT_RE, '');

function seasonOfDir(dir: string | undefined): number | undefined {
  if (!dir) return undefined;
  if (SPECIALS_DIR_RE.test(dir)) return 0;
  const m = SEASON_DIR_RE.exec(dir.trim());
  return m ? Number(m[1]) : undefined;
}

function cleanTitle(raw: string): { title: string; year?: number } {
  const t = raw.replace(/[ ._-]+$/, '').replace(/^[ ._-]+/, '');
  if (!t) return { title: '' };
  const r = parseReleaseName(t);
  // A bare title ("Brooklyn Nine-Nine", "9-1-1") has no release markers: a "-Word" at its
  // end is part of the name, not a release group.
  if (r.group && !r.resolution && !r.codec && !r.source) {
    const plain = t.replace(/[._]+/g, ' ').replace(/\s*[([]?((?:19|20)\d{2})[)\]]?\s*$/, '').trim();
    return { title: plain, year: r.year };
  }
  return { title: r.title.replace(/[ ._-]+$/, ''), year: r.year };
}

function episodesFrom(first: number, rest: string | undefined): number[] {
  const eps = [first];
  if (rest) for (const m of rest.matchAll(/\d{1,4}/g)) { const n = Number(m[0]); if (n > eps[eps.length - 1] && n - first < 50) eps.push(n); }
  return eps;
}

interface EpisodeMatch { index: number; season?: number; episodes: number[]; airDate?: string; end: number }

function findEpisode(base: string, folderSeason: number | undefined, hint: NameHint): EpisodeMatch | undefined {
  let m = SXXEYY_RE.exec(base);
  if (m) return { index: m.index, season: Number(m[1]), episodes: episodesFrom(Number(m[2]), m[3]), end: m.index + m[0].length };
  m = SEASON_EPISODE_WORDS_RE.exec(base);
  if (m) return { index: m.index, season: Number(m[1]), episodes: [Number(m[2])], end: m.index + m[0].length };
  m = NXM_RE.exec(base);
  if (m && !/^(?:19|20)\d\d$/.test(m[2]) && Number(m[1]) > 0 && !/\d{3,4}x\d{3,4}/.test(base)) {
    const eps = [Number(m[2])];
    if (m[3] && Number(m[3]) > eps[0]) eps.push(Number(m[3]));
    return { index: m.index, season: Number(m[1]), episodes: eps, end: m.index + m[0].length };
  }
  m = DATE_RE.exec(base);
  if (m && (hint === 'tv' || folderSeason !== undefined || m.index > 0)) {
    return { index: m.index, episodes: [], airDate: `${m[1]}-${m[2]}-${m[3]}`, end: m.index + m[0].length };
  }
  if (folderSeason !== undefined || hint === 'tv') {
    m = EPISODE_WORD_RE.exec(base);
    if (m) return { index: m.index, season: folderSeason, episodes: [Number(m[1])], end: m.index + m[0].length };
  }
  return undefined;
}

/**
 * Parse a path within a library ('/'-separated; folders give context). `hint` is the
 * library type: 'tv' looks harder for episodes, 'movie' still recognises explicit SxxEyy.
 */
export function parsePathName(relPath: string, hint: NameHint = 'auto'): ParsedName {
  const parts = relPath.split('/').filter(Boolean);
  const file = parts[parts.length - 1] ?? '';
  const dirs = parts.slice(0, -1);
  const base = baseName(file);
  const parentDir = dirs[dirs.length - 1];
  const folderSeason = seasonOfDir(parentDir);
  const ep = hint === 'movie' && !SXXEYY_RE.test(base) ? undefined : findEpisode(base, folderSeason, hint);
  if (ep) return episodeName(base, dirs, ep, folderSeason);
  return movieName(base, parentDir);
}

function episodeName(base: string, dirs: string[], ep: EpisodeMatch, folderSeason: number | undefined): ParsedEpisodeName {
  const showDir = folderSeason !== undefined ? dirs[dirs.length - 2] : dirs[dirs.length - 1];
  let { title, year } = cleanTitle(base.slice(0, ep.index));
  const bracketYear = TITLE_YEAR_RE.exec(base.slice(0, ep.index));
  if (bracketYear) { title = cleanTitle(bracketYear[1]).title; year = Number(bracketYear[2]); }
  if (!title && showDir) {
    const fromDir = TITLE_YEAR_RE.exec(showDir);
    if (fromDir) { title = cleanTitle(fromDir[1]).title || fromDir[1].trim(); year = Number(fromDir[2]); } else title = showDir.trim();
  }
  if (year === undefined && showDir) {
    const fromDir = TITLE_YEAR_RE.exec(showDir);
    if (fromDir && cleanTitle(fromDir[1]).title.toLowerCase() === title.toLowerCase()) year = Number(fromDir[2]);
  }
  const out: ParsedEpisodeName = { kind: 'episode', title, episodes: ep.episodes };
  if (year !== undefined) out.year = year;
  // A "Season 2015" folder of a date-based show is a year, not a season number.
  const season = ep.season ?? (ep.airDate && (folderSeason ?? 0) >= 1900 ? undefined : folderSeason);
  if (season !== undefined) out.season = season;
  if (ep.airDate) out.airDate = ep.airDate;
  // Episode title and resolution with cheap patterns: a second and third release-name
  // parse per episode halved throughput (docs/PERFORMANCE.md, "Metadata").
  const after = base.slice(ep.end).replace(/^[ ._-]+/, '');
  if (after) {
    const cut = RELEASE_TAG_RE.exec(after);
    const raw = (cut ? after.slice(0, cut.index) : after);
    const t = (/[ ]/.test(raw) ? raw : raw.replace(/[._]+/g, ' ')).replace(/^[ ._-]+|[ ._-]+$/g, '');
    if (t) out.episodeTitle = t;
  }
  const res = RESOLUTION_RE.exec(base);
  if (res) out.resolution = res[1].toLowerCase() === '4k' ? '2160p' : `${res[1].replace(/[pi]$/i, '')}p`;
  return out;
}

function movieName(base: string, parentDir: string | undefined): ParsedMovieName {
  const partMatch = PART_RE.exec(base);
  const stripped = partMatch ? base.slice(0, partMatch.index) + base.slice(partMatch.index + partMatch[0].length) : base;
  const r = parseReleaseName(stripped);
  let title = r.title.replace(/[ ._-]+$/, '');
  let year = r.year;
  const bracket = TITLE_YEAR_RE.exec(stripped);
  if (bracket && !year) year = Number(bracket[2]);
  const generic = GENERIC_BASES.has(base.toLowerCase()) || !title;
  if (parentDir && (generic || year === undefined)) {
    const fromDir = TITLE_YEAR_RE.exec(parentDir) ?? undefined;
    const dirParsed = fromDir ? { title: cleanTitle(fromDir[1]).title || fromDir[1].trim(), year: Number(fromDir[2]) } : undefined;
    if (dirParsed && (generic || dirParsed.title.toLowerCase() === title.toLowerCase())) { title = dirParsed.title; year = dirParsed.year; }
  }
  const out: ParsedMovieName = { kind: 'movie', title };
  if (year !== undefined) out.year = year;
  if (partMatch) out.part = Number(partMatch[1]);
  for (const [re, name] of EDITIONS) if (re.test(base)) { out.edition = name; break; }
  if (r.resolution) out.resolution = r.resolution;
  return out;
}
