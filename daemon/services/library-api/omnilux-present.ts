/**
 * OmniLux shapes (seed 002): library roots, library files (list rows and detail), stats.
 * Pure functions of index records; docs/API.md, "OmniLux", documents every field.
 */
import type { Item, Library, LibraryCounters, StorageRoot } from '../../domain/types.js';
import { categoryOf, videoFacts } from '../../index/meta-indexes.js';

export interface OmniRoot {
  id: number; path: string; name: string; mediaType: string;
  fileCount: number; totalSizeBytes: number; lastScanAt: string | null;
}

const iso = (ms: number | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

/** A root's display path: the local path for file:// roots, else the credential-free URL. */
export function rootPath(root: StorageRoot | undefined, subPath = ''): string {
  if (!root) return '';
  const base = root.scheme === 'file' ? decodeURIComponent(new URL(root.url).pathname) : root.url;
  return subPath ? `${base.replace(/\/$/, '')}/${subPath}` : base;
}

export function presentRoot(lib: Library, root: StorageRoot | undefined, c: LibraryCounters): OmniRoot {
  const loc = lib.locations[0];
  const scans = lib.locations.map((l) => l.lastScanAt ?? 0);
  return {
    id: lib.id,
    path: rootPath(root, loc?.path),
    name: lib.name,
    mediaType: lib.type,
    fileCount: c.fileCount,
    totalSizeBytes: c.totalSizeBytes,
    lastScanAt: iso(Math.max(0, ...scans) || undefined),
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The `metadata` object of a file row. */
function metadataOf(item: Item): Record<string, unknown> {
  const m = item.meta ?? {};
  const out: Record<string, unknown> = {
    tmdbId: num(m.tmdbId) ?? null,
    overview: str(m.overview) ?? null,
    genres: Array.isArray(m.genres) ? m.genres : [],
    posterUrl: m.posterItemId !== undefined || m.posterPath !== undefined || m.coverEmbedded ? `/api/library/files/${item.id}/artwork/poster` : null,
    rating: num(m.rating) ?? null,
  };
  return out;
}

/** One row of GET /api/library/files. `absPath` resolves the item's path for display. */
export function presentFile(item: Item, absPath: string): Record<string, unknown> {
  const m = item.meta ?? {};
  const { codec, resolution } = videoFacts(item);
  const v = item.probe?.video?.[0];
  const a = item.probe?.audio?.[0];
  return {
    id: item.id,
    path: absPath,
    title: str(m.title) ?? item.name,
    year: num(m.year) ?? null,
    mediaType: categoryOf(item) ?? 'other',
    sizeBytes: item.size,
    duration: item.probe?.durationMs !== undefined ? Math.round(item.probe.durationMs / 1000) : null,
    codec: codec ?? (item.mediaType === 'audio' ? a?.codec ?? null : null),
    resolution: resolution ?? null,
    hdr: Boolean(v?.hdr),
    container: item.probe?.container ?? (item.name.includes('.') ? item.name.slice(item.name.lastIndexOf('.') + 1).toLowerCase() : null),
    addedAt: new Date(item.addedAt).toISOString(),
    metadata: metadataOf(item),
  };
}

const DETAIL_FIELDS = [
  'originalTitle', 'sortTitle', 'tagline', 'runtimeMin', 'premiered', 'studio', 'people', 'imdbId', 'tvdbId',
  'type', 'source', 'showTitle', 'season', 'episode', 'episodes', 'episodeTitle', 'airDate', 'part', 'edition',
  'artist', 'albumArtist', 'album', 'track', 'disc', 'virtualId', 'showId', 'seasonId', 'albumId', 'artistId',
  'backdropUrl', 'matchConfidence',
] as const;

/** GET /api/library/files/:id: the row plus every metadata field, tracks and external subtitles. */
export function presentDetail(item: Item, absPath: string, subtitles: Item[]): Record<string, unknown> {
  const row = presentFile(item, absPath);
  const m = item.meta ?? {};
  const metadata = row.metadata as Record<string, unknown>;
  for (const f of DETAIL_FIELDS) if (m[f] !== undefined) metadata[f] = m[f];
  if (m.fanartItemId !== undefined || m.backdropPath !== undefined) metadata.fanartUrl = `/api/library/files/${item.id}/artwork/fanart`;
  const p = item.probe ?? {};
  return {
    ...row,
    rootId: item.libraryId,
    mtime: new Date(item.mtimeMs).toISOString(),
    bitRate: p.bitRate ?? null,
    probeState: item.probeState ?? null,
    lockedFields: item.lockedFields ?? [],
    tracks: {
      video: (p.video ?? []).map((s) => ({ ...s, codec: s.codec })),
      audio: p.audio ?? [],
      subtitle: p.subtitles ?? [],
    },
    externalSubtitles: subtitles.map((s) => ({
      id: s.id, name: s.name, path: absPath.slice(0, absPath.length - item.name.length) + s.name,
      format: s.name.slice(s.name.lastIndexOf('.') + 1).toLowerCase(), sizeBytes: s.size,
      ...subtitleInfo(s),
    })),
  };
}

function subtitleInfo(s: Item): Record<string, unknown> {
  const info = s.meta?.subtitle as { language?: string; forced?: boolean; sdh?: boolean } | undefined;
  const parts = s.name.split('.').slice(1, -1).map((x) => x.toLowerCase());
  const language = info?.language ?? parts.find((x) => /^[a-z]{2,3}(-[a-z]{2,4})?$/.test(x) && x !== 'sdh') ?? null;
  return { language, forced: info?.forced ?? parts.includes('forced'), sdh: info?.sdh ?? (parts.includes('sdh') || parts.includes('cc')) };
}

export interface OmniStats {
  totalFiles: number; totalSizeBytes: number;
  byMediaType: Record<string, { count: number; sizeBytes: number }>;
  byCodec: Record<string, number>; byResolution: Record<string, number>;
}

export function sumStats(all: LibraryCounters[]): OmniStats {
  const out: OmniStats = { totalFiles: 0, totalSizeBytes: 0, byMediaType: {}, byCodec: {}, byResolution: {} };
  for (const c of all) {
    out.totalFiles += c.fileCount;
    out.totalSizeBytes += c.totalSizeBytes;
    for (const [k, v] of Object.entries(c.byCategory)) {
      const t = out.byMediaType[k] ?? (out.byMediaType[k] = { count: 0, sizeBytes: 0 });
      t.count += v.count; t.sizeBytes += v.sizeBytes;
    }
    for (const [k, v] of Object.entries(c.byCodec)) out.byCodec[k] = (out.byCodec[k] ?? 0) + v;
    for (const [k, v] of Object.entries(c.byResolution)) out.byResolution[k] = (out.byResolution[k] ?? 0) + v;
  }
  return out;
}
