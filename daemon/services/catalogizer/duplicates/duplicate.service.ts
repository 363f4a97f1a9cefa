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
    const bySize = new Map<number, Item[]>();
    const dirs = new Map<number, { item: Item; size: number; files: number; dirs: number; dups: number }>();
    for (const item of this.index.items.iterateLibrary(libraryId)) {
      if (item.kind === 'dir') { const d = dirs.get(item.id); if (d) d.item = item; else dirs.set(item.id, { item, size: 0, files: 0, dirs: 0, dups: 0 }); continue; }
      if (item.kind !== 'file' || item.offline) continue;
      const parent = dirs.get(item.parentId) ?? { item: undefined as unknown as Item, size: 0, files: 0, dirs: 0, dups: 0 };
      parent.size += item.size; parent.files++;
      dirs.set(item.parentId, parent);
      if (item.size <= 0) continue;
      const list = bySize.get(item.size);
      if (list) list.push(item); else bySize.set(item.size, [item]);
    }
    const candidates = [...bySize.values()].filter((l) => l.length > 1).flat();
    let done = 0;
    let bytesRead = 0;
    let hashed = 0;
    const total = candidates.length;
    this.events.emit({ type: 'job.progress', job, done, total, state: 'running' });
    const partial = new Map<number, string>();
    const hashes = async (item: Item, kind: 'partial' | 'full'): Promise<string | undefined> => {
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
    await mapLimit(candidates, concurrency, async (item) => {
      const h = await hashes(item, 'partial');
      if (h) partial.set(item.id, h);
      if (++done % 256 === 0) this.events.emit({ type: 'job.progress', job, done, total, state: 'running' });
    });
    const byPartial = new Map<string, Item[]>();
    for (const item of candidates) {
      const h = partial.get(item.id);
      if (!h) continue;
      const key = `${item.size}:${h}`;
      const l = byPartial.get(key);
      if (l) l.push(item); else byPartial.set(key, [item]);
    }
    const second = [...byPartial.values()].filter((l) => l.length > 1).flat();
    const full = new Map<number, string>();
    await mapLimit(second, concurrency, async (item) => { const h = await hashes(item, 'full'); if (h) full.set(item.id, h); });
    const byFull = new Map<string, DuplicateGroup>();
    for (const item of second) {
      const h = full.get(item.id);
      if (!h) continue;
      const g = byFull.get(h);
      if (g) g.ids.push(item.id); else byFull.set(h, { hash: h, size: item.size, ids: [item.id] });
    }
    const groups = [...byFull.values()].filter((g) => g.ids.length > 1);
    const result: DuplicateResult = { libraryId, computedAt: Date.now(), groups, filesHashed: hashed, bytesRead };
    await this.catalog.putDuplicates(result);
    await this.saveDirectorySizes(libraryId, dirs, groups);
    this.events.emit({ type: 'job.progress', job, done: total, total, state: 'done' });
    this.logger.info({ libraryId, groups: groups.length, candidates: total, hashed, bytesRead }, 'duplicate detection finished');
    return result;
  }

  private async saveDirectorySizes(libraryId: number, dirs: Map<number, { item: Item; size: number; files: number; dirs: number; dups: number }>, groups: DuplicateGroup[]): Promise<void> {
    const dupParents = new Map<number, number>();
    for (const g of groups) for (const it of this.index.items.getMany(g.ids)) if (it) dupParents.set(it.parentId, (dupParents.get(it.parentId) ?? 0) + 1);
    // Deepest first, so each folder's totals are complete before they are added to its parent.
    const list = [...dirs.values()].filter((d) => d.item).sort((a, b) => b.item.relPath.split('/').length - a.item.relPath.split('/').length);
    for (const d of list) {
      d.dups += dupParents.get(d.item.id) ?? 0;
      const p = dirs.get(d.item.parentId);
      if (p && p.item) { p.size += d.size; p.files += d.files; p.dirs += 1 + d.dirs; p.dups += d.dups; }
    }
    const lib = this.index.libraries.get(libraryId);
    const top = list.filter((d) => d.item.relPath).sort((a, b) => b.size - a.size).slice(0, this.options.topDirectories ?? 1000)
      .map((d): DirectorySize => ({
        id: d.item.id, path: `/${d.item.relPath}`, name: d.item.name, total_size: d.size, file_count: d.files,
        directory_count: d.dirs, duplicate_count: d.dups,
      }));
    await this.index.kv.put(dirSizesKey(libraryId), { computedAt: Date.now(), library: lib?.name ?? '', directories: top });
  }
}
