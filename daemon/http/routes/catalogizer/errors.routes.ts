/**
 * Catalogizer /api/v1/errors (seed 003, api-003 §19): error and crash reports kept in the
 * index, with the documented permissions (report.create, report.view, system.admin).
 */
import { Permission } from '../../../services/users/permissions.js';
import type { ErrorReportService } from '../../../services/catalogizer/errors/error-report.service.js';
import { numericId, readObject } from './auth.routes.js';
import type { CatalogizerGroups } from './index.js';

export function registerCatalogizerErrorRoutes({ api }: CatalogizerGroups, reports: ErrorReportService): void {
  const CREATE = { permission: Permission.REPORT_CREATE };
  const VIEW = { permission: Permission.REPORT_VIEW };
  api.post('/errors/report', async (ctx) => { ctx.sendJson(200, await reports.report(ctx.auth!.user.id, await readObject(ctx))); }, CREATE);
  api.post('/errors/crash', async (ctx) => { ctx.sendJson(200, await reports.crash(ctx.auth!.user.id, await readObject(ctx))); }, CREATE);
  api.get('/errors/reports', (ctx) => { ctx.sendJson(200, reports.list('error', ctx.query)); }, VIEW);
  api.get('/errors/reports/:id', (ctx) => { ctx.sendJson(200, reports.get('error', numericId(ctx, 'id', 'report'))); }, VIEW);
  api.put('/errors/reports/:id/status', async (ctx) => {
    const id = numericId(ctx, 'id', 'report');
    await reports.setStatus('error', id, (await readObject(ctx)).status);
    ctx.noContent();
  }, CREATE);
  api.get('/errors/crashes', (ctx) => { ctx.sendJson(200, reports.list('crash', ctx.query)); }, VIEW);
  api.get('/errors/crashes/:id', (ctx) => { ctx.sendJson(200, reports.get('crash', numericId(ctx, 'id', 'report'))); }, VIEW);
  api.put('/errors/crashes/:id/status', async (ctx) => {
    const id = numericId(ctx, 'id', 'report');
    await reports.setStatus('crash', id, (await readObject(ctx)).status);
    ctx.noContent();
  }, CREATE);
  api.get('/errors/statistics', (ctx) => { ctx.sendJson(200, reports.errorStatistics()); }, VIEW);
  api.get('/errors/crash-statistics', (ctx) => { ctx.sendJson(200, reports.crashStatistics()); }, VIEW);
  api.get('/errors/health', (ctx) => { ctx.sendJson(200, reports.health()); }, { permission: Permission.SYSTEM_ADMIN });
}
