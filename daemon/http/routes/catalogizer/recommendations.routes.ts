/**
 * Catalogizer recommendations (seed 003 "Recommendations"; docs/API.md "Catalogizer —
 * Recommendations"): similar, trending, personalized, and the simple test endpoint. Thin
 * handlers over CatalogizerRecommendationService; registered by media.routes.ts.
 * Personalized lists of another user need `user.manage` (they reveal viewing history) and
 * are computed under that user's own restrictions.
 */
import type { AppServices } from '../../../app.js';
import type { RequestContext } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../domain/errors.js';
import { hasPermission } from '../../../domain/auth.js';
import { Permission } from '../../../services/users/permissions.js';
import { isAdminRole } from '../../../services/users/roles.js';
import type { CatalogizerMediaServices } from '../../../services/catalogizer/media/create-media.js';
import { parseMediaId } from '../../../services/catalogizer/media/media.service.js';
import { TIME_RANGES } from '../../../services/catalogizer/recommendations/recommendation.service.js';
import type { CatalogizerGroups } from './index.js';

const VIEW = { permission: Permission.MEDIA_VIEW };

function intQuery(ctx: RequestContext, name: string, def: number, min: number, max: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(`Invalid ${name}`, { field: name, details: `an integer in [${min}, ${max}]` }, 'INVALID_PARAMETER');
  return n;
}

function boolQuery(ctx: RequestContext, name: string, def: boolean): boolean {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return def;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ValidationError(`Invalid ${name}`, { field: name, details: 'true or false' }, 'INVALID_PARAMETER');
}

export function registerCatalogizerRecommendationRoutes(groups: CatalogizerGroups, services: AppServices, s: CatalogizerMediaServices): void {
  const { api } = groups;
  const access = services.home.access;

  api.get('/recommendations/similar/:media_id', async (ctx) => {
    const id = parseMediaId(ctx.params.media_id);
    const rawThreshold = ctx.query.get('similarity_threshold');
    const threshold = rawThreshold === null || rawThreshold === '' ? 0.3 : Number(rawThreshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw new ValidationError('Invalid similarity_threshold', { field: 'similarity_threshold', details: 'a number in [0, 1]' }, 'INVALID_PARAMETER');
    const opts = {
      maxLocal: intQuery(ctx, 'max_local_items', 10, 1, 100), maxExternal: intQuery(ctx, 'max_external_items', 5, 0, 50),
      includeExternal: boolQuery(ctx, 'include_external', false), threshold,
    };
    const scope = access.scopeOf(ctx.auth!);
    return s.recommendations.similar(scope, s.media.require(scope, id), opts);
  }, VIEW);

  api.get('/recommendations/trending', (ctx) => {
    const range = ctx.query.get('time_range') || 'week';
    const days = TIME_RANGES[range];
    if (!days) throw new ValidationError('Invalid time_range', { field: 'time_range', details: `one of ${Object.keys(TIME_RANGES).join(', ')}` }, 'INVALID_PARAMETER');
    const mediaType = ctx.query.get('media_type') || undefined;
    const items = s.recommendations.trending(access.scopeOf(ctx.auth!), days, mediaType, intQuery(ctx, 'limit', 20, 1, 100));
    return { items, media_type: mediaType ?? '', time_range: range, generated_at: new Date().toISOString() };
  }, VIEW);

  api.get('/recommendations/personalized/:user_id', async (ctx) => {
    const auth = ctx.auth!;
    const userId = parseMediaId(ctx.params.user_id, 'Invalid user ID', 'INVALID_USER_ID');
    const limit = intQuery(ctx, 'limit', 20, 1, 100);
    let scope;
    if (userId === auth.user.id) scope = access.scopeOf(auth);
    else {
      if (!hasPermission(auth, Permission.USER_MANAGE)) throw new ForbiddenError('Insufficient permissions', 'INSUFFICIENT_PERMISSIONS');
      const user = services.index.users.get(userId);
      if (!user) throw new NotFoundError('User not found', 'USER_NOT_FOUND');
      scope = access.scopeFor(user.id, isAdminRole(user.role), user.restrictions);
    }
    const items = await s.recommendations.personalized(scope, limit);
    return { user_id: userId, items, generated_at: new Date().toISOString() };
  }, VIEW);

  api.get('/recommendations/test', () => ({ message: 'Simple recommendation works!' }));
}
