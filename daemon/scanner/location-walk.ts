/**
 * Walk one library location breadth-first and diff it against the index.
 *
 * Each directory is listed once (at most `concurrency` list() calls in flight, which hides
 * remote latency) and compared by name with the index's children of that directory:
 * new -> upsert, size/mtime changed -> upsert, missing -> removal candidate, unchanged ->
 * nothing written. Files added and removed are held until the walk ends so renames can be
 * paired (rename-plan.ts); on a location's first scan adds stream out immediately instead.
 * A directory that cannot be listed is counted and logged, and its indexed items are kept.
 */
import type { Logger } from '../log/logger.js';
import type { ItemRepo, ItemUpsert } from '../domain/ports.js';
import type { Item, LibraryLocation } from '../domain/types.js';
import type { StorageAdapter, StorageEntry } from '../../storage-adapters/types.js';
import { classify, type IgnoreMatcher } from './classify.js';
import { isSidecarName } from './sidecars.js';
import type { BatchWriter } from './batch-writer.js';
import { planRenames, type RemovedFile } from './rename-plan.js';

/** A directory to list. `itemId` is absent for directories new in this scan. */
export interface DirTask {
  relPath: string;
  itemId?: number;
  /** 'all': descend into every subdirectory; 'changed': only new ones and ones whose mtime changed. */
  descend: 'all' | 'changed';
}

export interface WalkOptions {
  adapter: StorageAdapter;
  items: ItemRepo;
  location: LibraryLocation;
  libraryId: number;
  kind: 'full' | 'incremental';
  ignore: IgnoreMatcher;
  writer: BatchWriter;
  concurrency: number;
  /** Hold file adds until the end for rename pairing (false on a location's first scan). */
  deferFileAdds: boolean;
  signal?: AbortSignal;
  logger: Logger;
  onDir?: (seen: number, relPath: string) => void;
}

export interface WalkResult {
  seen: number;
  addedFiles: number;
  changedFiles: number;
  moved: number;
  unchanged: number;
  errors: number;
  /** Directories (relPath) whose sidecar attachments must be recomputed. */
  sidecarDirs: Set<string>;
}

function join(a: string, b: string): string {
  return a ? (b ? `${a}/${b}` : a) : b;
}

export class LocationWalk {
  private readonly result: WalkResult = {
    seen: 0, addedFiles: 0, changedFiles: 0, moved: 0, unchanged: 0, errors: 0, sidecarDirs: new Set(),
  };
  private readonly addedFiles: ItemUpsert[] = [];
  private readonly removedFiles: RemovedFile[] = [];
  private readonly removedDirIds: number[] = [];

  constructor(private readonly o: WalkOptions) {}

  async run(start: DirTask[]): Promise<WalkResult> {
    await this.walk(start);
    await this.finish();
    return this.result;
  }

  /** Breadth-first over a FIFO with a bounded number of directories in flight. */
  private walk(start: DirTask[]): Promise<void> {
    const queue = start.slice();
    let head = 0;
    let active = 0;
    let failed = false;
    return new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        if (failed) return;
        while (active < this.o.concurrency && head < queue.length) {
          const task = queue[head++];
          active++;
          this.visit(task, queue).then(() => {
            active--;
            if (head > 4096 && head * 2 > queue.length) { queue.splice(0, head); head = 0; }
            pump();
          }, (err: unknown) => { failed = true; reject(err); });
        }
        if (active === 0 && head >= queue.length) resolve();
      };
      pump();
    });
  }

  private async visit(task: DirTask, queue: DirTask[]): Promise<void> {
    const { o } = this;
    o.signal?.throwIfAborted();
    let entries: StorageEntry[];
    try {
      entries = await o.adapter.list(join(o.location.path, task.relPath), o.signal);
    } catch (err) {
      o.signal?.throwIfAborted();
      // Keep what the index knows about this directory: a transient or permission failure
      // must never delete a subtree.
      this.result.errors++;
      o.logger.warn({ err, locationId: o.location.id, relPath: task.relPath }, 'scan: cannot list directory');
      return;
    }
    const existing = new Map<string, Item>();
    if (task.itemId !== undefined) {
      for (const child of o.items.iterateChildren(task.itemId)) {
        if (child.kind === 'dir' || child.kind === 'file') existing.set(child.name, child);
      }
    }
    let changed = false;
    let hasSidecars = false;
    for (const entry of entries) {
      if (entry.type === 'other' || o.ignore(entry.name, entry.type)) continue;
      this.result.seen++;
      const relPath = join(task.relPath, entry.name);
      const mtimeMs = Math.floor(entry.mtimeMs);
      let old = existing.get(entry.name);
      if (old) existing.delete(entry.name);
      if (entry.type === 'file' && isSidecarName(entry.name)) hasSidecars = true;
      if (old && old.kind !== entry.type) {
        // A file became a directory or the reverse: drop the old one first so the path is free.
        await o.writer.apply({ removeIds: [old.id] });
        old = undefined;
      }
      if (!old) {
        changed = true;
        const upsert = this.toUpsert(entry, relPath, mtimeMs);
        if (entry.type === 'dir') {
          o.writer.upsert(upsert);
          queue.push({ relPath, descend: 'all' });
        } else {
          this.result.addedFiles++;
          if (o.deferFileAdds) this.addedFiles.push(upsert); else o.writer.upsert(upsert);
        }
      } else if (entry.type === 'file') {
        if (old.size !== entry.size || old.mtimeMs !== mtimeMs) {
          changed = true;
          this.result.changedFiles++;
          o.writer.upsert(this.toUpsert(entry, relPath, mtimeMs));
        } else {
          this.result.unchanged++;
        }
      } else {
        const dirChanged = old.mtimeMs !== mtimeMs;
        if (dirChanged) o.writer.upsert(this.toUpsert(entry, relPath, mtimeMs));
        else this.result.unchanged++;
        if (task.descend === 'all' || dirChanged) queue.push({ relPath, itemId: old.id, descend: task.descend });
      }
    }
    for (const gone of existing.values()) {
      changed = true;
      if (gone.kind === 'dir') {
        this.removedDirIds.push(gone.id);
        this.collectSubtreeFiles(gone.id);
      } else {
        this.removedFiles.push({ item: gone, covered: false });
      }
    }
    if (changed || (hasSidecars && o.kind === 'full')) this.result.sidecarDirs.add(task.relPath);
    o.onDir?.(this.result.seen, task.relPath);
    await o.writer.flushIfFull();
  }

  /** Files under a vanished directory may have moved elsewhere: make them rename candidates. */
  private collectSubtreeFiles(dirId: number): void {
    const stack = [dirId];
    while (stack.length) {
      const id = stack.pop() as number;
      for (const child of this.o.items.iterateChildren(id)) {
        if (child.kind === 'dir') stack.push(child.id);
        else if (child.kind === 'file') this.removedFiles.push({ item: child, covered: true });
      }
    }
  }

  /** Pair renames, then: new dirs are already written; moves; plain adds; removals last. */
  private async finish(): Promise<void> {
    const { o } = this;
    await o.writer.flush();
    o.signal?.throwIfAborted();
    const plan = planRenames(this.removedFiles, this.addedFiles);
    this.result.moved = plan.moves.length;
    this.result.addedFiles -= plan.moves.length;
    for (const move of plan.moves) this.result.sidecarDirs.add(parentPath(move.relPath));
    // Moves go before removals so a file moved out of a deleted folder survives it.
    await o.writer.apply({ moves: plan.moves, upserts: plan.upserts, removeIds: [...plan.removeIds, ...this.removedDirIds] });
  }

  private toUpsert(entry: StorageEntry, relPath: string, mtimeMs: number): ItemUpsert {
    const isDir = entry.type === 'dir';
    const c = isDir ? { mediaType: 'folder' as const, mime: undefined } : classify(entry.name);
    const upsert: ItemUpsert = {
      locationId: this.o.location.id,
      libraryId: this.o.libraryId,
      relPath,
      name: entry.name,
      kind: isDir ? 'dir' : 'file',
      mediaType: c.mediaType,
      size: isDir ? 0 : entry.size,
      mtimeMs,
    };
    if (c.mime) upsert.mime = c.mime;
    return upsert;
  }
}

function parentPath(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}
