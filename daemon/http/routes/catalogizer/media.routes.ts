/**
 * Catalogizer media operations (seed 003 "Media Operations"; docs/API.md "Catalogizer —
 * Media"): thin handlers over CatalogizerMediaService / MediaSearchService. Reads need
 * `media.view`; progress and favorites are the caller's own data (`userdata.write`).
 * Also the entry point of the recommendation routes (one registration line in index.ts).
 */
import type { AppServices } from '../../../app.js';
import type { RequestContext } from '../../context.js';
import { ValidationError } from '../../../domain/errors.js';
import { Permission } from '../../../services/users/permissions.js';
import type { CatalogizerMediaServices } from '../../../services/catalogizer/media/create-media.js';
import { parseMediaId } from '../../../services/catalogizer/media/media.service.js';
import { parseMediaSearch } from '../../../services/catalogizer/media/media-search.service.js';
import type { AccessScope } from '../../../services/access/access.service.js';
import type { CatalogizerGroups } from './index.js';
import { registerCatalogizerRecommendationRoutes } from './recommendations.routes.js';

const VIEW = { permission: Permission.MEDIA_VIEW };
const OWN = { permission: Permission.USERDATA_WRITE };

/** A JSON object body, else "Invalid request body" (400). */
async function objectBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  let body: unknown;
  try { body = await ctx.json<unknown>(); } catch { body = undefined; }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request body', { details: 'a JSON object is required' }, 'INVALID_REQUEST_BODY');
  return body as Record<string, unknown>;
}

export function registerCatalogizerMediaRoutes(groups: CatalogizerGroups, services: AppServices): CatalogizerMediaServices {
  const s = services.catalogizerMedia;
  const { api } = groups;
  const scopeOf = (ctx: RequestContext): AccessScope => services.home.access.scopeOf(ctx.auth!);

  api.get('/media/search', (ctx) => s.search.search(scopeOf(ctx), parseMediaSearch(ctx.query)), VIEW);
  api.get('/media/stats', (ctx) => s.search.stats(scopeOf(ctx)), VIEW);
  api.get('/media/:id', (ctx) => s.media.get(scopeOf(ctx), parseMediaId(ctx.params.id)), VIEW);
  api.put('/media/:id/progress', async (ctx) => {
    const id = parseMediaId(ctx.params.id);
    const body = await objectBody(ctx);
    if (body.progress === undefined || body.progress === null) throw new ValidationError('Progress field is required', { field: 'progress' }, 'PROGRESS_REQUIRED');
    const p = body.progress;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new ValidationError('Progress must be between 0.0 and 1.0', { field: 'progress' }, 'INVALID_PROGRESS');
    await s.media.setProgress(scopeOf(ctx), id, p);
    return { success: true, message: 'Watch progress updated successfully' };
  }, OWN);
  api.put('/media/:id/favorite', async (ctx) => {
    const id = parseMediaId(ctx.params.id);
    const body = await objectBody(ctx);
    if (body.favorite === undefined || body.favorite === null) throw new ValidationError('Favorite field is required', { field: 'favorite' }, 'FAVORITE_REQUIRED');
    if (typeof body.favorite !== 'boolean') throw new ValidationError('Favorite must be a boolean', { field: 'favorite' }, 'INVALID_FAVORITE');
    await s.media.setFavorite(scopeOf(ctx), id, body.favorite);
    return { success: true, message: 'Favorite status updated successfully' };
  }, OWN);

  registerCatalogizerRecommendationRoutes(groups, services, s);
  return s;
}
