/**
 * Background duplicate detection per library, in three narrowing passes so most files are
 * never read: (1) group files by size from the index (no I/O); (2) sha256 of the first and
 * last 64 KiB of files sharing a size; (3) full sha256 of files sharing size and partial
 * hash. Hashes are cached in the index (CatalogRepo) and reused while size and mtime are
 * unchanged, so a rerun after a scan reads only new or changed candidates. I/O is bounded
 * (`concurrency` reads at a time). The same pass sums directory sizes (for
 * /stats/directories/by-size). Runs after each finished scan (debounced) and on demand;
 * progress goes out as `job.progress` events (job 'duplicates:<libraryId>').
 */
import type { CatalogRepo, DuplicateGroup, DuplicateResult, EventBus, IndexStore } from '../../../domain/ports.js';
import type { Item } from '../../../domain/types.js';
import type { Logger } from '../../../log/logger.js';
import { ItemStorage, type GetAdapter } from '../../media-viewer/item-storage.js';
import { fullHash, partialHash } from './file-hasher.js';

export interface DirectorySize { id: number; path: string; name: string; total_size: number; file_count: number; directory_count: number; duplicate_count: number }

export interface DuplicateOptions { concurrency?: number; debounceMs?: number; topDirectories?: number }

export const dirSizesKey = (libraryId: number): string => `catalogizer.dir-sizes.${libraryId}`;

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** What the directory-size pass needs of a folder item. */
interface SlimDir { id: number; parentId: number; relPath: string; name: string; depth: number }
interface DirTotals { dir?: SlimDir; size: number; files: number; dirs: number; dups: number }
const newTotals = (): DirTotals => ({ size: 0, files: 0, dirs: 0, dups: 0 });
const slim = (item: Item): SlimDir => ({ id: item.id, parentId: item.parentId, relPath: item.relPath, name: item.name, depth: item.relPath.split('/').length });

export class DuplicateService {
  private readonly storage: ItemStorage;
  private readonly running = new Map<number, Promise<DuplicateResult>>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private off?: () => void;

  constructor(
    private readonly index: IndexStore,
    private readonly catalog: CatalogRepo,
    getAdapter: GetAdapter,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly options: DuplicateOptions = {},
  ) {
    this.storage = new ItemStorage(index, getAdapter);
  }

  /** Recompute after every finished scan (debounced per library). */
  start(): void {
    this.off = this.events.on((e) => {
      if (e.type === 'scan.finished' && e.status === 'done') this.schedule(e.libraryId);
    });
  }

  schedule(libraryId: number, delayMs = this.options.debounceMs ?? 2_000): void {
    clearTimeout(this.timers.get(libraryId));
    const t = setTimeout(() => {
      this.timers.delete(libraryId);
      void this.run(libraryId).catch((err: unknown) => this.logger.warn({ err, libraryId }, 'duplicate detection failed'));
    }, delayMs);
    t.unref();
    this.timers.set(libraryId, t);
  }

  /** Run now (joins a run in progress for the same library). */
  run(libraryId: number): Promise<DuplicateResult> {
    const current = this.running.get(libraryId);
    if (current) return current;
    const p = this.detect(libraryId).finally(() => this.running.delete(libraryId));
    this.running.set(libraryId, p);
    return p;
  }

  async stop(): Promise<void> {
    this.off?.();
    this.abort.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running.values()]);
  }

  private async detect(libraryId: number): Promise<DuplicateResult> {
    const signal = this.abort.signal;
    const job = `duplicates:${libraryId}`;
    // Only ids and the few numbers each pass needs are kept, never Item records: a library
    // of 100,000 files is a few MB here instead of ~50 MB of items (and the GC garbage of
    // holding them through every hash). Items are read again one at a time for hashing.
    const bySize = new Map<number, number[]>();
    const dirs = new Map<number, DirTotals>();
    for (const item of this.index.items.iterateLibrary(libraryId)) {
      if (item.kind === 'dir') { const d = dirs.get(item.id) ?? newTotals(); d.dir = slim(item); dirs.set(item.id, d); continue; }
      if (item.kind !== 'file' || item.offline) continue;
      const parent = dirs.get(item.parentId) ?? newTotals();
      parent.size += item.size; parent.files++;
      dirs.set(item.parentId, parent);
      if (item.size <= 0) continue;
      const list = bySize.get(item.size);
      if (list) list.push(item.id); else bySize.set(item.size, [item.id]);
    }
    const candidates: number[] = [];
    for (const ids of bySize.values()) if (ids.length > 1) for (const id of ids) candidates.push(id);
    bySize.clear();
    let done = 0;
    let bytesRead = 0;
    let hashed = 0;
    const total = candidates.length;
    this.events.emit({ type: 'job.progress', job, done, total, state: 'running' });
    const sizes = new Map<number, number>();
    const partial = new Map<number, string>();
    const hashes = async (id: number, kind: 'partial' | 'full'): Promise<string | undefined> => {
      const item = this.index.items.get(id);
      if (!item || item.kind !== 'file' || item.offline) return undefined;
      sizes.set(id, item.size);
      const cached = this.catalog.hashes(item.id);
      const valid = cached && cached.size === item.size && cached.mtimeMs === item.mtimeMs ? cached : undefined;
      if (valid?.[kind]) return valid[kind];
      try {
        const { adapter, path } = await this.storage.locate(item);
        const r = kind === 'partial' ? await partialHash(adapter, path, item.size, signal) : await fullHash(adapter, path, item.size, signal);
        bytesRead += r.bytes; hashed++;
        const small = item.size <= 128 * 1024;
        await this.catalog.putHashes(item.id, {
          ...(valid ?? {}), size: item.size, mtimeMs: item.mtimeMs, [kind]: r.hash, ...(small ? { partial: r.hash, full: r.hash } : {}),
        });
        return r.hash;
      } catch (err) {
        if (signal.aborted) throw err;
        this.logger.debug({ err, itemId: item.id }, 'duplicate hash skipped');
        return undefined;
      }
    };
    const concurrency = this.options.concurrency ?? 2;
    await mapLimit(candidates, concurrency, async (id) => {
      const h = await hashes(id, 'partial');
      if (h) partial.set(id, h);
      if (++done % 256 === 0) this.events.emit({ type: 'job.progress', job, done, total, state: 'running' });
    });
    const byPartial = new Map<string, number[]>();
    for (const id of candidates) {
      const h = partial.get(id);
      if (!h) continue;
      const key = `${sizes.get(id)}:${h}`;
      const l = byPartial.get(key);
      if (l) l.push(id); else byPartial.set(key, [id]);
    }
    partial.clear();
    const second = [...byPartial.values()].filter((l) => l.length > 1).flat();
    byPartial.clear();
    const full = new Map<number, string>();
    await mapLimit(second, concurrency, async (id) => { const h = await hashes(id, 'full'); if (h) full.set(id, h); });
    const byFull = new Map<string, DuplicateGroup>();
    for (const id of second) {
      const h = full.get(id);
      if (!h) continue;
      const g = byFull.get(h);
      if (g) g.ids.push(id); else byFull.set(h, { hash: h, size: sizes.get(id) ?? 0, ids: [id] });
    }
    const groups = [...byFull.values()].filter((g) => g.ids.length > 1);
    const result: DuplicateResult = { libraryId, computedAt: Date.now(), groups, filesHashed: hashed, bytesRead };
    await this.catalog.putDuplicates(result);
    await this.saveDirectorySizes(libraryId, dirs, groups);
    this.events.emit({ type: 'job.progress', job, done: total, total, state: 'done' });
    this.logger.info({ libraryId, groups: groups.length, candidates: total, hashed, bytesRead }, 'duplicate detection finished');
    return result;
  }

  private async saveDirectorySizes(libraryId: number, dirs: Map<number, DirTotals>, groups: DuplicateGroup[]): Promise<void> {
    const dupParents = new Map<number, number>();
    for (const g of groups) for (const it of this.index.items.getMany(g.ids)) if (it) dupParents.set(it.parentId, (dupParents.get(it.parentId) ?? 0) + 1);
    // Deepest first, so each folder's totals are complete before they are added to its parent.
    const list = [...dirs.values()].filter((d): d is DirTotals & { dir: SlimDir } => d.dir !== undefined)
      .sort((a, b) => b.dir.depth - a.dir.depth);
    for (const d of list) {
      d.dups += dupParents.get(d.dir.id) ?? 0;
      const p = dirs.get(d.dir.parentId);
      if (p && p.dir) { p.size += d.size; p.files += d.files; p.dirs += 1 + d.dirs; p.dups += d.dups; }
    }
    const lib = this.index.libraries.get(libraryId);
    const top = list.filter((d) => d.dir.relPath).sort((a, b) => b.size - a.size).slice(0, this.options.topDirectories ?? 1000)
      .map((d): DirectorySize => ({
        id: d.dir.id, path: `/${d.dir.relPath}`, name: d.dir.name, total_size: d.size, file_count: d.files,
        directory_count: d.dirs, duplicate_count: d.dups,
      }));
    await this.index.kv.put(dirSizesKey(libraryId), { computedAt: Date.now(), library: lib?.name ?? '', directories: top });
  }
}
