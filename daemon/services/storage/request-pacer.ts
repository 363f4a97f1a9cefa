/**
 * Pacing of background work on remote roots, so a library scan does not keep a small NAS
 * (one disk, a weak CPU, a shared link) busy at full speed.
 *
 * Concurrency is bounded elsewhere (scan walk: 8 list() calls in flight on remote roots;
 * probe job: media.probeConcurrency reads). This adds an optional rate: with
 * `scan.remoteMaxRequestsPerSecond` = N > 0 the scanner's and the probe job's storage
 * operations (list, stat, ping, opening a ranged read) on one remote root start at most N
 * per second, spaced evenly (1000/N ms apart; no bursts). The bytes of a read stream are
 * not throttled once it is open, and nothing a user asks for (streaming, thumbnails,
 * browsing) goes through the pacer. Local roots (file:) are never paced. 0 = unlimited.
 */
import type { StorageAdapter } from '../../../storage-adapters/types.js';

export class RequestPacer {
  /** rootId -> time (ms) the next operation on that root may start. */
  private readonly next = new Map<number, number>();
  private readonly gapMs: number;
  private readonly wrapped = new WeakMap<StorageAdapter, StorageAdapter>();

  constructor(maxPerSecond: number, private readonly now: () => number = Date.now) {
    this.gapMs = maxPerSecond > 0 ? 1000 / maxPerSecond : 0;
  }

  get enabled(): boolean { return this.gapMs > 0; }

  /** Waits for the root's next slot (rejects with the signal's reason when aborted). */
  async acquire(rootId: number, signal?: AbortSignal): Promise<void> {
    if (!this.gapMs) return;
    signal?.throwIfAborted();
    const now = this.now();
    const slot = Math.max(now, this.next.get(rootId) ?? now);
    this.next.set(rootId, slot + this.gapMs);
    const wait = slot - now;
    if (wait < 1) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason); };
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, wait);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** `adapter` with its scan/probe operations paced; local and unpaced adapters as they are. */
  wrap(rootId: number, adapter: StorageAdapter): StorageAdapter {
    if (!this.gapMs || adapter.scheme === 'file' || adapter.scheme === 'memory') return adapter;
    const cached = this.wrapped.get(adapter);
    if (cached) return cached;
    const a = adapter;
    const paced: StorageAdapter = {
      scheme: a.scheme,
      displayUrl: a.displayUrl,
      list: async (path, signal) => { await this.acquire(rootId, signal); return a.list(path, signal); },
      stat: async (path, signal) => { await this.acquire(rootId, signal); return a.stat(path, signal); },
      ping: async (signal) => { await this.acquire(rootId, signal); return a.ping(signal); },
      createReadStream: async (path, options) => { await this.acquire(rootId, options?.signal); return a.createReadStream(path, options); },
      createWriteStream: (path, options) => a.createWriteStream(path, options),
      delete: (path, options) => a.delete(path, options),
      rename: (from, to, options) => a.rename(from, to, options),
      mkdir: (path, options) => a.mkdir(path, options),
      // The shared adapter belongs to StorageRootService, which closes it.
      close: async () => undefined,
    };
    if (a.setMtime) paced.setMtime = (path, mtimeMs) => a.setMtime!(path, mtimeMs);
    if (a.watch) paced.watch = (path, onChange, onError) => a.watch!(path, onChange, onError);
    if (a.localPath) paced.localPath = (path) => a.localPath!(path);
    this.wrapped.set(adapter, paced);
    return paced;
  }
}
