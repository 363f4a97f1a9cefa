/**
 * System endpoints (public): /health, /livez, /readyz, /version, /api/server, /metrics.
 * Registered before the index opens so probes can watch the daemon come up.
 */
import type { Router } from '../router.js';
import type { SystemService } from '../../services/system/system.service.js';

const PUBLIC = { access: { kind: 'public' } } as const;
const NO_CACHE = { 'Cache-Control': 'no-cache' };

export interface SystemRouteDeps {
  system: SystemService;
  renderMetrics: () => Promise<{ body: string; contentType: string }>;
}

export function registerSystemRoutes(router: Router, { system, renderMetrics }: SystemRouteDeps): void {
  router.get('/health', (ctx) => {
    const report = system.health();
    ctx.sendJson(report.ready ? 200 : 503, report, NO_CACHE);
  }, PUBLIC);
  router.get('/healthz', (ctx) => {
    const report = system.health();
    ctx.sendJson(report.ready ? 200 : 503, report, NO_CACHE);
  }, PUBLIC);
  router.get('/livez', (ctx) => ctx.sendJson(200, { status: 'alive' }, NO_CACHE), PUBLIC);
  router.get('/readyz', (ctx) => {
    if (system.ready) ctx.sendJson(200, { status: 'ready' }, NO_CACHE);
    else ctx.sendJson(503, { success: false, status: 'not_ready', error: 'Index is not open yet', code: 'NOT_READY' }, NO_CACHE);
  }, PUBLIC);
  router.get('/version', (ctx) => ctx.sendJson(200, system.version(), NO_CACHE), PUBLIC);
  router.get('/api/server', (ctx) => ctx.sendJson(200, system.server(), NO_CACHE), PUBLIC);
  router.get('/metrics', async (ctx) => {
    const { body, contentType } = await renderMetrics();
    ctx.send(200, body, contentType);
  }, PUBLIC);
}
