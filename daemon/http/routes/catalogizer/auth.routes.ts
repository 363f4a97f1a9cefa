/**
 * Catalogizer /api/v1/auth (seed 003): login, register, refresh, logout, status, me,
 * profile, permissions. Public routes except logout/me/profile/permissions; all under the
 * auth rate limit (5/min per IP by default). Also exports the small request helpers the
 * other Catalogizer route modules of this group share.
 */
import { ValidationError } from '../../../domain/errors.js';
import type { RequestContext } from '../../context.js';
import type { CatalogizerAuthService } from '../../../services/catalogizer/auth/catalogizer-auth.service.js';
import type { CatalogizerGroups } from './index.js';

/** The JSON object body; malformed JSON or a non-object -> 400 INVALID_REQUEST. */
export async function readObject(ctx: RequestContext, optional = false): Promise<Record<string, unknown>> {
  const raw = await ctx.body();
  if (raw.length === 0 && optional) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('Invalid request format', { details: raw.length === 0 ? 'empty body' : 'invalid JSON' }, 'INVALID_REQUEST');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('Invalid request format', { details: 'expected a JSON object' }, 'INVALID_REQUEST');
  }
  return parsed as Record<string, unknown>;
}

/** A positive integer route param; anything else -> 400 with `Invalid <label> ID`. */
export function numericId(ctx: RequestContext, name: string, label: string): number {
  const raw = ctx.params[name] ?? '';
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError(`Invalid ${label} ID`, { field: name }, 'INVALID_ID');
  return id;
}

const meta = (ctx: RequestContext): { ip: string; userAgent?: string } => ({ ip: ctx.ip, userAgent: ctx.header('user-agent') });

export function registerCatalogizerAuthRoutes({ auth }: CatalogizerGroups, service: CatalogizerAuthService): void {
  auth.post('/login', async (ctx) => {
    ctx.sendJson(200, await service.login(await readObject(ctx), meta(ctx)));
  });
  auth.post('/register', async (ctx) => {
    ctx.sendJson(201, await service.register(await readObject(ctx)));
  });
  auth.post('/refresh', async (ctx) => {
    ctx.sendJson(200, await service.refresh(await readObject(ctx), meta(ctx)));
  });
  auth.post('/logout', async (ctx) => {
    ctx.sendJson(200, await service.logout(ctx.auth!));
  }, { public: false });
  auth.get('/status', (ctx) => {
    const hadCredentials = Boolean(ctx.header('authorization') || ctx.query.get('token'));
    ctx.sendJson(200, service.status(ctx.auth, hadCredentials));
  });
  auth.get('/me', (ctx) => { ctx.sendJson(200, service.me(ctx.auth!)); }, { public: false });
  auth.get('/profile', (ctx) => { ctx.sendJson(200, service.me(ctx.auth!)); }, { public: false });
  auth.get('/permissions', (ctx) => { ctx.sendJson(200, service.permissions(ctx.auth!)); }, { public: false });
}
