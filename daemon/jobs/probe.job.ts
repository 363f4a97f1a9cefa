/**
 * The probe job: drains the index's pending-probe queue after scans.
 *
 * Contract:
 * - `kick()` starts draining, or, while a drain runs, makes it go round once more from the
 *   start when it reaches the end (so items re-marked pending behind the cursor are seen).
 * - Items are read in pages (ItemRepo.pendingProbe, by id), never all at once, and probed
 *   with at most `concurrency` in flight. Each result is written with setProbe: 'done' with
 *   the info, 'failed' with the error message, 'skipped' for types the prober does not
 *   handle and for empty files (error 'empty file'). One failure never stops the queue.
 * - Items of offline locations, and probes that fail because storage went away, stay
 *   pending for a later drain instead of being marked failed.
 * - `idle()` resolves when no drain is running; `stop()` aborts and waits.
 * - Emits job.progress (job 'probe'), throttled, and a final one per drain.
 */
import { setMaxListeners } from 'node:events';
import type { Clock, EventBus, IndexStore, ProbeSource, Prober } from '../domain/ports.js';
import { systemClock } from '../domain/ports.js';
import type { Item, ProbeInfo } from '../domain/types.js';
import type { Logger } from '../log/logger.js';
import { StorageError, type StorageAdapter } from '../../storage-adapters/types.js';
import { PROBED_MEDIA_TYPES } from '../scanner/classify.js';
import { createLimiter, type Limiter } from './limiter.js';

export interface ProbeJobOptions {
  /** Probes in flight (default 2; the ProbeService applies its own tool limits too). */
  concurrency?: number;
  /** Items read from the index per page (default 64). */
  pageSize?: number;
  /** Minimum time between job.progress events (default 250 ms). */
  progressIntervalMs?: number;
}

export interface ProbeJobDeps {
  index: IndexStore;
  prober: Prober;
  getAdapter: (rootId: number) => Promise<StorageAdapter>;
  events: EventBus;
  logger: Logger;
  clock?: Clock;
  options?: ProbeJobOptions;
}

interface LocationRef { rootId: number; path: string }

/** A probe result waiting to be written. */
interface Outcome { item: Item; state: 'done' | 'failed' | 'skipped'; info?: ProbeInfo; error?: string }

const RETRY_LATER = new Set(['OFFLINE', 'TIMEOUT', 'AUTH']);

function storageCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof StorageError) return e.code;
  }
  return undefined;
}

export class ProbeJob {
  private readonly limiter: Limiter;
  private readonly controller = new AbortController();
  private readonly log: Logger;
  private readonly clock: Clock;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private done = 0;
  private lastProgress = 0;

  constructor(private readonly deps: ProbeJobDeps) {
    this.limiter = createLimiter(deps.options?.concurrency ?? 2);
    this.log = deps.logger.child({ component: 'probe-job' });
    this.clock = deps.clock ?? systemClock;
    // One signal is shared by every queued probe of a page (limiter + prober listeners).
    setMaxListeners(0, this.controller.signal);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.draining) { this.again = true; return; }
    this.again = false;
    this.draining = this.drain()
      .catch((err: unknown) => {
        if (!this.controller.signal.aborted) this.log.error({ err }, 'probe drain failed');
      })
      .finally(() => {
        this.draining = undefined;
        if (this.again && !this.stopped) this.kick();
      });
  }

  /** Resolves once the queue is drained (or the job stopped). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller.abort();
    await this.idle();
  }

  private async drain(): Promise<void> {
    const { index } = this.deps;
    const signal = this.controller.signal;
    const pageSize = this.deps.options?.pageSize ?? 64;
    let locations = this.locationMap();
    let afterId = 0;
    let failed = 0;
    this.done = 0;
    for (;;) {
      if (signal.aborted) break;
      const page = index.items.pendingProbe(afterId, pageSize);
      if (page.length === 0) {
        if (!this.again) break;
        this.again = false;
        afterId = 0;
        locations = this.locationMap();
        continue;
      }
      afterId = page[page.length - 1].id;
      const outcomes = await Promise.all(page.map((item) =>
        this.limiter.run((s) => this.probeOne(item, locations, s ?? signal), { signal }).catch(() => undefined)));
      // The page's results go to the index together: ItemRepo.setProbe calls made in one
      // tick share one transaction (a commit costs more than an in-process probe).
      const written = await Promise.all(outcomes.map((o) => (o ? this.record(o) : true)));
      for (const ok of written) if (ok === false) failed++;
      this.progress('running');
    }
    this.progress(signal.aborted ? 'cancelled' : 'done', true);
    this.log.info({ probed: this.done, failed }, 'probe queue drained');
  }

  /** Probe one item; the result is recorded by `record` (undefined: nothing to record). */
  private async probeOne(item: Item, locations: Map<number, LocationRef>, signal: AbortSignal): Promise<Outcome | undefined> {
    const { prober } = this.deps;
    if (item.offline) return undefined;
    if (!PROBED_MEDIA_TYPES.has(item.mediaType) || item.kind !== 'file') return { item, state: 'skipped' };
    // An empty file has nothing to probe; asking ffprobe costs a process for a sure failure.
    if (item.size === 0) return { item, state: 'skipped', error: 'empty file' };
    const location = locations.get(item.locationId);
    if (!location) return undefined;
    let source: ProbeSource;
    try {
      source = await this.sourceFor(item, location);
    } catch (err) {
      if (signal.aborted) throw err;
      // No adapter for the root right now: the item stays pending for a later drain.
      this.log.warn({ err, itemId: item.id }, 'probe deferred: no storage adapter');
      return undefined;
    }
    try {
      return { item, state: 'done', info: await prober.probe(source, signal) };
    } catch (err) {
      if (signal.aborted) throw err;
      const code = storageCode(err);
      if (code && RETRY_LATER.has(code)) {
        this.log.warn({ err, itemId: item.id }, 'probe deferred: storage unreachable');
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.log.debug({ itemId: item.id, relPath: item.relPath, error: message }, 'probe failed');
      return { item, state: 'failed', error: message.slice(0, 500) };
    }
  }

  /** Write one outcome; returns false when it recorded a failure. */
  private async record(o: Outcome): Promise<boolean> {
    try {
      await this.deps.index.items.setProbe(o.item.id, o.state, o.info, o.error);
      if (o.state !== 'skipped') this.done++;
      return o.state !== 'failed';
    } catch (err) {
      // The item may have been removed by a concurrent scan; the queue goes on.
      this.log.warn({ err, itemId: o.item.id }, 'probe: could not record result');
      return true;
    }
  }

  private async sourceFor(item: Item, location: LocationRef): Promise<ProbeSource> {
    const adapter = await this.deps.getAdapter(location.rootId);
    const path = location.path ? (item.relPath ? `${location.path}/${item.relPath}` : location.path) : item.relPath;
    const source: ProbeSource = { name: item.name, mediaType: item.mediaType, size: item.size };
    const local = adapter.localPath?.(path);
    if (local) source.localPath = local;
    else source.open = (start, end, signal) => adapter.createReadStream(path, { start, end, signal });
    return source;
  }

  private locationMap(): Map<number, LocationRef> {
    const map = new Map<number, LocationRef>();
    for (const library of this.deps.index.libraries.list()) {
      for (const loc of library.locations) map.set(loc.id, { rootId: loc.rootId, path: loc.path });
    }
    return map;
  }

  private progress(state: 'running' | 'done' | 'cancelled', force = false): void {
    const now = this.clock.now();
    if (!force && now - this.lastProgress < (this.deps.options?.progressIntervalMs ?? 250)) return;
    this.lastProgress = now;
    this.deps.events.emit({ type: 'job.progress', job: 'probe', done: this.done, state });
  }
}
