/**
 * ScanService: brings the index in line with what is on storage, one library at a time.
 * See README.md in this folder for the phases. Contract:
 * - One scan per library at a time: asking again while one runs returns the running scan.
 * - Every scan leaves a ScanRecord (counts, status, timings) and emits scan.started,
 *   throttled scan.progress, scan.finished, and items.added/changed/removed in chunks.
 * - An unreachable location is marked offline and its items are KEPT; once reachable again
 *   it is marked online. A directory that cannot be listed keeps its items.
 * - A failed or cancelled scan resolves with its record (status 'failed' / 'cancelled');
 *   only an unknown library rejects (NotFoundError).
 */
import type { EventBus, IndexStore, Clock } from '../domain/ports.js';
import { systemClock } from '../domain/ports.js';
import type { Library, LibraryLocation, ScanRecord } from '../domain/types.js';
import { NotFoundError } from '../domain/errors.js';
import type { Logger } from '../log/logger.js';
import { StorageError, type StorageAdapter, type StorageErrorCode } from '../../storage-adapters/types.js';
import { createIgnoreMatcher, DEFAULT_IGNORE, type IgnoreMatcher } from './classify.js';
import { BatchWriter } from './batch-writer.js';
import { LocationWalk, type DirTask } from './location-walk.js';
import { attachSidecars } from './attach-sidecars.js';

export interface ScanServiceOptions {
  /** Directories listed in parallel; default 4 on local roots, 8 on remote ones (latency). */
  walkConcurrency?: number;
  /** Upserts per applyBatch transaction (default 1000). */
  batchSize?: number;
  /** Ignore patterns (replace DEFAULT_IGNORE). */
  ignore?: readonly string[];
  /** Minimum time between scan.progress events (default 250 ms). */
  progressIntervalMs?: number;
}

/** What the scanner needs from the probe job: a nudge that new work is waiting. */
export interface ProbeKicker { kick(): void }

export interface ScanServiceDeps {
  index: IndexStore;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  events: EventBus;
  logger: Logger;
  clock?: Clock;
  probeQueue?: ProbeKicker;
  options?: ScanServiceOptions;
}

export interface ScanRequest {
  kind: 'full' | 'incremental';
  trigger: ScanRecord['trigger'];
  signal?: AbortSignal;
  /**
   * Rescan only these directories (paths relative to the storage root, as watchers report
   * them). Each is listed and diffed; new subdirectories are walked, existing ones only when
   * their mtime changed. A path not in the index falls back to its nearest indexed ancestor.
   */
  dirs?: string[];
}

/** Root failures that mean "location unreachable": keep its items, mark it offline. */
const OFFLINE_CODES: ReadonlySet<StorageErrorCode> = new Set(['OFFLINE', 'TIMEOUT', 'NOT_FOUND', 'NOT_DIR', 'AUTH', 'UNSUPPORTED']);

type Totals = Pick<ScanRecord, 'added' | 'changed' | 'removed' | 'unchanged' | 'offlineLocations' | 'errors'>;
/** Entries seen by earlier locations of the same scan (progress counts the whole library). */
interface Progress { seen: number }

export class ScanService {
  private readonly running = new Map<number, Promise<ScanRecord>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly ignore: IgnoreMatcher;
  private readonly batchSize: number;
  private readonly progressMs: number;

  constructor(private readonly deps: ScanServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger.child({ component: 'scanner' });
    this.ignore = createIgnoreMatcher(deps.options?.ignore ?? DEFAULT_IGNORE);
    this.batchSize = deps.options?.batchSize ?? 1000;
    this.progressMs = deps.options?.progressIntervalMs ?? 250;
  }

  /** Scan a library, or join the scan of it already running. */
  scanLibrary(libraryId: number, request: ScanRequest): Promise<ScanRecord> {
    const current = this.running.get(libraryId);
    if (current) return current;
    const promise = this.run(libraryId, request).finally(() => this.running.delete(libraryId));
    this.running.set(libraryId, promise);
    return promise;
  }

  /** The running scan of a library, if any. */
  runningScan(libraryId: number): Promise<ScanRecord> | undefined {
    return this.running.get(libraryId);
  }

  /** At startup: scans left 'running' by a crash are closed as failed. Returns how many. */
  async closeInterrupted(): Promise<number> {
    let n = 0;
    for (const scan of this.deps.index.scans.list()) {
      if (scan.status !== 'running' || this.running.has(scan.libraryId)) continue;
      await this.deps.index.scans.finish(scan.id, { status: 'failed', error: 'interrupted', finishedAt: this.clock.now() });
      n++;
    }
    return n;
  }

  private async run(libraryId: number, request: ScanRequest): Promise<ScanRecord> {
    const { index, events } = this.deps;
    const library = index.libraries.get(libraryId);
    if (!library) throw new NotFoundError(`Library ${libraryId} not found`);
    const startedAt = this.clock.now();
    const totals: Totals = { added: 0, changed: 0, removed: 0, unchanged: 0, offlineLocations: 0, errors: 0 };
    const record = await index.scans.start({ libraryId, kind: request.kind, trigger: request.trigger, startedAt, status: 'running', ...totals });
    events.emit({ type: 'scan.started', libraryId, scanId: record.id, kind: request.kind });
    const log = this.log.child({ libraryId, scanId: record.id });
    log.info({ kind: request.kind, trigger: request.trigger, dirs: request.dirs?.length }, 'scan started');

    let status: ScanRecord['status'] = 'done';
    let error: string | undefined;
    const progress: Progress = { seen: 0 };
    try {
      for (const location of library.locations) {
        request.signal?.throwIfAborted();
        await this.scanLocation(library, location, request, record.id, totals, progress, log);
      }
    } catch (err) {
      if (request.signal?.aborted) status = 'cancelled';
      else {
        status = 'failed';
        error = err instanceof Error ? err.message : String(err);
        log.error({ err }, 'scan failed');
      }
    }
    const finishedAt = this.clock.now();
    const final: ScanRecord = { ...record, ...totals, status, finishedAt, ...(error ? { error } : {}) };
    await index.scans.finish(record.id, { ...totals, status, finishedAt, ...(error ? { error } : {}) });
    const durationMs = finishedAt - startedAt;
    events.emit({ type: 'scan.finished', libraryId, scanId: record.id, status, added: totals.added, changed: totals.changed, removed: totals.removed, durationMs });
    log.info({ status, ...totals, durationMs }, 'scan finished');
    // Probing runs after the walk so browsing fills in first; it pages through pendingProbe.
    if (status === 'done' || totals.added + totals.changed > 0) this.deps.probeQueue?.kick();
    return final;
  }

  private async scanLocation(
    library: Library, location: LibraryLocation, request: ScanRequest, scanId: number, totals: Totals,
    progress: Progress, log: Logger,
  ): Promise<void> {
    const { index } = this.deps;
    const signal = request.signal;
    let adapter: StorageAdapter;
    try {
      adapter = await this.deps.getAdapter(location.rootId);
      await adapter.ping(signal);
      const root = await adapter.stat(location.path, signal);
      if (root.type !== 'dir') throw new StorageError('NOT_DIR', 'Location is not a directory');
    } catch (err) {
      signal?.throwIfAborted();
      if (err instanceof StorageError && !OFFLINE_CODES.has(err.code)) {
        totals.errors++;
        log.warn({ err, locationId: location.id }, 'scan: location root failed');
        return;
      }
      totals.offlineLocations++;
      await this.markOffline(library, location, err instanceof Error ? err.message : String(err), log);
      return;
    }
    await this.markOnline(library, location, log);

    const rootItem = index.items.get(location.rootItemId);
    if (!rootItem || rootItem.kind !== 'dir') {
      totals.errors++;
      log.error({ locationId: location.id, rootItemId: location.rootItemId }, 'scan: location root item missing');
      return;
    }
    const firstScan = request.dirs === undefined && index.items.iterateChildren(rootItem.id)[Symbol.iterator]().next().done === true;
    const tasks: DirTask[] = request.dirs ? this.resolveDirs(location, rootItem.id, request.dirs) : [{ relPath: '', itemId: rootItem.id, descend: 'all' }];
    if (tasks.length === 0) return;

    const writer = new BatchWriter(index.items, this.deps.events, library.id, this.batchSize);
    let lastProgress = 0;
    const walk = new LocationWalk({
      adapter, items: index.items, location, libraryId: library.id, kind: request.kind, ignore: this.ignore, writer,
      concurrency: this.deps.options?.walkConcurrency ?? (adapter.scheme === 'file' || adapter.scheme === 'memory' ? 4 : 8),
      deferFileAdds: !firstScan, signal, logger: log,
      onDir: (seen, relPath) => {
        const now = this.clock.now();
        if (now - lastProgress < this.progressMs) return;
        lastProgress = now;
        this.deps.events.emit({ type: 'scan.progress', libraryId: library.id, scanId, phase: 'walk', done: progress.seen + seen, currentPath: relPath });
      },
    });
    const result = await walk.run(tasks);
    totals.added += writer.totals.added;
    totals.removed += writer.totals.removed;
    totals.changed += result.changedFiles + result.moved;
    totals.unchanged += result.unchanged;
    totals.errors += result.errors;
    progress.seen += result.seen;
    signal?.throwIfAborted();
    await attachSidecars(index.items, location.id, rootItem.id, result.sidecarDirs);
    await index.libraries.updateLocation(library.id, location.id, { lastScanAt: this.clock.now() });
  }

  /** Map storage-root paths to this location's nearest indexed directories. */
  private resolveDirs(location: LibraryLocation, rootItemId: number, dirs: string[]): DirTask[] {
    const base = location.path;
    const tasks = new Map<string, DirTask>();
    for (const dir of dirs) {
      const clean = dir.replace(/^\/+|\/+$/g, '');
      if (base && clean !== base && !clean.startsWith(base + '/')) continue;
      let rel = base ? clean.slice(base.length).replace(/^\//, '') : clean;
      for (;;) {
        const item = rel === '' ? this.deps.index.items.get(rootItemId) : this.deps.index.items.getByPath(location.id, rel);
        if (item && item.kind === 'dir') {
          if (!tasks.has(rel)) tasks.set(rel, { relPath: rel, itemId: item.id, descend: 'changed' });
          break;
        }
        if (rel === '') break;
        const slash = rel.lastIndexOf('/');
        rel = slash < 0 ? '' : rel.slice(0, slash);
      }
    }
    return [...tasks.values()];
  }

  private async markOffline(library: Library, location: LibraryLocation, error: string, log: Logger): Promise<void> {
    const { index, events } = this.deps;
    const root = index.items.get(location.rootItemId);
    const wasOnline = location.online || (root !== undefined && !root.offline);
    if (wasOnline) {
      const n = await index.items.setLocationOffline(location.id, true);
      log.warn({ locationId: location.id, error, items: n }, 'location offline');
      events.emit({ type: 'library.offline', libraryId: library.id, locationId: location.id, error });
    }
    if (wasOnline || location.lastError !== error) {
      await index.libraries.updateLocation(library.id, location.id, { online: false, lastError: error });
    }
  }

  private async markOnline(library: Library, location: LibraryLocation, log: Logger): Promise<void> {
    const { index, events } = this.deps;
    const root = index.items.get(location.rootItemId);
    if (location.online && !root?.offline && !location.lastError) return;
    if (!location.online || root?.offline) {
      const n = await index.items.setLocationOffline(location.id, false);
      log.info({ locationId: location.id, items: n }, 'location online');
      events.emit({ type: 'library.online', libraryId: library.id, locationId: location.id });
    }
    await index.libraries.updateLocation(library.id, location.id, { online: true, lastError: undefined });
  }
}
