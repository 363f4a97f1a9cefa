/**
 * Identification of one media file: name parse (or embedded tags for music), NFO sidecars
 * over that, virtual item linking, local artwork. The result is merged into file.meta
 * through the locks (merge.ts), so a manual edit always survives.
 *
 * file.meta written here: type ('movie' | 'episode' | 'track'), category (OmniLux media
 * type), title, year, originalTitle, sortTitle, overview, genres, rating, runtimeMin,
 * people [{name, role?, type}], tmdbId, imdbId, tvdbId; episodes: showTitle, season,
 * episode, episodes, airDate, episodeTitle; movies: part, edition; music: artist,
 * albumArtist, album, track, disc; virtualId (movie/episode/track item), posterItemId,
 * fanartItemId, source ('name' | 'nfo' | 'tags').
 */
import type { IndexStore } from '../domain/ports.js';
import type { Item, Library } from '../domain/types.js';
import { findArtwork } from './artwork.js';
import type { ItemSource } from './item-source.js';
import { matchKey, mergeUnlocked } from './merge.js';
import { trackInfo } from './music.js';
import type { NfoData } from './nfo.js';
import { parsePathName, type NameHint } from './names/path-name.js';
import type { VirtualItems } from './virtual-items.js';

/** nfo.ts (fast-xml-parser) loads with the first .nfo read: a daemon that never finds one does not carry it. */
let nfoParser: Promise<typeof import('./nfo.js').parseNfo> | undefined;
const loadNfoParser = (): Promise<typeof import('./nfo.js').parseNfo> => (nfoParser ??= import('./nfo.js').then((m) => m.parseNfo));

export interface IdentifyResult { fileId: number; virtualId?: number; changed: boolean }

const HINTS: Partial<Record<Library['type'], NameHint>> = { movie: 'movie', tv: 'tv' };

export class FileIdentifier {
  constructor(private readonly index: IndexStore, private readonly source: ItemSource, private readonly virtuals: VirtualItems) {}

  async identify(file: Item): Promise<IdentifyResult> {
    const lib = this.index.libraries.get(file.libraryId);
    if (!lib || file.kind !== 'file' || (file.mediaType !== 'video' && file.mediaType !== 'audio')) return { fileId: file.id, changed: false };
    if (file.mediaType === 'audio') return this.identifyTrack(file);
    return this.identifyVideo(file, lib);
  }

  private async identifyVideo(file: Item, lib: Library): Promise<IdentifyResult> {
    const locked = new Set(file.lockedFields ?? []);
    const parsed = parsePathName(file.relPath, HINTS[lib.type] ?? 'auto');
    const nfo = await this.readNfo(file);
    const meta: Record<string, unknown> = { source: nfo ? 'nfo' : 'name' };
    let target: Item;
    if (parsed.kind === 'episode' || nfo?.type === 'episodedetails') {
      const showNfo = await this.readShowNfo(file, parsed.kind === 'episode' && parsed.season !== undefined);
      const showTitle = pick(locked, file, 'showTitle', showNfo?.title ?? nfo?.showTitle ?? parsed.title);
      const showYear = showNfo?.year ?? (parsed.kind === 'episode' ? parsed.year : undefined);
      const season = pick(locked, file, 'season', nfo?.season ?? (parsed.kind === 'episode' ? parsed.season : undefined));
      const episodes = parsed.kind === 'episode' ? parsed.episodes : [];
      const episode = pick(locked, file, 'episode', nfo?.episode ?? episodes[0]);
      Object.assign(meta, {
        type: 'episode', category: 'tv', showTitle, season, episode,
        episodes: episodes.length > 1 ? episodes : undefined,
        airDate: parsed.kind === 'episode' ? parsed.airDate : undefined,
        episodeTitle: nfo?.title ?? (parsed.kind === 'episode' ? parsed.episodeTitle : undefined),
        title: nfo?.title ?? (parsed.kind === 'episode' ? parsed.episodeTitle : undefined)
          ?? `${showTitle}${season !== undefined && episode !== undefined ? ` S${pad(season)}E${pad(episode)}` : ''}`,
        year: nfo?.year ?? showYear,
      });
      Object.assign(meta, nfoFields(nfo, true));
      const show = await this.virtuals.ensure({
        kind: 'show', libraryId: file.libraryId, parentId: 0, title: String(showTitle), year: showYear, tmdbId: showNfo?.tmdbId,
        meta: showNfo ? { ...nfoFields(showNfo, false), title: showNfo.title ?? showTitle } : undefined,
      });
      if (showNfo) await this.index.items.updateMeta(show.id, mergeUnlocked(show, { ...nfoFields(showNfo, false) }) ?? {});
      const seasonNo = typeof season === 'number' ? season : -1;
      const seasonItem = await this.virtuals.ensure({ kind: 'season', libraryId: file.libraryId, parentId: show.id, title: seasonNo === 0 ? 'Specials' : seasonNo < 0 ? 'Unknown Season' : `Season ${seasonNo}`, meta: { season: seasonNo } });
      const epTitle = String(meta.airDate ?? `${seasonNo}x${typeof episode === 'number' ? episode : 0}`);
      target = await this.virtuals.ensure({ kind: 'episode', libraryId: file.libraryId, parentId: seasonItem.id, title: epTitle, meta: { title: meta.title, season: seasonNo, episode, airDate: meta.airDate, showId: show.id } });
      meta.showId = show.id;
      meta.seasonId = seasonItem.id;
    } else {
      const title = pick(locked, file, 'title', nfo?.title ?? parsed.title);
      const year = pick(locked, file, 'year', nfo?.year ?? parsed.year);
      Object.assign(meta, { type: 'movie', category: 'movie', title, year, part: parsed.part, edition: parsed.edition });
      Object.assign(meta, nfoFields(nfo, false));
      target = await this.virtuals.ensure({
        kind: 'movie', libraryId: file.libraryId, parentId: 0, title: String(title), year: typeof year === 'number' ? year : undefined,
        tmdbId: typeof (locked.has('tmdbId') ? file.meta?.tmdbId : nfo?.tmdbId) === 'number' ? (locked.has('tmdbId') ? file.meta?.tmdbId as number : nfo?.tmdbId) : undefined,
        meta: nfoFields(nfo, false),
      });
    }
    Object.assign(meta, await findArtwork(this.index, file));
    // Fields an earlier NFO gave and this one no longer does are cleared (null).
    const nfoKeys = Object.keys(nfoFields(nfo, meta.type === 'episode'));
    for (const k of Array.isArray(file.meta?.nfoKeys) ? file.meta.nfoKeys as string[] : []) if (!nfoKeys.includes(k) && meta[k] === undefined) meta[k] = null;
    meta.nfoKeys = nfoKeys;
    meta.virtualId = target.id;
    await this.virtuals.attach(file, target);
    return this.write(file, meta, target.id);
  }

  private async identifyTrack(file: Item): Promise<IdentifyResult> {
    const t = trackInfo(file);
    const artist = await this.virtuals.ensure({ kind: 'artist', libraryId: file.libraryId, parentId: 0, title: t.albumArtist });
    const album = await this.virtuals.ensure({ kind: 'album', libraryId: file.libraryId, parentId: artist.id, title: t.album, year: t.year, meta: { artist: t.albumArtist, genres: t.genres } });
    const track = await this.virtuals.ensure({ kind: 'track', libraryId: file.libraryId, parentId: album.id, title: `${t.disc ?? 1}-${t.track ?? 0}-${t.title}`, meta: { title: t.title, track: t.track, disc: t.disc, artist: t.artist } });
    await this.virtuals.attach(file, track);
    const meta: Record<string, unknown> = {
      type: 'track', category: 'music', source: file.probe?.tags ? 'tags' : 'name', title: t.title, year: t.year,
      artist: t.artist, albumArtist: t.albumArtist, album: t.album, track: t.track, disc: t.disc, genres: t.genres,
      virtualId: track.id, albumId: album.id, artistId: artist.id, ...(await findArtwork(this.index, file)),
    };
    return this.write(file, meta, track.id);
  }

  private async write(file: Item, meta: Record<string, unknown>, virtualId: number): Promise<IdentifyResult> {
    const fresh = this.index.items.get(file.id) ?? file;
    // A TMDb match already replaced title/year for this same parse: keep its values.
    meta.parsedKey = `${matchKey(String(meta.showTitle ?? meta.title ?? ''))}|${String(meta.year ?? '')}`;
    if (fresh.meta?.matchConfidence !== undefined && fresh.meta.parsedKey === meta.parsedKey) {
      for (const k of ['title', 'year', 'originalTitle', 'overview', 'genres', 'rating']) if (fresh.meta[k] !== undefined) delete meta[k];
    }
    const patch = mergeUnlocked(fresh, meta);
    if (patch) await this.index.items.updateMeta(file.id, patch);
    return { fileId: file.id, virtualId, changed: Boolean(patch) };
  }

  private async readNfo(file: Item): Promise<NfoData | undefined> {
    for (const id of file.sidecarIds ?? []) {
      const s = this.index.items.get(id);
      if (s?.mediaType !== 'nfo' && !s?.name.toLowerCase().endsWith('.nfo')) continue;
      const text = await this.source.readText(s).catch(() => undefined);
      const nfo = text ? (await loadNfoParser())(text) : undefined;
      if (nfo) return nfo;
    }
    return undefined;
  }

  /** tvshow.nfo in the show folder: the parent of a season folder, or the file's own folder. */
  private async readShowNfo(file: Item, inSeasonFolder: boolean): Promise<NfoData | undefined> {
    const dirs = file.relPath.split('/').slice(0, -1);
    const candidates = inSeasonFolder ? [dirs.slice(0, -1), dirs] : [dirs];
    for (const d of candidates) {
      const rel = [...d, 'tvshow.nfo'].join('/');
      const nfoItem = this.index.items.getByPath(file.locationId, rel);
      if (!nfoItem) continue;
      const text = await this.source.readText(nfoItem).catch(() => undefined);
      const nfo = text ? (await loadNfoParser())(text) : undefined;
      if (nfo) return nfo;
    }
    return undefined;
  }
}

function pad(n: unknown): string { return String(n).padStart(2, '0'); }

/** A locked field keeps the file's current value (it also drives virtual linking). */
function pick(locked: Set<string>, file: Item, field: string, value: unknown): unknown {
  return locked.has(field) ? file.meta?.[field] : value;
}

/** Descriptive NFO fields (not title/year/season/episode, handled by the caller). */
export function nfoFields(nfo: NfoData | undefined, episode: boolean): Record<string, unknown> {
  if (!nfo) return {};
  const out: Record<string, unknown> = {
    originalTitle: nfo.originalTitle, sortTitle: nfo.sortTitle, overview: nfo.plot, tagline: nfo.tagline, genres: nfo.genres,
    rating: nfo.rating, runtimeMin: nfo.runtimeMin, premiered: nfo.premiered, studio: nfo.studio, people: nfo.people,
    imdbId: nfo.imdbId, tvdbId: nfo.tvdbId,
  };
  if (!episode) out.tmdbId = nfo.tmdbId;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
