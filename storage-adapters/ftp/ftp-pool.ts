/**
 * A small pool of FTP control connections.
 *
 * Why: basic-ftp's Client runs one command at a time and closes itself when a second
 * call starts while one is running, and FTP itself has one command in flight per control
 * connection. The adapter serves concurrent callers (scanner, streaming, thumbnails), so
 * each operation leases a connection of its own; at most `size` exist at once and further
 * callers wait in FIFO order.
 *
 * Contract: `acquire` resolves with a connection used by nobody else until `release`d or
 * `discard`ed. A released connection that is closed (timeout, socket error) is dropped
 * instead of reused, so the next caller reconnects. `replace` drops one on purpose (a
 * ranged read that ended early) and opens a successor in the background so the next
 * read does not pay the ~15 ms connect + login. Generic over the connection type so it can
 * be unit-tested with fakes.
 */

export interface Poolable {
  readonly closed: boolean;
  close(): void;
}

export interface PoolStats {
  opened: number;
  replaced: number;
  discarded: number;
  idle: number;
  total: number;
  waiting: number;
}

interface Waiter<C> {
  resolve: (c: C) => void;
  reject: (err: unknown) => void;
}

export class ConnectionPool<C extends Poolable> {
  private readonly idle: C[] = [];
  private readonly waiters: Array<Waiter<C>> = [];
  private total = 0;
  private closing = false;
  private readonly counters = { opened: 0, replaced: 0, discarded: 0 };

  constructor(
    private readonly open: (signal?: AbortSignal) => Promise<C>,
    readonly size: number,
    private readonly onBackgroundError: (err: unknown) => void = () => undefined,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('pool size must be a positive integer');
  }

  async acquire(signal?: AbortSignal): Promise<C> {
    signal?.throwIfAborted();
    if (this.closing) throw new Error('connection pool closed');
    const idle = this.takeIdle();
    if (idle) return idle;
    if (this.total < this.size) return this.openOne(signal);
    return new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = {
        resolve: (c) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(c);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Give a connection back; closed ones are dropped. */
  release(c: C): void {
    if (c.closed || this.closing) return this.discard(c);
    const w = this.waiters.shift();
    if (w) w.resolve(c);
    else this.idle.push(c);
  }

  /** Close and forget a connection (it failed or its state is unknown). */
  discard(c: C): void {
    c.close();
    this.total--;
    this.counters.discarded++;
    this.pump();
  }

  /** Close a connection on purpose and open its successor in the background. */
  replace(c: C): void {
    this.counters.replaced++;
    this.discard(c);
    if (this.closing || this.total >= this.size || this.idle.length > 0) return;
    this.total++;
    this.open().then(
      (fresh) => {
        this.counters.opened++;
        this.release(fresh);
      },
      (err: unknown) => {
        this.total--;
        this.onBackgroundError(err);
        this.pump();
      },
    );
  }

  /** Run `fn` on a leased connection; a connection the call broke is not reused. */
  async use<T>(fn: (c: C) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const c = await this.acquire(signal);
    try {
      return await fn(c);
    } finally {
      this.release(c);
    }
  }

  stats(): PoolStats {
    return { ...this.counters, idle: this.idle.length, total: this.total, waiting: this.waiters.length };
  }

  /** Close idle connections and refuse new leases; leased ones close on release. */
  close(): void {
    this.closing = true;
    for (const c of this.idle.splice(0)) this.discard(c);
    for (const w of this.waiters.splice(0)) w.reject(new Error('connection pool closed'));
  }

  private takeIdle(): C | undefined {
    for (;;) {
      const c = this.idle.pop();
      if (!c) return undefined;
      if (!c.closed) return c;
      this.discard(c); // the server hung up while it was idle
    }
  }

  private async openOne(signal?: AbortSignal): Promise<C> {
    this.total++;
    try {
      const c = await this.open(signal);
      this.counters.opened++;
      return c;
    } catch (err) {
      this.total--;
      this.pump();
      throw err;
    }
  }

  /** Capacity freed up: open a connection for the longest-waiting caller. */
  private pump(): void {
    while (!this.closing && this.waiters.length > 0 && this.total < this.size) {
      const w = this.waiters.shift() as Waiter<C>;
      this.openOne().then(w.resolve, w.reject);
    }
  }
}
