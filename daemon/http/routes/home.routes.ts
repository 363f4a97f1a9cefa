/**
 * The h3xed home media surface beyond playback (seed 004): status, discovery, genres,
 * logs, filesystem browser, plus the library, media, watch and user modules. Search is
 * Media Viewer's handler (API-NOTES "Conflicts"). Shapes: docs/API.md "Home surface".
 */
import type { Router } from '../router.js';
import { browseFs } from '../../services/home/browse-fs.service.js';
import { recentRequests, serverStatus } from '../../services/home/status.js';
import { ADMIN, limitParam, scopeOf, visibleLibraryId, type HomeApp } from './home-common.js';
import { registerHomeLibraryRoutes } from './home-library.routes.js';
import { registerHomeMediaRoutes } from './home-media.routes.js';
import { registerHomeUserRoutes } from './home-users.routes.js';
import { registerHomeWatchRoutes } from './home-watch.routes.js';

const STARTED_AT = Date.now();

export function registerHomeRoutes(router: Router, s: HomeApp): void {
  router.get('/api/status', (ctx) => {
    ctx.sendJson(200, serverStatus({
      index: s.index, server: () => s.system.server(), transcodes: () => s.playback.sessions.count,
      scanning: () => s.scanStatus.all().filter((x) => x.state === 'running').length,
      pendingProgress: () => s.home.progress.pendingCount, startedAt: STARTED_AT,
    }, scopeOf(s, ctx)));
  });
  router.get('/api/genres', (ctx) => {
    const scope = scopeOf(s, ctx);
    ctx.sendJson(200, s.home.genres.list(scope, visibleLibraryId(s, ctx, scope)));
  });
  router.get('/api/browse-fs', async (ctx) => ctx.sendJson(200, await browseFs(ctx.query.get('path'))), ADMIN);
  router.get('/api/logs', (ctx) => {
    const entries = recentRequests(s.logs?.recent() ?? [], limitParam(ctx, 100, 1000), ctx.query.get('status') ?? undefined);
    ctx.sendJson(200, { entries, totalCount: entries.length });
  }, ADMIN);

  registerHomeLibraryRoutes(router, s);
  registerHomeMediaRoutes(router, s);
  registerHomeWatchRoutes(router, s);
  registerHomeUserRoutes(router, s);
}
