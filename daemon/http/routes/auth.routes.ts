/**
 * Session auth shared by Media Viewer (seed 000) and h3xed (seed 004), per API-NOTES:
 * one login handler accepting {password} or {username,password}, answering
 * {success, expiresIn, token, user} and setting the alcove_session cookie.
 * Catalogizer's /api/v1/auth lives in its own module.
 */
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import type { AuthService } from '../../services/auth/auth.service.js';
import { NotImplementedError, UnauthorizedError, ValidationError } from '../../domain/errors.js';
import { SESSION_COOKIE } from '../auth.js';
const PUBLIC = { access: { kind: 'public' } } as const;

interface Credentials { username?: string; password: string }

function readCredentials(body: unknown): Credentials {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Invalid request body');
  const { username, password } = body as Record<string, unknown>;
  if (typeof password !== 'string' || password.length === 0) throw new ValidationError('Password is required', { field: 'password' });
  if (username !== undefined && username !== null && typeof username !== 'string') throw new ValidationError('Username must be a string', { field: 'username' });
  return { username: typeof username === 'string' && username.trim() ? username.trim() : undefined, password };
}

function stringField(body: unknown, ...names: string[]): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const name of names) if (typeof record[name] === 'string') return record[name] as string;
  throw new ValidationError(`${names[0]} is required`, { field: names[0] });
}

function setSessionCookie(ctx: RequestContext, token: string, expiresAt: number): void {
  ctx.setCookie(SESSION_COOKIE, token, {
    path: '/', httpOnly: true, sameSite: 'Strict', expires: new Date(expiresAt),
  });
}

export function registerAuthRoutes(router: Router, auth: AuthService): void {
  router.post('/api/auth/setup', async (ctx) => {
    const { username, password } = readCredentials(await ctx.json());
    const user = await auth.setup({ username, password });
    ctx.sendJson(200, { success: true, message: 'Password configured successfully', user });
  }, PUBLIC);

  router.post('/api/auth/login', async (ctx) => {
    const credentials = readCredentials(await ctx.json());
    const result = await auth.login(credentials, { ip: ctx.ip, userAgent: ctx.header('user-agent') });
    setSessionCookie(ctx, result.token, result.expiresAt);
    ctx.sendJson(200, { success: true, expiresIn: result.expiresIn, token: result.token, user: result.user });
  }, PUBLIC);

  router.post('/api/auth/logout', async (ctx) => {
    if (ctx.auth) await auth.logout(ctx.auth.session.id);
    ctx.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict' });
    ctx.sendJson(200, { success: true, message: 'Logged out successfully' });
  }, PUBLIC);

  router.get('/api/auth/check', (ctx) => {
    if (ctx.auth) {
      const expiresIn = Math.max(0, Math.floor((ctx.auth.session.expiresAt - Date.now()) / 1000));
      ctx.sendJson(200, { authenticated: true, setupRequired: false, expiresIn, user: ctx.auth.user });
    } else {
      ctx.sendJson(200, { authenticated: false, setupRequired: auth.setupRequired() });
    }
  }, PUBLIC);

  router.post('/api/auth/keepalive', (ctx) => {
    if (!ctx.auth) throw new UnauthorizedError('No session');
    const expiresIn = Math.max(0, Math.floor((ctx.auth.session.expiresAt - Date.now()) / 1000));
    const token = ctx.cookies()[SESSION_COOKIE];
    if (token) setSessionCookie(ctx, token, ctx.auth.session.expiresAt);
    ctx.sendJson(200, { success: true, expiresIn });
  }, PUBLIC);

  router.get('/api/auth/me', (ctx) => {
    ctx.sendJson(200, { ...ctx.auth!.user, permissions: [...ctx.auth!.permissions] });
  });

  const changePassword = async (ctx: RequestContext): Promise<void> => {
    const body = await ctx.json();
    const current = stringField(body, 'currentPassword', 'oldPassword', 'current_password');
    const next = stringField(body, 'newPassword', 'new_password');
    await auth.changePassword(ctx.auth!.user.id, current, next, ctx.auth!.session.id);
    ctx.sendJson(200, { success: true, message: 'Password updated successfully' });
  };
  router.put('/api/auth/password', changePassword);
  router.post('/api/auth/change-password', changePassword);

  const cloud = (): never => {
    throw new NotImplementedError('h3xed.app cloud accounts are a proprietary service that Alcove does not use; log in with a local account', 'CLOUD_NOT_SUPPORTED');
  };
  router.post('/api/auth/cloud-login', cloud, PUBLIC);
  router.post('/api/auth/setup-from-cloud', cloud, PUBLIC);
}
