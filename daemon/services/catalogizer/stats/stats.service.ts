/**
 * Catalogizer statistics (/api/v1/stats/*) from kept counters only: per-library catalog
 * counters (written with the items), the duplicate detector's cached result, the access
 * log's daily buckets, the scan records. No request walks the items, so latency does not
 * grow with the catalog. `smb_root` filters are library names; absent = every library.
 */
import type { AccessRepo, CatalogCounters, CatalogRepo, IndexStore } from '../../../domain/ports.js';
import type { Library, ScanRecord } from '../../../domain/types.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import { dirSizesKey, type DirectorySize } from '../duplicates/duplicate.service.js';

const DAY_MS = 86_400_000;
const BUCKETS = ['tiny', 'small', 'medium', 'large', 'huge', 'massive'] as const;

/** Clamp like upstream: out of range (or absent) -> default. */
export function clampInt(raw: string | null | undefined, def: number, max: number): number {
  if (raw === null || raw === undefined || raw === '') return def;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 && n <= max ? n : def;
}

export class CatalogStatsService {
  constructor(
    private readonly index: IndexStore,
    private readonly catalog: CatalogRepo,
    private readonly access: AccessRepo,
  ) {}

  libraries(): Library[] { return this.index.libraries.list().filter((l) => l.purpose === 'library'); }

  /** The libraries an `smb_root` filter selects (404 for an unknown name). */
  scope(root?: string | null): Library[] {
    if (!root) return this.libraries();
    const lib = this.index.libraries.getByName(root);
    if (!lib || lib.purpose !== 'library') throw new NotFoundError(`Storage root not found: ${root}`, 'ROOT_NOT_FOUND');
    return [lib];
  }

  private sum(libs: Library[]): CatalogCounters {
    const out: CatalogCounters = { files: 0, dirs: 0, bytes: 0, sizes: [0, 0, 0, 0, 0, 0], ext: {}, months: {} };
    for (const lib of libs) {
      const c = this.catalog.counters(lib.id);
      out.files += c.files; out.dirs += c.dirs; out.bytes += c.bytes;
      c.sizes.forEach((n, i) => { out.sizes[i] += n; });
      for (const [k, [n, b, t]] of Object.entries(c.ext)) { const e = out.ext[k] ?? (out.ext[k] = [0, 0, t]); e[0] += n; e[1] += b; }
      for (const [k, [n, b]] of Object.entries(c.months)) { const m = out.months[k] ?? (out.months[k] = [0, 0]); m[0] += n; m[1] += b; }
    }
    return out;
  }

  private dupSummary(libs: Library[]) {
    let groups = 0; let dups = 0; let wasted = 0; let largest = 0; let members = 0;
    const list: { libraryId: number; hash: string; size: number; count: number }[] = [];
    for (const lib of libs) {
      for (const g of this.catalog.duplicates(lib.id)?.groups ?? []) {
        groups++; dups += g.ids.length - 1; wasted += (g.ids.length - 1) * g.size; members += g.ids.length;
        largest = Math.max(largest, g.ids.length);
        list.push({ libraryId: lib.id, hash: g.hash, size: g.size, count: g.ids.length });
      }
    }
    return { groups, dups, wasted, largest, members, list };
  }

  private lastScan(libs: Library[]): number {
    let last = 0;
    for (const lib of libs) for (const s of this.index.scans.list(lib.id, 1)) last = Math.max(last, s.finishedAt ?? s.startedAt);
    return Math.floor(last / 1000);
  }

  private online(lib: Library): boolean { return lib.locations.length > 0 && lib.locations.every((l) => l.online); }

  overall() {
    const libs = this.libraries();
    const c = this.sum(libs);
    const d = this.dupSummary(libs);
    return {
      total_files: c.files, total_directories: c.dirs, total_size: c.bytes, total_duplicates: d.dups, duplicate_groups: d.groups,
      storage_roots_count: libs.length, active_storage_roots: libs.filter((l) => this.online(l)).length, last_scan_time: this.lastScan(libs),
    };
  }

  root(name: string) {
    const [lib] = this.scope(name);
    const c = this.sum([lib]);
    const d = this.dupSummary([lib]);
    return {
      name: lib.name, total_files: c.files, total_directories: c.dirs, total_size: c.bytes,
      duplicate_files: d.dups, duplicate_groups: d.groups, last_scan_time: this.lastScan([lib]), is_online: this.online(lib),
    };
  }

  fileTypes(root: string | null, limit: number) {
    const c = this.sum(this.scope(root));
    return Object.entries(c.ext)
      .map(([ext, [count, size, type]]) => ({ file_type: type || 'unknown', extension: ext || 'none', count, total_size: size, average_size: count ? size / count : 0 }))
      .sort((a, b) => b.count - a.count || b.total_size - a.total_size)
      .slice(0, limit);
  }

  sizes(root: string | null): Record<typeof BUCKETS[number], number> {
    const c = this.sum(this.scope(root));
    return Object.fromEntries(BUCKETS.map((b, i) => [b, c.sizes[i]])) as Record<typeof BUCKETS[number], number>;
  }

  duplicates(root: string | null) {
    const d = this.dupSummary(this.scope(root));
    return {
      total_duplicates: d.dups, duplicate_groups: d.groups, wasted_space: d.wasted, largest_duplicate_group: d.largest,
      average_group_size: d.groups ? Math.round((d.members / d.groups) * 100) / 100 : 0,
    };
  }

  duplicatesCount(root: string | null) {
    const d = this.dupSummary(this.scope(root));
    return { duplicate_groups: d.groups, smb_root: root ?? '', total_duplicates: d.dups, total_wasted_space: d.wasted };
  }

  duplicateGroups(root: string | null, sortBy: string, limit: number) {
    if (sortBy !== 'count' && sortBy !== 'size') throw new ValidationError("sort_by must be 'count' or 'size'", { field: 'sort_by' }, 'INVALID_SORT');
    const d = this.dupSummary(this.scope(root));
    const top = d.list.sort((a, b) => (sortBy === 'count' ? b.count - a.count || b.size - a.size : b.size * b.count - a.size * a.count)).slice(0, limit);
    return top.map((g, i) => {
      const group = this.catalog.duplicates(g.libraryId)?.groups.find((x) => x.hash === g.hash);
      const sample = group ? this.index.items.get(group.ids[0]) : undefined;
      const lib = this.index.libraries.get(g.libraryId);
      return {
        group_id: i + 1, hash: g.hash, file_count: g.count, total_size: g.size * g.count, wasted_space: g.size * (g.count - 1),
        sample_path: sample && lib ? `/${lib.name}/${sample.relPath}` : '',
      };
    });
  }

  accessPatterns(root: string | null, days: number, now = Date.now()) {
    const libs = root ? this.scope(root) : [];
    const scopeId = libs[0]?.id ?? 0;
    const today = Math.floor(now / DAY_MS);
    const from = today - days + 1;
    const daily = this.access.daily(scopeId, from, today);
    const files = this.sum(root ? libs : this.libraries()).files;
    const dirNames = this.access.top(scopeId, 'dir', 10).map(({ key, count }) => {
      const it = this.index.items.get(Number(key));
      const lib = it && this.index.libraries.get(it.libraryId);
      return { path: it && lib ? `/${lib.name}${it.relPath ? `/${it.relPath}` : ''}` : '', count };
    });
    return {
      recently_accessed: this.access.recentlyAccessed(scopeId, from),
      never_accessed: Math.max(0, files - this.access.accessedItems(scopeId)),
      access_frequency: Array.from({ length: days }, (_, i) => daily.get(from + i) ?? 0),
      popular_extensions: this.access.top(scopeId, 'ext', 10).map(({ key, count }) => ({ extension: String(key), count })),
      popular_directories: dirNames,
      period_days: days,
    };
  }

  growth(root: string | null, months: number, now = Date.now()) {
    const c = this.sum(this.scope(root));
    const keys = Object.keys(c.months).sort();
    const d = new Date(now);
    const wanted: string[] = [];
    for (let i = months - 1; i >= 0; i--) wanted.push(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
    let files = 0; let size = 0;
    for (const k of keys) if (k < wanted[0]) { files += c.months[k][0]; size += c.months[k][1]; }
    const startFiles = files; const startSize = size;
    const monthly = wanted.map((month) => {
      const [added, bytes] = c.months[month] ?? [0, 0];
      files += added; size += bytes;
      return { month, files_added: added, size_added: bytes, total_files: files, total_size: size };
    });
    const rate = (a: number, b: number): number => (a > 0 ? Math.round(((b - a) / a) * 1000) / 10 : b > 0 ? 100 : 0);
    const fileRate = rate(startFiles, files);
    const sizeRate = rate(startSize, size);
    return { monthly_growth: monthly, total_growth_rate: Math.round(((fileRate + sizeRate) / 2) * 10) / 10, file_growth_rate: fileRate, size_growth_rate: sizeRate };
  }

  scans(root: string | null, limit: number, offset: number) {
    const libs = this.scope(root);
    const all: ScanRecord[] = root ? this.index.scans.list(libs[0].id, 100_000) : this.index.scans.list(undefined, 100_000);
    const names = new Map(this.index.libraries.list().map((l) => [l.id, l.name]));
    const status = (s: ScanRecord['status']): string => (s === 'done' ? 'completed' : s);
    return {
      scans: all.slice(offset, offset + limit).map((s) => ({
        id: s.id, storage_root_id: s.libraryId, smb_root_name: names.get(s.libraryId) ?? '', scan_type: s.kind, status: status(s.status),
        start_time: new Date(s.startedAt).toISOString(), end_time: s.finishedAt ? new Date(s.finishedAt).toISOString() : null,
        files_processed: s.added + s.changed + s.unchanged, files_added: s.added, files_updated: s.changed, files_deleted: s.removed,
        error_count: s.errors, error_message: s.error ?? null,
      })),
      total_count: all.length, limit, offset,
    };
  }

  directoriesBySize(root: string, limit: number) {
    const [lib] = this.scope(root);
    const saved = this.index.kv.get<{ computedAt: number; directories: DirectorySize[] }>(dirSizesKey(lib.id));
    const directories = (saved?.directories ?? []).slice(0, limit).map((d) => ({ ...d, storage_root_name: lib.name }));
    return { directories, count: directories.length, computed_at: saved ? new Date(saved.computedAt).toISOString() : null };
  }
}
