/**
 * Sliding-window rate limiter keyed by string (an IP, "user|ip", ...).
 *
 * Exact sliding log: each key keeps the timestamps of its last `limit` counted hits in a
 * small ring, so "at most `limit` hits in any `windowMs`" holds exactly and retryAfter is
 * the real time until the oldest hit leaves the window. Memory per key is `limit` numbers;
 * the number of keys is bounded by `maxKeys` (idle keys are swept, then least recently
 * used keys are evicted), so a flood of distinct keys cannot grow memory without bound.
 */
import { systemClock, type Clock } from '../domain/ports.js';

export interface RateLimitOptions {
  /** Hits allowed per window. */
  limit: number;
  windowMs: number;
  /** Most keys kept at once (default 10,000). */
  maxKeys?: number;
  clock?: Clock;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until the next hit would be allowed (0 when allowed now). */
  retryAfterSec: number;
  /** Hits still allowed in the current window after this one. */
  remaining: number;
}

interface Entry {
  /** Ring of hit times; `start` is the oldest, `count` are live. */
  times: Float64Array;
  start: number;
  count: number;
  last: number;
}

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(options: RateLimitOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError('rate limit must be a positive integer');
    if (!(options.windowMs > 0)) throw new RangeError('rate limit window must be positive');
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.maxKeys = Math.max(1, options.maxKeys ?? 10_000);
    this.clock = options.clock ?? systemClock;
  }

  /** Count one hit for `key` if allowed; a refused hit is not counted. */
  hit(key: string): RateLimitDecision {
    const now = this.clock.now();
    this.maybeSweep(now);
    let entry = this.entries.get(key);
    if (entry) {
      this.prune(entry, now);
      this.entries.delete(key); // re-inserted below: Map order doubles as LRU order
    } else {
      entry = { times: new Float64Array(this.limit), start: 0, count: 0, last: now };
    }
    this.entries.set(key, entry);
    if (entry.count >= this.limit) return this.refusal(entry, now);
    entry.times[(entry.start + entry.count) % this.limit] = now;
    entry.count += 1;
    entry.last = now;
    this.evictOverflow();
    return { allowed: true, retryAfterSec: 0, remaining: this.limit - entry.count };
  }

  /** What `hit` would answer, without counting. */
  check(key: string): RateLimitDecision {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (!entry) return { allowed: true, retryAfterSec: 0, remaining: this.limit };
    this.prune(entry, now);
    if (entry.count >= this.limit) return this.refusal(entry, now);
    return { allowed: true, retryAfterSec: 0, remaining: this.limit - entry.count };
  }

  /** Forget `key` (e.g. a successful login clears its failure count). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drop every key whose hits have all left the window. Returns how many were dropped. */
  sweep(): number {
    const now = this.clock.now();
    this.lastSweep = now;
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (now - entry.last >= this.windowMs) { this.entries.delete(key); dropped += 1; }
    }
    return dropped;
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.entries.size;
  }

  private refusal(entry: Entry, now: number): RateLimitDecision {
    const oldest = entry.times[entry.start];
    const waitMs = oldest + this.windowMs - now;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 };
  }

  private prune(entry: Entry, now: number): void {
    const cutoff = now - this.windowMs;
    while (entry.count > 0 && entry.times[entry.start] <= cutoff) {
      entry.start = (entry.start + 1) % this.limit;
      entry.count -= 1;
    }
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep >= this.windowMs) this.sweep();
  }

  /** Map order is recency order, so the first keys are the least recently used. */
  private evictOverflow(): void {
    if (this.entries.size <= this.maxKeys) return;
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(key);
    }
  }
}
