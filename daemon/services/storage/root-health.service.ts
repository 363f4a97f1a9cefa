/**
 * RootHealthService: brings offline library locations back by themselves.
 *
 * A scan marks a location offline when its root does not answer (NAS asleep, share gone,
 * server restarting) and keeps its items. Nothing else would look at it again until the
 * next periodic rescan (an hour for remote roots), so every `intervalMs` this service
 * pings the root of each offline location, once per root, and when one answers runs an
 * incremental scan of the libraries that use it. The scan marks the location online
 * again and publishes `library.online` (ScanService owns that transition, so the event
 * and the index change stay in one place).
 *
 * Contract:
 * - One check round at a time; the next is armed only when the previous has finished, so
 *   a root that hangs until its adapter's timeout never piles up pings.
 * - A library whose scan is already running is left alone (that scan decides).
 * - Pings of unreachable roots log at debug level only: the scan already logged the
 *   transition to offline, and a NAS switched off for the weekend must not fill the journal.
 * - `stop()` clears the timer, aborts the ping or scan in flight and waits for it.
 */
import type { IndexStore } from '../../domain/ports.js';
import type { ScanRecord } from '../../domain/types.js';
import type { Logger } from '../../log/logger.js';
import type { StorageAdapter } from '../../../storage-adapters/types.js';
import type { ScanRequest } from '../../scanner/scan.service.js';

export interface RootHealthScanner {
  scanLibrary(libraryId: number, request: ScanRequest): Promise<ScanRecord>;
  runningScan(libraryId: number): Promise<ScanRecord> | undefined;
}

export interface RootHealthDeps {
  index: IndexStore;
  scanner: RootHealthScanner;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  logger: Logger;
  /** Time between check rounds (config scan.offlineRecheckSeconds). */
  intervalMs: number;
  /** Upper bound on one ping, on top of the adapter's own timeout (default 15 s). */
  pingTimeoutMs?: number;
}

/** What one round did (tests, logs). */
export interface RecheckResult {
  /** Roots with at least one offline location that were pinged. */
  pinged: number;
  /** Libraries rescanned because a root answered. */
  rescanned: number[];
}

export class RootHealthService {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<RecheckResult> | undefined;
  private controller = new AbortController();
  private started = false;
  private readonly log: Logger;

  constructor(private readonly deps: RootHealthDeps) {
    this.log = deps.logger.child({ component: 'root-health' });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.controller = new AbortController();
    this.arm();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    await this.round?.catch(() => undefined);
  }

  /** Run one check round now (or join the one running). */
  checkNow(): Promise<RecheckResult> {
    this.round ??= this.check().finally(() => { this.round = undefined; });
    return this.round;
  }

  private arm(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkNow()
        .catch((err: unknown) => this.log.error({ err }, 'offline location re-check failed'))
        .finally(() => this.arm());
    }, this.deps.intervalMs);
    // The daemon's lifetime is owned by its HTTP server, never by this timer.
    this.timer.unref();
  }

  private async check(): Promise<RecheckResult> {
    const { index, scanner } = this.deps;
    const signal = this.controller.signal;
    // rootId -> libraries with an offline location on that root
    const byRoot = new Map<number, Set<number>>();
    for (const library of index.libraries.list()) {
      for (const loc of library.locations) {
        if (loc.online) continue;
        let libs = byRoot.get(loc.rootId);
        if (!libs) byRoot.set(loc.rootId, (libs = new Set()));
        libs.add(library.id);
      }
    }
    const result: RecheckResult = { pinged: 0, rescanned: [] };
    for (const [rootId, libraryIds] of byRoot) {
      if (signal.aborted) break;
      result.pinged++;
      if (!(await this.answers(rootId, signal))) continue;
      for (const libraryId of libraryIds) {
        if (signal.aborted || scanner.runningScan(libraryId) || !index.libraries.get(libraryId)) continue;
        this.log.info({ rootId, libraryId }, 'offline location answers again: rescanning');
        result.rescanned.push(libraryId);
        await scanner.scanLibrary(libraryId, { kind: 'incremental', trigger: 'schedule', signal });
      }
    }
    return result;
  }

  private async answers(rootId: number, stop: AbortSignal): Promise<boolean> {
    const signal = AbortSignal.any([stop, AbortSignal.timeout(this.deps.pingTimeoutMs ?? 15_000)]);
    try {
      const adapter = await this.deps.getAdapter(rootId);
      await adapter.ping(signal);
      return true;
    } catch (err) {
      this.log.debug({ rootId, code: (err as { code?: string }).code }, 'offline root still unreachable');
      return false;
    }
  }
}
