/**
 * The h3xed item shape (Plex-style; docs/API.md "Home surface"): ratingKey strings,
 * durations and offsets in ms, addedAt/updatedAt/lastViewedAt in Unix seconds. One
 * presenter for listings, details, continue watching, watchlist and recommendations.
 */
import type { IndexStore, WatchProgress } from '../../domain/ports.js';
import type { Item, Library } from '../../domain/types.js';
import { findArtSource } from './artwork-source.js';
import type { ItemTree } from './item-tree.js';

export interface HomeFile {
  id: number; ratingKey: string; streamUrl: string; container?: string; videoCodec?: string; audioCodec?: string;
  videoResolution?: string; width?: number; height?: number; duration?: number; size: number; bitrate?: number;
  audioChannels?: number; name: string;
}

export interface HomeItem {
  id: string; ratingKey: string; key: string; type: string; title: string;
  year?: number; summary?: string; tagline?: string; rating?: number; contentRating?: string; genres?: string[];
  duration?: number; thumb?: string; art?: string; addedAt: number; updatedAt: number;
  librarySectionID: number; librarySectionUUID?: string; librarySectionTitle?: string;
  parentRatingKey?: string; parentTitle?: string; grandparentRatingKey?: string; grandparentTitle?: string;
  index?: number; parentIndex?: number; childCount?: number;
  viewOffset?: number; viewCount?: number; lastViewedAt?: number; watched?: boolean;
  leafCount?: number; viewedLeafCount?: number;
  files?: HomeFile[];
}

/** Reads one user's progress (the progress service merges its write-behind buffer). */
export type ProgressLookup = (userId: number, itemId: number) => WatchProgress | undefined;

const sec = (ms: number): number => Math.floor(ms / 1000);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const numOf = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Plex's videoResolution labels: 'sd', '480', '576', '720', '1080', '4k'. */
export function videoResolution(width?: number, height?: number): string | undefined {
  if (!width || !height) return undefined;
  if (width >= 3200 || height >= 2000) return '4k';
  if (width >= 1800 || height >= 1000) return '1080';
  if (width >= 1200 || height >= 700) return '720';
  if (height >= 560) return '576';
  if (height >= 470) return '480';
  return 'sd';
}

function typeOf(item: Item): string {
  if (item.kind !== 'file' && item.kind !== 'dir') return item.kind;
  if (item.kind === 'dir') return 'folder';
  if (item.mediaType === 'image') return 'photo';
  if (item.mediaType === 'audio') return 'track';
  if (item.mediaType === 'video') return typeof item.meta?.type === 'string' && (item.meta.type === 'episode' || item.meta.type === 'movie') ? item.meta.type : 'video';
  return item.mediaType;
}

export function titleOf(item: Item): string {
  return str(item.meta?.title) ?? item.name;
}

export class HomePresenter {
  constructor(private readonly index: IndexStore, private readonly tree: ItemTree, private readonly progress: ProgressLookup) {}

  /** One item; `detail` adds files[] and leaf counts of containers. */
  item(item: Item, userId: number | undefined, opts: { detail?: boolean; libs?: Map<number, Library | undefined> } = {}): HomeItem {
    const m = item.meta ?? {};
    const libs = opts.libs ?? new Map<number, Library | undefined>();
    if (!libs.has(item.libraryId)) libs.set(item.libraryId, this.index.libraries.get(item.libraryId));
    const lib = libs.get(item.libraryId);
    const id = String(item.id);
    const out: HomeItem = {
      id, ratingKey: id, key: `/api/media/${id}`, type: typeOf(item), title: titleOf(item),
      addedAt: sec(item.addedAt), updatedAt: sec(item.updatedAt), librarySectionID: item.libraryId,
    };
    if (lib) { out.librarySectionUUID = lib.uuid; out.librarySectionTitle = lib.name; }
    const year = numOf(m.year); if (year) out.year = year;
    const summary = str(m.overview) ?? str(m.summary); if (summary) out.summary = summary;
    const tagline = str(m.tagline); if (tagline) out.tagline = tagline;
    const rating = numOf(m.rating); if (rating !== undefined) out.rating = Math.round(rating * 10) / 10;
    const cr = str(m.contentRating); if (cr) out.contentRating = cr;
    if (Array.isArray(m.genres)) { const g = m.genres.filter((x): x is string => typeof x === 'string'); if (g.length) out.genres = g; }
    if (findArtSource(this.index, item, 'thumb')) out.thumb = `/api/artwork/${id}/thumb`;
    if (findArtSource(this.index, item, 'art')) out.art = `/api/artwork/${id}/art`;
    const playable = this.tree.isPlayable(item);
    if (playable) { const d = this.tree.durationOf(item); if (d) out.duration = d; }
    if (item.kind === 'episode') { out.index = numOf(m.episode); out.parentIndex = numOf(m.season); }
    else if (item.kind === 'season') out.index = numOf(m.season);
    else if (item.kind === 'track') out.index = numOf(m.track);
    if (this.tree.isContainer(item)) out.childCount = item.childCount ?? 0;
    const { parent, grandparent } = this.tree.ancestry(item);
    if (parent) { out.parentRatingKey = String(parent.id); out.parentTitle = titleOf(parent); }
    if (grandparent) { out.grandparentRatingKey = String(grandparent.id); out.grandparentTitle = titleOf(grandparent); }
    if (userId !== undefined && playable) {
      const p = this.progress(userId, this.tree.canonical(item).id);
      out.viewOffset = p?.offsetMs ?? 0;
      out.viewCount = p?.viewCount ?? 0;
      out.watched = p?.watched ?? false;
      if (p?.lastViewedAt) out.lastViewedAt = sec(p.lastViewedAt);
    }
    if (opts.detail) {
      if (playable) out.files = this.tree.filesOf(item).map((f) => this.file(f));
      else if (userId !== undefined && (item.kind === 'show' || item.kind === 'season' || item.kind === 'artist' || item.kind === 'album')) {
        const leaves = this.tree.leaves(item, 5_000);
        out.leafCount = leaves.length;
        out.viewedLeafCount = leaves.filter((l) => this.progress(userId, l.id)?.watched).length;
        out.watched = leaves.length > 0 && out.viewedLeafCount === leaves.length;
      }
    }
    return out;
  }

  list(items: Item[], userId: number | undefined): HomeItem[] {
    const libs = new Map<number, Library | undefined>();
    return items.map((i) => this.item(i, userId, { libs }));
  }

  file(f: Item): HomeFile {
    const p = f.probe ?? {};
    const v = p.video?.[0];
    const a = p.audio?.[0];
    const ext = f.name.includes('.') ? f.name.slice(f.name.lastIndexOf('.') + 1).toLowerCase() : undefined;
    const out: HomeFile = { id: f.id, ratingKey: String(f.id), streamUrl: `/api/stream/${f.id}`, size: f.size, name: f.name };
    const container = p.container?.split(',')[0] ?? ext;
    if (container) out.container = container === 'matroska' ? 'mkv' : container === 'mov' && ext === 'mp4' ? 'mp4' : container;
    if (v?.codec) out.videoCodec = v.codec;
    if (a?.codec) out.audioCodec = a.codec;
    if (a?.channels) out.audioChannels = a.channels;
    const w = v?.width ?? p.width; const h = v?.height ?? p.height;
    if (w) out.width = w;
    if (h) out.height = h;
    const res = videoResolution(w, h); if (res && f.mediaType === 'video') out.videoResolution = res;
    if (p.durationMs) out.duration = Math.round(p.durationMs);
    if (p.bitRate) out.bitrate = Math.round(p.bitRate / 1000);
    return out;
  }
}
