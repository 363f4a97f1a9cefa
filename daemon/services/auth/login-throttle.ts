/**
 * Login throttling, two limits (both configurable):
 *   per IP:       `ipAttempts` attempts (good or bad) per `ipWindowSec`  (default 5 / 60 s,
 *                 Catalogizer's auth-group limit)
 *   per user+IP:  `maxFailures` failed attempts per `failureWindowSec` (default 10 / 15 min);
 *                 a success clears it.
 * Keying failures by user AND IP means an attacker elsewhere cannot lock a user out.
 */
import { TooManyRequestsError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports.js';
import { RateLimiter } from '../rate-limit.js';

export interface LoginThrottleOptions {
  ipAttempts: number;
  ipWindowSec: number;
  maxFailures: number;
  failureWindowSec: number;
}

export const DEFAULT_LOGIN_THROTTLE: Readonly<LoginThrottleOptions> = Object.freeze({
  ipAttempts: 5, ipWindowSec: 60, maxFailures: 10, failureWindowSec: 15 * 60,
});

export class LoginThrottle {
  private readonly perIp: RateLimiter;
  private readonly failures: RateLimiter;

  constructor(options: Partial<LoginThrottleOptions> = {}, clock?: Clock) {
    const o = { ...DEFAULT_LOGIN_THROTTLE, ...options };
    this.perIp = new RateLimiter({ limit: o.ipAttempts, windowMs: o.ipWindowSec * 1000, clock });
    this.failures = new RateLimiter({ limit: o.maxFailures, windowMs: o.failureWindowSec * 1000, clock });
  }

  /**
   * Count one attempt from `ip` for `subject` (a username, lowercased by the caller);
   * throws TooManyRequestsError (with retryAfterSec) when either limit is reached.
   */
  begin(ip: string | undefined, subject: string): void {
    const failure = this.failures.check(failureKey(ip, subject));
    if (!failure.allowed) throw tooMany(failure.retryAfterSec);
    const attempt = this.perIp.hit(ip ?? 'unknown');
    if (!attempt.allowed) throw tooMany(attempt.retryAfterSec);
  }

  failure(ip: string | undefined, subject: string): void {
    this.failures.hit(failureKey(ip, subject));
  }

  success(ip: string | undefined, subject: string): void {
    this.failures.reset(failureKey(ip, subject));
  }

  sweep(): void {
    this.perIp.sweep();
    this.failures.sweep();
  }
}

function failureKey(ip: string | undefined, subject: string): string {
  return `${subject}\u0000${ip ?? 'unknown'}`;
}

function tooMany(retryAfterSec: number): TooManyRequestsError {
  return new TooManyRequestsError(retryAfterSec, 'Too many login attempts, try again later', 'RATE_LIMITED');
}
