/**
 * GET /api/stats (api-000 §7.5), every upstream key in upstream order. Item counts come
 * from the index's incremental counters (never a pass over items); favorites are the
 * viewer's own; cache sizes are a walk of the cache folders, remembered for a few seconds
 * so a dashboard polling the endpoint does not walk a large cache every time.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IndexStore } from '../../domain/ports.js';
import { rfc3339, type Viewer } from './media-file.js';

export interface IndexStats {
  totalFiles: number;
  totalFolders: number;
  totalImages: number;
  totalVideos: number;
  totalPlaylists: number;
  totalFavorites: number;
  totalTags: number;
  thumbnailCacheBytes: number;
  thumbnailCacheFiles: number;
  transcodeCacheBytes: number;
  transcodeCacheFiles: number;
  lastIndexed: string;
  indexDuration: string;
}

const CACHE_WALK_TTL_MS = 10_000;

/** Go's time.Duration.String() for milliseconds: "0s", "250ms", "1.5s", "2m3.25s", "1h0m0s". */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const trim = (n: number) => String(Number(n.toFixed(3)));
  if (ms < 1000) return `${trim(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trim(s)}s`;
}

/** Total bytes and regular files under a folder (missing folder: zeros). */
export async function folderUsage(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try { entries = await readdir(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        try { bytes += (await stat(p)).size; files++; } catch { /* vanished meanwhile */ }
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}

export class ViewerStatsService {
  private cache?: { at: number; thumbs: { bytes: number; files: number }; transcodes: { bytes: number; files: number } };

  constructor(
    private readonly index: IndexStore,
    private readonly dirs: { thumbnailDir: string; transcodeDir: string },
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget the remembered cache sizes (after a cache clear). */
  invalidate(): void { this.cache = undefined; }

  async stats(viewer: Viewer): Promise<IndexStats> {
    const c = this.index.items.counters();
    const by = (t: string) => c.byMediaType[t]?.count ?? 0;
    if (!this.cache || this.now() - this.cache.at > CACHE_WALK_TTL_MS) {
      const [thumbs, transcodes] = await Promise.all([folderUsage(this.dirs.thumbnailDir), folderUsage(this.dirs.transcodeDir)]);
      this.cache = { at: this.now(), thumbs, transcodes };
    }
    const last = this.index.scans.list(undefined, 50).find((s) => s.status === 'done' && s.finishedAt !== undefined);
    return {
      totalFiles: c.files,
      totalFolders: c.dirs,
      totalImages: by('image'),
      totalVideos: by('video'),
      totalPlaylists: by('playlist'),
      totalFavorites: this.index.favorites.count(viewer.userId),
      totalTags: this.index.tags.count(),
      thumbnailCacheBytes: this.cache.thumbs.bytes,
      thumbnailCacheFiles: this.cache.thumbs.files,
      transcodeCacheBytes: this.cache.transcodes.bytes,
      transcodeCacheFiles: this.cache.transcodes.files,
      lastIndexed: last?.finishedAt ? rfc3339(last.finishedAt) : '0001-01-01T00:00:00Z',
      indexDuration: last?.finishedAt ? goDuration(last.finishedAt - last.startedAt) : '',
    };
  }
}
