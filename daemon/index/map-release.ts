/**
 * Gives the LMDB map's pages back once the index has gone quiet after a burst of writes.
 *
 * Why: every page a scan reads or writes through the memory map stays mapped, and counts in
 * the daemon's RSS, for as long as the environment is open (a 100,000-file first scan left
 * ~130 MB of data.mdb pages behind). The kernel can reclaim them under pressure, but an
 * appliance's memory figures cannot tell them apart. Closing the environment unmaps them
 * (they stay in the page cache); the reopened map faults in only what is read afterwards.
 *
 * How it stays safe: the close and the reopen must never be observed half done, and lmdb-js
 * closes asynchronously. So a release runs only when the close can finish in microtasks
 * started by the release itself, with no other code in between:
 *  1. note the last committed transaction id, wait for `env.flushed` (every write committed
 *     and flushed), then start a fresh macrotask;
 *  2. in ONE synchronous block: give up if any transaction was committed meanwhile, if an
 *     async write is still queued (`trackAsyncWrite`), or if this process still holds an LMDB
 *     reader (an open range iterator: `readerList` after `resetReadTxn`); otherwise start
 *     the close. With all write promises settled, lmdb-js finishes the close in microtasks;
 *  3. open a fresh environment and swap its handles INTO the shared IndexDbs object, so
 *     every repo, which reads `state.dbs.<db>` at call time, uses the new handles.
 * A macrotask observed during step 2-3 would mean the assumption broke; it is logged.
 * Listeners registered with `dbs.env.on(...)` (write generations, commit hooks) are
 * recorded and registered again on every reopened environment.
 * `close()` of the store waits for a release in progress.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import { openDbs, type IndexDbs } from './env.js';

export interface MapReleaseOptions {
  /** How often to look for quiet (ms). A release follows the first check that finds no new
   * transaction since the previous check. Default 3,000. */
  checkMs?: number;
  /** Transactions committed since the environment was opened before a release is worth
   * it (a reopen re-reads the sub-database handles). Default 50. */
  minTxns?: number;
  /** Called after each release: the index has gone quiet after a burst of writes, a good
   * moment for the caller to shrink other memory too (app.ts compacts the V8 heap). */
  onReleased?: () => void;
}

/** Async (batched) lmdb-js writes in flight, per environment; see trackAsyncWrite. */
const pendingAsync = new WeakMap<IndexDbs, number>();

/**
 * Every lmdb-js write that is not inside writeTxn (db.put returning a promise) must be
 * wrapped here, so that a map release never starts while it is queued.
 */
export function trackAsyncWrite<T>(dbs: IndexDbs, write: Promise<T>): Promise<T> {
  pendingAsync.set(dbs, (pendingAsync.get(dbs) ?? 0) + 1);
  const done = (): void => { pendingAsync.set(dbs, (pendingAsync.get(dbs) ?? 1) - 1); };
  return write.finally(done);
}

function lastTxnId(dbs: IndexDbs): number {
  return (dbs.env.getStats() as { lastTxnId: number }).lastTxnId;
}

/** True when this process holds an active LMDB reader (an open iterator or read txn). */
function holdsReader(dbs: IndexDbs): boolean {
  dbs.env.resetReadTxn();
  const list = (dbs.env as unknown as { readerList(): string }).readerList();
  return list.split('\n').some((line) => {
    const [pid, , txn] = line.trim().split(/\s+/);
    return Number(pid) === process.pid && txn !== undefined && txn !== '-';
  });
}

type Listener = (...args: unknown[]) => void;
type OnFn = (event: string, listener: Listener) => unknown;

/** Record every env.on(...) registration so it can be replayed on a reopened env. */
function recordListeners(env: IndexDbs['env'], into: [string, Listener][]): void {
  const target = env as unknown as { on: OnFn };
  const original = target.on.bind(env);
  target.on = (event, listener) => { into.push([event, listener]); return original(event, listener); };
}

export type ReleaseOutcome = 'released' | 'busy' | 'closed';

export class MapRelease {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReleaseOutcome>;
  private closed = false;
  private baseTxn: number;
  private lastSeen: number;
  private readonly listeners: [string, Listener][] = [];
  private requested = false;
  /** Completed releases, and releases during which a macrotask ran (must stay 0). */
  releases = 0;
  overlaps = 0;

  constructor(
    private readonly dbs: IndexDbs,
    private readonly path: string,
    private readonly mapSize: number | undefined,
    private readonly options: MapReleaseOptions = {},
    private readonly log?: Logger,
  ) {
    this.baseTxn = this.lastSeen = lastTxnId(dbs);
    recordListeners(dbs.env, this.listeners);
  }

  /** Start the periodic quiet check (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => { void this.check(); }, this.options.checkMs ?? 3_000);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.running || this.closed) return;
    const now = lastTxnId(this.dbs);
    const quiet = now === this.lastSeen;
    this.lastSeen = now;
    if (!quiet || (!this.requested && now - this.baseTxn < (this.options.minTxns ?? 50))) return;
    const outcome = await this.release();
    if (outcome !== 'released') return;
    this.log?.info({ releases: this.releases }, 'index map pages released');
    this.options.onReleased?.();
  }

  /**
   * Ask for a release at the next quiet check even if few transactions were committed: a
   * pass that only READ much of the index (a rescan of an unchanged tree reads every item
   * and writes almost nothing) leaves as many map pages behind as a first scan (measured:
   * 136 MB of data.mdb resident after a restart's rescan of 100,000 files).
   */
  requestRelease(): void {
    if (!this.closed) this.requested = true;
  }

  /** Try one release now; 'busy' when the index was not quiet (nothing changed then). */
  release(): Promise<ReleaseOutcome> {
    if (this.closed) return Promise.resolve('closed');
    if (!this.running) this.running = this.attempt().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Stop checking and wait for a release in progress (called before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async attempt(): Promise<ReleaseOutcome> {
    const dbs = this.dbs;
    const before = lastTxnId(dbs);
    await dbs.env.flushed;
    await nextMacrotask();
    if (this.closed) return 'closed';
    // From here to the swap, nothing else may run: see the header.
    if (lastTxnId(dbs) !== before || (pendingAsync.get(dbs) ?? 0) > 0 || holdsReader(dbs)) return 'busy';
    let interleaved = false;
    const probe = setImmediate(() => { interleaved = true; });
    await dbs.env.close();
    const fresh = openDbs(this.path, this.mapSize);
    for (const [event, listener] of this.listeners) (fresh.env as unknown as { on: OnFn }).on(event, listener);
    recordListeners(fresh.env, this.listeners);
    Object.assign(dbs, fresh);
    clearImmediate(probe);
    if (interleaved) { this.overlaps++; this.log?.warn('index map release overlapped other work'); }
    this.baseTxn = this.lastSeen = lastTxnId(dbs);
    this.requested = false;
    this.releases++;
    return 'released';
  }
}
