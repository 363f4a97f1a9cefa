/**
 * WatchService: keeps libraries fresh between scans.
 *
 * - Every online location whose adapter can watch() gets a watcher. Changed directories
 *   are collected per library and, after a quiet period (debounce, default 2 s, at most
 *   5x that under constant churn), rescanned with an incremental `dirs` scan.
 * - Every library also gets a periodic full rescan as a backup for missed events and for
 *   adapters that cannot watch: default every 6 h when all locations are local, 1 h when
 *   any is remote, with +-10% jitter so libraries do not rescan in lockstep.
 * - library.online/offline events re-sync the watchers. `stop()` removes every watcher
 *   and timer; scans already running finish on their own.
 */
import type { EventBus, IndexStore } from '../domain/ports.js';
import type { Library, ScanRecord } from '../domain/types.js';
import type { Logger } from '../log/logger.js';
import type { StorageAdapter } from '../../storage-adapters/types.js';
import type { ScanRequest } from './scan.service.js';

export interface WatchServiceOptions {
  debounceMs?: number;
  fullRescanLocalMs?: number;
  fullRescanRemoteMs?: number;
  /** Fraction of the interval added or removed at random (default 0.1). */
  jitter?: number;
  /** Disable periodic full rescans (tests). */
  periodic?: boolean;
  /** Watch locations for changes (default true); false keeps only the periodic rescans. */
  watch?: boolean;
}

export interface ScanRunner {
  scanLibrary(libraryId: number, request: ScanRequest): Promise<ScanRecord>;
  runningScan(libraryId: number): Promise<ScanRecord> | undefined;
}

export interface WatchServiceDeps {
  index: IndexStore;
  scanner: ScanRunner;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  events: EventBus;
  logger: Logger;
  options?: WatchServiceOptions;
}

interface Pending { dirs: Set<string>; timer: NodeJS.Timeout; firstAt: number }

const HOUR = 3_600_000;

export class WatchService {
  private readonly watchers = new Map<string, () => void>();
  private readonly periodic = new Map<number, NodeJS.Timeout>();
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | undefined;
  private started = false;
  private readonly log: Logger;
  private readonly debounceMs: number;

  constructor(private readonly deps: WatchServiceDeps) {
    this.log = deps.logger.child({ component: 'watcher' });
    this.debounceMs = deps.options?.debounceMs ?? 2000;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.deps.events.on((event) => {
      if (event.type === 'library.online' || event.type === 'library.offline') void this.refresh();
    });
    await this.refresh();
  }

  /** Re-sync watchers and periodic timers with the libraries in the index. */
  async refresh(): Promise<void> {
    if (!this.started) return;
    const wanted = new Set<string>();
    for (const library of this.deps.index.libraries.list()) {
      await this.ensurePeriodic(library);
      for (const loc of library.locations) {
        if (!loc.online || this.deps.options?.watch === false) continue;
        const key = `${library.id}:${loc.id}`;
        wanted.add(key);
        if (this.watchers.has(key)) continue;
        try {
          const adapter = await this.deps.getAdapter(loc.rootId);
          if (!adapter.watch || !this.started || this.watchers.has(key)) continue;
          const stop = adapter.watch(loc.path, (dir) => this.changed(library.id, dir), (err) => {
            this.log.warn({ err, libraryId: library.id, locationId: loc.id }, 'watch error');
            this.unwatch(key);
            this.changed(library.id, loc.path);
          });
          this.watchers.set(key, stop);
        } catch (err) {
          this.log.warn({ err, libraryId: library.id, locationId: loc.id }, 'cannot watch location');
        }
      }
    }
    for (const key of [...this.watchers.keys()]) if (!wanted.has(key)) this.unwatch(key);
    const ids = new Set(this.deps.index.libraries.list().map((l) => l.id));
    for (const [id, timer] of this.periodic) if (!ids.has(id)) { clearTimeout(timer); this.periodic.delete(id); }
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const key of [...this.watchers.keys()]) this.unwatch(key);
    for (const timer of this.periodic.values()) clearTimeout(timer);
    this.periodic.clear();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Number of active watchers (status endpoints, tests). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  private unwatch(key: string): void {
    const stop = this.watchers.get(key);
    this.watchers.delete(key);
    try { stop?.(); } catch (err) { this.log.warn({ err, key }, 'stopping watcher failed'); }
  }

  /** Collect a changed directory and (re)arm the library's debounce timer. */
  private changed(libraryId: number, dir: string): void {
    if (!this.started) return;
    const now = Date.now();
    let p = this.pending.get(libraryId);
    if (p) clearTimeout(p.timer);
    else p = { dirs: new Set(), timer: undefined as unknown as NodeJS.Timeout, firstAt: now };
    p.dirs.add(dir);
    const wait = Math.max(0, Math.min(this.debounceMs, p.firstAt + 5 * this.debounceMs - now));
    p.timer = setTimeout(() => this.fire(libraryId), wait);
    p.timer.unref();
    this.pending.set(libraryId, p);
  }

  private fire(libraryId: number): void {
    const p = this.pending.get(libraryId);
    this.pending.delete(libraryId);
    if (!p || !this.started) return;
    const dirs = [...p.dirs];
    this.track(async () => {
      // A scan already running may have listed these directories before they changed.
      await this.deps.scanner.runningScan(libraryId)?.catch(() => undefined);
      if (!this.started) return;
      await this.deps.scanner.scanLibrary(libraryId, { kind: 'incremental', trigger: 'watch', dirs });
    });
  }

  private async ensurePeriodic(library: Library): Promise<void> {
    if (!this.started || this.deps.options?.periodic === false || this.periodic.has(library.id)) return;
    let remote = false;
    for (const loc of library.locations) {
      try {
        if ((await this.deps.getAdapter(loc.rootId)).scheme !== 'file') remote = true;
      } catch { remote = true; }
    }
    const base = remote
      ? this.deps.options?.fullRescanRemoteMs ?? HOUR
      : this.deps.options?.fullRescanLocalMs ?? 6 * HOUR;
    const jitter = this.deps.options?.jitter ?? 0.1;
    const delay = Math.max(1000, base * (1 + (Math.random() * 2 - 1) * jitter));
    const timer = setTimeout(() => {
      this.periodic.delete(library.id);
      if (!this.started) return;
      this.track(async () => {
        await this.deps.scanner.scanLibrary(library.id, { kind: 'full', trigger: 'schedule' });
        if (this.deps.index.libraries.get(library.id)) await this.ensurePeriodic(library);
      });
    }, delay);
    timer.unref();
    this.periodic.set(library.id, timer);
  }

  private track(fn: () => Promise<unknown>): void {
    const p = fn().catch((err: unknown) => this.log.error({ err }, 'watch-triggered scan failed'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
