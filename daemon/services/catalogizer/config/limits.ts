/**
 * The shared Catalogizer rate limiters (seed 003): built ONCE by the composition root and
 * exposed as AppServices.catalogizerLimits, so every /api/v1 route module counts against the
 * same per-IP windows. The limits can change while the daemon runs (configuration API): the
 * limiter objects handed to v1() stay the same, they delegate to an inner limiter that is
 * swapped when a limit changes (its counts restart, which only ever loosens the limit once).
 */
import { RateLimiter, type RateLimitDecision } from '../../rate-limit.js';
import type { Clock } from '../../../domain/ports.js';
import type { CatalogizerLimits } from '../../../http/routes/catalogizer/v1.js';

const MINUTE_MS = 60_000;

/** A RateLimiter whose per-window limit can be changed in place. */
export class AdjustableRateLimiter extends RateLimiter {
  private inner: RateLimiter;

  constructor(limit: number, windowMs: number, private readonly clockRef?: Clock) {
    super({ limit, windowMs, clock: clockRef });
    this.inner = new RateLimiter({ limit, windowMs, clock: clockRef });
  }

  /** Current limit per window (the base class field keeps the construction-time value). */
  get current(): number { return this.inner.limit; }

  /** Replace the limit; a no-op when unchanged. */
  setLimit(limit: number): void {
    if (limit === this.inner.limit) return;
    this.inner = new RateLimiter({ limit, windowMs: this.windowMs, clock: this.clockRef });
  }

  override hit(key: string): RateLimitDecision { return this.inner.hit(key); }
  override check(key: string): RateLimitDecision { return this.inner.check(key); }
  override reset(key: string): void { this.inner.reset(key); }
  override sweep(): number { return this.inner.sweep(); }
  override get size(): number { return this.inner.size; }
}

export interface AdjustableCatalogizerLimits extends CatalogizerLimits {
  auth: AdjustableRateLimiter;
  api: AdjustableRateLimiter;
  /** Apply new per-minute limits live. */
  update(limits: { authPerMinute: number; apiPerMinute: number }): void;
}

/** Build the two limiters from the `rateLimits` config section. */
export function createCatalogizerLimits(
  limits: { authPerMinute: number; apiPerMinute: number },
  clock?: Clock,
): AdjustableCatalogizerLimits {
  const auth = new AdjustableRateLimiter(limits.authPerMinute, MINUTE_MS, clock);
  const api = new AdjustableRateLimiter(limits.apiPerMinute, MINUTE_MS, clock);
  return {
    auth, api,
    update(next) { auth.setLimit(next.authPerMinute); api.setLimit(next.apiPerMinute); },
  };
}
