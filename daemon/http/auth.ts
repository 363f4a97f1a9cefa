/**
 * Route guard: credentials from the request (cookie alcove_session | Authorization: Bearer |
 * ?token=) are resolved by the injected authenticate function (the auth service), then the
 * route's AccessRule is enforced. Tokens are never logged.
 */
import { hasPermission, type AccessRule, type AuthInfo } from '../domain/auth.js';
import { ForbiddenError, UnauthorizedError } from '../domain/errors.js';
import type { Logger } from '../log/logger.js';
import type { RequestContext } from './context.js';
import { parseCookies } from './cookies.js';

export const SESSION_COOKIE = 'alcove_session';

export interface AuthRequest {
  cookieToken?: string;
  bearerToken?: string;
  queryToken?: string;
  /** The client address, resolved from the connection on first read: read it while the
   * request is being handled (after the answer went out it reads ''). */
  ip: string;
  userAgent?: string;
}

/** `ip` is called only if something reads AuthRequest.ip (login, throttling). */
export function extractTokens(headers: Readonly<Record<string, string>>, query: URLSearchParams, ip: () => string): AuthRequest {
  const out: AuthRequest = { get ip() { return ip(); } };
  // Only headers that are there are parsed: this runs on every request.
  if (headers.cookie !== undefined) {
    const cookie = parseCookies(headers.cookie)[SESSION_COOKIE];
    if (cookie) out.cookieToken = cookie;
  }
  if (headers.authorization !== undefined) {
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(headers.authorization)?.[1];
    if (bearer) out.bearerToken = bearer;
  }
  const q = query.get('token');
  if (q) out.queryToken = q;
  if (headers['user-agent']) out.userAgent = headers['user-agent'];
  return out;
}

/**
 * Sets ctx.auth and enforces `rule`. Public routes still try the credentials (so handlers
 * such as /api/auth/check see ctx.auth) but never fail on bad ones. Otherwise: no valid
 * credentials -> UnauthorizedError; insufficient rights -> ForbiddenError; errors thrown by
 * `authenticate` propagate (mapped by errors.ts).
 */
export async function authorize(
  ctx: RequestContext,
  rule: AccessRule,
  tokens: AuthRequest,
  authenticate: (req: AuthRequest) => Promise<AuthInfo | undefined>,
  log: Logger,
): Promise<void> {
  if (rule.kind === 'public') {
    if (!tokens.cookieToken && !tokens.bearerToken && !tokens.queryToken) return;
    try {
      ctx.auth = await authenticate(tokens);
    } catch (err) {
      log.debug({ requestId: ctx.requestId, code: (err as { code?: unknown }).code }, 'ignored bad credentials on public route');
    }
    return;
  }
  const auth = await authenticate(tokens);
  if (!auth) throw new UnauthorizedError();
  ctx.auth = auth;
  enforce(rule, auth);
}

/** The rights part of `rule` for an authenticated request; ForbiddenError when they lack. */
export function enforce(rule: AccessRule, auth: AuthInfo): void {
  if (rule.kind === 'admin' && !auth.isAdmin) throw new ForbiddenError('Administrator rights required', 'ADMIN_REQUIRED');
  if (rule.kind === 'permission' && !hasPermission(auth, rule.permission)) {
    throw new ForbiddenError(`Missing permission: ${rule.permission}`, 'PERMISSION_DENIED');
  }
}
