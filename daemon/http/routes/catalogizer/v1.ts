/**
 * Registration helper for Catalogizer's /api/v1 surface (seed 003): every route module of
 * that surface registers through this, so the documented rate limits apply uniformly:
 * - the auth group (/api/v1/auth/*): per client IP, before the handler (default 5/min);
 * - the API group (everything else under /api/v1): per client IP, after authentication
 *   (default 100/min).
 * Exceeding either answers 429 with Retry-After and `retry_after` in the JSON error body.
 * Permissions are the Catalogizer catalogue (daemon/services/users/permissions.ts); admin has all.
 */
import type { Handler, Router, RouteOptions } from '../../router.js';
import type { RequestContext } from '../../context.js';
import type { RateLimiter } from '../../../services/rate-limit.js';
import { TooManyRequestsError } from '../../../domain/errors.js';

export interface CatalogizerLimits {
  auth: RateLimiter;
  api: RateLimiter;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface V1Group {
  get(path: string, handler: Handler, options?: V1Options): void;
  post(path: string, handler: Handler, options?: V1Options): void;
  put(path: string, handler: Handler, options?: V1Options): void;
  patch(path: string, handler: Handler, options?: V1Options): void;
  delete(path: string, handler: Handler, options?: V1Options): void;
}

export interface V1Options {
  /** Catalogizer permission required (admin always passes). */
  permission?: string;
  /** Admin only. */
  admin?: boolean;
  /** No credentials needed (auth group routes such as login). */
  public?: boolean;
  maxBodyBytes?: number;
  /** Stream the request body (uploads): see RouteOptions.streamBody. */
  streamBody?: boolean;
}

function limited(limiter: RateLimiter, handler: Handler): Handler {
  return (ctx: RequestContext) => {
    const verdict = limiter.hit(ctx.ip);
    if (!verdict.allowed) {
      throw new TooManyRequestsError(verdict.retryAfterSec, 'Rate limit exceeded. Please try again later.', 'RATE_LIMITED',
        { retry_after: verdict.retryAfterSec });
    }
    return handler(ctx);
  };
}

function group(router: Router, prefix: string, limiter: RateLimiter, defaultPublic: boolean): V1Group {
  const add = (method: Method) => (path: string, handler: Handler, options: V1Options = {}): void => {
    const isPublic = options.public ?? defaultPublic;
    const route: RouteOptions = {
      access: isPublic ? { kind: 'public' }
        : options.admin ? { kind: 'admin' }
          : options.permission ? { kind: 'permission', permission: options.permission }
            : { kind: 'user' },
      maxBodyBytes: options.maxBodyBytes,
      streamBody: options.streamBody,
    };
    router[method](`${prefix}${path}`, limited(limiter, handler), route);
  };
  return { get: add('get'), post: add('post'), put: add('put'), patch: add('patch'), delete: add('delete') };
}

/** The two groups of /api/v1. */
export function v1(router: Router, limits: CatalogizerLimits): { auth: V1Group; api: V1Group } {
  return {
    auth: group(router, '/api/v1/auth', limits.auth, true),
    api: group(router, '/api/v1', limits.api, false),
  };
}
