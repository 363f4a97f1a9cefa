/**
 * Media Viewer tags and favorites (api-000 §4, §5). Tags are shared library data: changing
 * them needs admin or the `media.edit` permission. Favorites are the caller's own.
 */
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../../domain/errors.js';
import { Permission } from '../../services/users/permissions.js';
import type { MediaViewerServices } from '../../services/media-viewer/create-media-viewer.js';

const EDIT = { access: { kind: 'permission', permission: Permission.MEDIA_EDIT } } as const;
const OK = { status: 'ok' } as const;
/** Bulk bodies carry up to 10,000 paths. */
const BULK_BODY = { maxBodyBytes: 16 * 1024 * 1024 };

/** The JSON object body, or upstream's 400 'Invalid request body'. */
async function objectBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await ctx.json();
  } catch {
    throw new ValidationError('Invalid request body', undefined, 'INVALID_BODY');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Invalid request body', undefined, 'INVALID_BODY');
  return body as Record<string, unknown>;
}

export function registerMediaViewerDataRoutes(router: Router, mv: MediaViewerServices): void {
  // ---------------------------------------------------------------- tags
  router.get('/api/tags', (ctx) => ctx.sendJson(200, mv.tags.list()));
  router.get('/api/tags/stats', (ctx) => ctx.sendJson(200, mv.tags.stats()));
  router.get('/api/tags/unused', (ctx) => ctx.sendJson(200, mv.tags.unused()));
  router.get('/api/tags/file', (ctx) => ctx.sendJson(200, mv.tags.ofFile(mv.viewerOf(ctx.auth!), ctx.query.get('path') ?? '')));
  router.post('/api/tags/file', async (ctx) => {
    const b = await objectBody(ctx);
    await mv.tags.add(mv.viewerOf(ctx.auth!), b.path, b.tag);
    ctx.sendJson(200, OK);
  }, EDIT);
  router.delete('/api/tags/file', async (ctx) => {
    const b = await objectBody(ctx);
    await mv.tags.remove(mv.viewerOf(ctx.auth!), b.path, b.tag);
    ctx.sendJson(200, OK);
  }, EDIT);
  router.post('/api/tags/file/set', async (ctx) => {
    const b = await objectBody(ctx);
    await mv.tags.set(mv.viewerOf(ctx.auth!), b.path, b.tags);
    ctx.sendJson(200, OK);
  }, EDIT);
  router.post('/api/tags/batch', async (ctx) => {
    const b = await objectBody(ctx);
    ctx.sendJson(200, mv.tags.batch(mv.viewerOf(ctx.auth!), b.paths));
  }, BULK_BODY);
  router.post('/api/tags/bulk', async (ctx) => {
    const b = await objectBody(ctx);
    ctx.sendJson(200, await mv.tags.bulk(mv.viewerOf(ctx.auth!), b.paths, b.tag, true));
  }, { ...EDIT, ...BULK_BODY });
  router.delete('/api/tags/bulk', async (ctx) => {
    const b = await objectBody(ctx);
    ctx.sendJson(200, await mv.tags.bulk(mv.viewerOf(ctx.auth!), b.paths, b.tag, false));
  }, { ...EDIT, ...BULK_BODY });
  router.get('/api/tags/:tag', (ctx) => {
    const name = ctx.params.tag;
    const r = mv.tags.filesWithTag(mv.viewerOf(ctx.auth!), name, 50);
    ctx.sendJson(200, { items: r.items, query: `tag:${name}`, totalItems: r.total, page: 1, pageSize: 50, totalPages: Math.max(1, Math.ceil(r.total / 50)) });
  });
  router.delete('/api/tags/:tag', async (ctx) => {
    await mv.tags.delete(ctx.params.tag);
    ctx.sendJson(200, OK);
  }, EDIT);
  router.put('/api/tags/:tag', async (ctx) => {
    const b = await objectBody(ctx);
    if (b.newName === undefined && b.color !== undefined) await mv.tags.setColor(ctx.params.tag, b.color);
    else await mv.tags.rename(ctx.params.tag, b.newName);
    ctx.sendJson(200, OK);
  }, EDIT);
  router.post('/api/tags/:tag/rename', async (ctx) => {
    const b = await objectBody(ctx);
    ctx.sendJson(200, await mv.tags.rename(ctx.params.tag, b.newName));
  }, EDIT);
  router.delete('/api/tags/:tag/delete', async (ctx) => {
    ctx.sendJson(200, await mv.tags.delete(ctx.params.tag));
  }, EDIT);

  // ---------------------------------------------------------------- favorites
  router.get('/api/favorites', (ctx) => ctx.sendJson(200, mv.favorites.list(mv.viewerOf(ctx.auth!))));
  router.get('/api/favorites/check', (ctx) => ctx.sendJson(200, mv.favorites.check(mv.viewerOf(ctx.auth!), ctx.query.get('path') ?? '')));
  router.post('/api/favorites', async (ctx) => {
    const b = await objectBody(ctx);
    await mv.favorites.add(mv.viewerOf(ctx.auth!), b.path);
    ctx.sendJson(200, OK);
  });
  router.delete('/api/favorites', async (ctx) => {
    const b = await objectBody(ctx);
    await mv.favorites.remove(mv.viewerOf(ctx.auth!), b.path);
    ctx.sendJson(200, OK);
  });
  router.post('/api/favorites/bulk', async (ctx) => {
    const b = await objectBody(ctx);
    if (!Array.isArray(b.items)) throw new ValidationError('Items array is required', { field: 'items' }, 'ITEMS_REQUIRED');
    const paths = b.items.map((i: unknown) => (i && typeof i === 'object' && typeof (i as { path?: unknown }).path === 'string' ? (i as { path: string }).path : ''));
    ctx.sendJson(200, await mv.favorites.bulk(mv.viewerOf(ctx.auth!), paths, true));
  }, BULK_BODY);
  router.delete('/api/favorites/bulk', async (ctx) => {
    const b = await objectBody(ctx);
    if (!Array.isArray(b.paths)) throw new ValidationError('Paths array is required', { field: 'paths' }, 'PATHS_REQUIRED');
    ctx.sendJson(200, await mv.favorites.bulk(mv.viewerOf(ctx.auth!), b.paths.map((p: unknown) => (typeof p === 'string' ? p : '')), false));
  }, BULK_BODY);
}
