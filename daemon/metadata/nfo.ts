/**
 * Kodi .nfo sidecars (movie, tvshow, episodedetails) parsed with fast-xml-parser. Local
 * metadata beats parsed names: the identify service merges an NFO's fields over what the
 * file name said (locked fields still win over both).
 *
 * Also accepted: an NFO that is only a URL (IMDb/TMDb link, Kodi's "URL nfo"): provider ids
 * are taken from it.
 */
import { XMLParser } from 'fast-xml-parser';

export interface NfoPerson { name: string; role?: string; type: 'actor' | 'director' | 'writer' }

export interface NfoData {
  type: 'movie' | 'tvshow' | 'episodedetails' | 'url';
  title?: string;
  originalTitle?: string;
  sortTitle?: string;
  year?: number;
  plot?: string;
  tagline?: string;
  genres?: string[];
  rating?: number;
  runtimeMin?: number;
  premiered?: string;
  studio?: string;
  tmdbId?: number;
  imdbId?: string;
  tvdbId?: number;
  season?: number;
  episode?: number;
  showTitle?: string;
  people?: NfoPerson[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['genre', 'actor', 'uniqueid', 'director', 'credits', 'rating'].includes(name),
  processEntities: true,
});

type Node = Record<string, unknown>;

const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && '#text' in (v as Node)) return text((v as Node)['#text']);
  return undefined;
};
const int = (v: unknown): number | undefined => { const t = text(v); const n = t ? Number.parseInt(t, 10) : Number.NaN; return Number.isFinite(n) ? n : undefined; };
const num = (v: unknown): number | undefined => { const t = text(v); const n = t ? Number.parseFloat(t) : Number.NaN; return Number.isFinite(n) ? n : undefined; };
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

const IMDB_RE = /\b(tt\d{5,10})\b/;
const TMDB_URL_RE = /themoviedb\.org\/(movie|tv)\/(\d+)/;

/** Parse NFO text; undefined when it is neither Kodi XML nor a provider URL. */
export function parseNfo(xml: string): NfoData | undefined {
  const trimmed = xml.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith('<')) return parseUrlNfo(trimmed);
  let doc: Node;
  try {
    doc = parser.parse(trimmed) as Node;
  } catch {
    return parseUrlNfo(trimmed);
  }
  for (const type of ['movie', 'tvshow', 'episodedetails'] as const) {
    const root = doc[type];
    if (root && typeof root === 'object') return fromRoot(type, root as Node, trimmed);
  }
  return parseUrlNfo(trimmed);
}

function parseUrlNfo(body: string): NfoData | undefined {
  const out: NfoData = { type: 'url' };
  const imdb = IMDB_RE.exec(body);
  if (imdb) out.imdbId = imdb[1];
  const tmdb = TMDB_URL_RE.exec(body);
  if (tmdb) out.tmdbId = Number(tmdb[2]);
  return out.imdbId || out.tmdbId ? out : undefined;
}

function fromRoot(type: NfoData['type'], n: Node, raw: string): NfoData {
  const out: NfoData = { type };
  const set = <K extends keyof NfoData>(k: K, v: NfoData[K] | undefined): void => { if (v !== undefined && v !== '') out[k] = v; };
  set('title', text(n.title));
  set('originalTitle', text(n.originaltitle));
  set('sortTitle', text(n.sorttitle));
  set('plot', text(n.plot) ?? text(n.outline));
  set('tagline', text(n.tagline));
  set('premiered', text(n.premiered) ?? text(n.aired));
  set('studio', text(n.studio));
  set('showTitle', text(n.showtitle));
  set('season', int(n.season));
  set('episode', int(n.episode));
  set('runtimeMin', int(n.runtime));
  const year = int(n.year) ?? int((text(n.premiered) ?? text(n.aired) ?? '').slice(0, 4));
  set('year', year);
  const genres = list(n.genre).map(text).filter((g): g is string => Boolean(g))
    .flatMap((g) => g.split(/\s*\/\s*/));
  if (genres.length) out.genres = [...new Set(genres)];
  set('rating', ratingOf(n));
  for (const u of list(n.uniqueid)) {
    const node = (typeof u === 'object' && u ? u : {}) as Node;
    const kind = String(node['@type'] ?? '').toLowerCase();
    const value = text(u);
    if (!value) continue;
    if (kind === 'tmdb') set('tmdbId', int(value));
    else if (kind === 'imdb') set('imdbId', value);
    else if (kind === 'tvdb') set('tvdbId', int(value));
  }
  if (!out.tmdbId) set('tmdbId', int(n.tmdbid));
  if (!out.imdbId) set('imdbId', text(n.imdbid) ?? IMDB_RE.exec(text(n.id) ?? '')?.[1] ?? IMDB_RE.exec(raw)?.[1]);
  if (!out.tvdbId && type === 'tvshow') set('tvdbId', int(n.tvdbid) ?? int(n.id));
  const people: NfoPerson[] = [];
  for (const a of list(n.actor)) {
    const node = (typeof a === 'object' && a ? a : {}) as Node;
    const name = text(node.name);
    if (name) people.push({ name, role: text(node.role), type: 'actor' });
  }
  for (const d of list(n.director)) { const name = text(d); if (name) people.push({ name, type: 'director' }); }
  for (const w of list(n.credits)) { const name = text(w); if (name) people.push({ name, type: 'writer' }); }
  if (people.length) out.people = people.map((p) => (p.role ? p : { name: p.name, type: p.type }));
  return out;
}

/** <rating>8.4</rating>, or Kodi 18's <ratings><rating name="x" default="true"><value>8.4</value></rating></ratings>. */
function ratingOf(n: Node): number | undefined {
  const direct = list(n.rating).map(num).find((v) => v !== undefined);
  if (direct !== undefined) return direct;
  const ratings = n.ratings as Node | undefined;
  if (!ratings || typeof ratings !== 'object') return undefined;
  const entries = list(ratings.rating) as Node[];
  const pick = entries.find((r) => String(r['@default']) === 'true') ?? entries[0];
  return pick ? num(pick.value) : undefined;
}
