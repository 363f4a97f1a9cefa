/**
 * h3xed items (seed 004): details, children, episodes, cast, artwork; admin: manual edits
 * (locked fields) and TMDb matching. Playback routes under /api/media/:fileId/... live in
 * playback.routes.ts. Shapes: docs/API.md "Home surface".
 */
import type { Router } from '../router.js';
import { parseDimension } from '../../services/home/home-artwork.service.js';
import { parseRatingKey } from '../../services/home/watch.service.js';
import { ADMIN, objectBody, scopeOf, type HomeApp } from './home-common.js';

export function registerHomeMediaRoutes(router: Router, s: HomeApp): void {
  const h = s.home;

  router.get('/api/media/:ratingKey', (ctx) => {
    ctx.sendJson(200, h.media.detail(scopeOf(s, ctx), ctx.params.ratingKey ?? ''));
  });
  router.get('/api/media/:ratingKey/children', (ctx) => {
    ctx.sendJson(200, h.media.children(scopeOf(s, ctx), ctx.params.ratingKey ?? ''));
  });
  router.get('/api/media/:ratingKey/episodes', (ctx) => {
    ctx.sendJson(200, h.media.episodes(scopeOf(s, ctx), ctx.params.ratingKey ?? ''));
  });
  router.get('/api/cast/:ratingKey', (ctx) => {
    ctx.sendJson(200, h.media.cast(scopeOf(s, ctx), ctx.params.ratingKey ?? ''));
  });

  router.get('/api/artwork/:ratingKey/:kind', async (ctx) => {
    const item = h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey));
    const width = parseDimension(ctx.query.get('width') ?? ctx.query.get('w'), 'width');
    const height = parseDimension(ctx.query.get('height') ?? ctx.query.get('h'), 'height');
    const art = await h.artwork.get(item, ctx.params.kind ?? '', width, height);
    await ctx.sendFile({ ...art, cacheControl: 'private, max-age=86400' });
  });

  router.get('/api/media-item/:ratingKey', (ctx) => {
    ctx.sendJson(200, h.edits.view(h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey))));
  }, ADMIN);
  router.put('/api/media-item/:ratingKey', async (ctx) => {
    const item = h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey));
    ctx.sendJson(200, await h.edits.edit(item, await objectBody(ctx)));
  }, ADMIN);

  router.post('/api/match/:ratingKey/search', async (ctx) => {
    const item = h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey));
    ctx.sendJson(200, await h.match.search(item, await objectBody(ctx, true)));
  }, ADMIN);
  router.post('/api/match/:ratingKey/apply', async (ctx) => {
    const item = h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey));
    ctx.sendJson(200, { success: true, ...(await h.match.apply(item, await objectBody(ctx))) });
  }, ADMIN);
  router.post('/api/match/:ratingKey/refresh', async (ctx) => {
    const item = h.access.requireItem(scopeOf(s, ctx), parseRatingKey(ctx.params.ratingKey));
    ctx.sendJson(200, { success: true, ...(await h.match.refresh(item)) });
  }, ADMIN);
}
