/**
 * A small concurrency limiter: at most `concurrency` tasks run at once; the rest wait in a
 * priority queue (higher priority first, FIFO within one priority).
 *
 * Contract:
 * - `run(fn)` resolves/rejects with `fn`'s result once it has run.
 * - Aborting `opts.signal` while the task is queued rejects it with the signal's reason
 *   (an AbortError by default) and `fn` never runs. Once running, the signal is passed to
 *   `fn`, which decides how to stop; the slot is freed when `fn` settles.
 * - An already-aborted signal rejects at once.
 * - `setConcurrency(n)` takes effect immediately: raising it starts queued tasks; lowering
 *   it lets running tasks finish and starts new ones only below the new limit.
 */

export interface LimiterRunOptions {
  signal?: AbortSignal;
  /** Higher runs first; default 0. */
  priority?: number;
}

export interface Limiter {
  run<T>(fn: (signal?: AbortSignal) => Promise<T>, opts?: LimiterRunOptions): Promise<T>;
  /** Tasks waiting for a slot. */
  readonly pending: number;
  /** Tasks running now. */
  readonly active: number;
  readonly concurrency: number;
  setConcurrency(n: number): void;
}

interface Entry {
  priority: number;
  seq: number;
  start: () => void;
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

function checkConcurrency(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${n}`);
  return n;
}

export function createLimiter(concurrency: number): Limiter {
  let limit = checkConcurrency(concurrency);
  let active = 0;
  let seq = 0;
  // Sorted: highest priority first, then lowest seq. Queues stay short (bounded by callers'
  // paging), so insertion by binary search into an array is simpler than a heap and fast.
  const queue: Entry[] = [];

  const insert = (e: Entry): void => {
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = queue[mid];
      if (q.priority > e.priority || (q.priority === e.priority && q.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, e);
  };

  const pump = (): void => {
    while (active < limit && queue.length > 0) {
      const next = queue.shift() as Entry;
      next.start();
    }
  };

  return {
    get pending() { return queue.length; },
    get active() { return active; },
    get concurrency() { return limit; },
    setConcurrency(n: number) {
      limit = checkConcurrency(n);
      pump();
    },
    run<T>(fn: (signal?: AbortSignal) => Promise<T>, opts: LimiterRunOptions = {}): Promise<T> {
      const { signal } = opts;
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      return new Promise<T>((resolve, reject) => {
        const entry: Entry = {
          priority: opts.priority ?? 0,
          seq: seq++,
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            active++;
            let p: Promise<T>;
            try {
              p = fn(signal);
            } catch (err) {
              p = Promise.reject(err);
            }
            // Free the slot before settling, so callers see an accurate `active`.
            const release = (): void => { active--; pump(); };
            p.then((v) => { release(); resolve(v); }, (e: unknown) => { release(); reject(e); });
          },
        };
        const onAbort = (): void => {
          const i = queue.indexOf(entry);
          if (i >= 0) {
            queue.splice(i, 1);
            reject(abortReason(signal as AbortSignal));
          }
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        insert(entry);
        pump();
      });
    },
  };
}
