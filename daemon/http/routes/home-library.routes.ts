/**
 * h3xed library browsing (seed 004): items (paginated, sorted, filtered), recently added,
 * recommended, metadata refresh, and recently added across libraries. Library CRUD, scan
 * and scan status are in libraries.routes.ts. Shapes: docs/API.md "Home surface".
 */
import type { Router } from '../router.js';
import { parseItemsQuery } from '../../services/home/library-browse.service.js';
import { ADMIN, limitParam, scopeOf, visibleLibrary, type HomeApp } from './home-common.js';

export function registerHomeLibraryRoutes(router: Router, s: HomeApp): void {
  const h = s.home;

  router.get('/api/libraries/:id/items', (ctx) => {
    const scope = scopeOf(s, ctx);
    ctx.sendJson(200, h.browse.items(scope, visibleLibrary(s, ctx, scope), parseItemsQuery(ctx.query)));
  });

  router.get('/api/libraries/:id/recent', (ctx) => {
    const scope = scopeOf(s, ctx);
    const lib = visibleLibrary(s, ctx, scope);
    const items = h.browse.recent(scope, lib, limitParam(ctx, 20, 200));
    ctx.sendJson(200, { library: { id: lib.uuid, numericId: lib.id, name: lib.name, type: lib.type }, items, totalCount: items.length });
  });

  router.get('/api/libraries/:id/recommended', async (ctx) => {
    const scope = scopeOf(s, ctx);
    const lib = visibleLibrary(s, ctx, scope);
    const items = await h.recommendations.recommend(scope, lib, limitParam(ctx, 20, 100));
    ctx.sendJson(200, { library: { id: lib.uuid, numericId: lib.id, name: lib.name, type: lib.type }, items, totalCount: items.length });
  });

  router.post('/api/libraries/:id/refresh', (ctx) => {
    const lib = s.libraries.get(ctx.params.id ?? '');
    s.libraryApi.identify.enqueueLibrary(lib.id);
    ctx.sendJson(202, { success: true, status: 'started', libraryId: lib.uuid });
  }, ADMIN);

  router.get('/api/discover/recent', (ctx) => {
    const items = h.browse.discoverRecent(scopeOf(s, ctx), limitParam(ctx, 20, 200));
    ctx.sendJson(200, { items, totalCount: items.length });
  });
}
