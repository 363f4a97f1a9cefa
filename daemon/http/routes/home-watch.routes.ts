/**
 * h3xed personal watch data (seed 004): progress reports (write-behind), watched /
 * unwatched, continue watching, batch watch state, watchlist. Everything is the calling
 * user's own. Shapes: docs/API.md "Home surface".
 */
import type { Router } from '../router.js';
import { ValidationError } from '../../domain/errors.js';
import { limitParam, objectBody, scopeOf, visibleLibraryId, type HomeApp } from './home-common.js';

export function registerHomeWatchRoutes(router: Router, s: HomeApp): void {
  const w = s.home.watch;

  router.post('/api/progress', async (ctx) => {
    const state = w.report(scopeOf(s, ctx), await objectBody(ctx));
    ctx.sendJson(200, { success: true, ...state });
  });
  router.post('/api/progress/watched', async (ctx) => {
    const body = await objectBody(ctx);
    if (body.ratingKey === undefined) throw new ValidationError('ratingKey is required', { field: 'ratingKey' });
    ctx.sendJson(200, await w.markWatched(scopeOf(s, ctx), body.ratingKey));
  });
  router.delete('/api/progress/:ratingKey', async (ctx) => {
    ctx.sendJson(200, await w.markUnwatched(scopeOf(s, ctx), ctx.params.ratingKey));
  });
  router.post('/api/mark-watched/:ratingKey', async (ctx) => {
    ctx.sendJson(200, await w.markWatched(scopeOf(s, ctx), ctx.params.ratingKey));
  });
  router.post('/api/mark-unwatched/:ratingKey', async (ctx) => {
    ctx.sendJson(200, await w.markUnwatched(scopeOf(s, ctx), ctx.params.ratingKey));
  });

  router.get('/api/continue-watching', async (ctx) => {
    const scope = scopeOf(s, ctx);
    const items = await s.home.continueWatching.list(scope, limitParam(ctx, 20, 100), visibleLibraryId(s, ctx, scope));
    ctx.sendJson(200, { items, totalCount: items.length });
  });
  router.get('/api/watch-state', (ctx) => {
    ctx.sendJson(200, w.states(scopeOf(s, ctx), ctx.query.get('keys')));
  });

  router.get('/api/watchlist', (ctx) => ctx.sendJson(200, w.watchlist(scopeOf(s, ctx))));
  router.post('/api/watchlist/:ratingKey', async (ctx) => {
    const r = await w.addToWatchlist(scopeOf(s, ctx), ctx.params.ratingKey);
    ctx.sendJson(r.added ? 201 : 200, r);
  });
  router.delete('/api/watchlist/:ratingKey', async (ctx) => {
    ctx.sendJson(200, await w.removeFromWatchlist(scopeOf(s, ctx), ctx.params.ratingKey));
  });
}
