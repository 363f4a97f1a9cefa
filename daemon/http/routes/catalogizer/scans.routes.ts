/** Catalogizer scan jobs (upstream ScanHandler): queue (202), list, one job (404 when unknown). */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { NotFoundError, ValidationError } from '../../../domain/errors.js';
import type { CatalogizerGroups } from './index.js';

export function registerCatalogizerScanRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  api.post('/scans', async (ctx) => {
    const b = await ctx.json<unknown>();
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
    const job = await s.scanJobs.queue(b as Record<string, unknown>);
    ctx.sendJson(202, { job_id: job.job_id, message: 'scan job queued', scan_type: job.scan_type, status: job.status, storage_root_id: job.storage_root_id });
  }, { permission: 'library.manage' });
  api.get('/scans', () => ({ scans: s.scanJobs.list() }), { permission: 'media.view' });
  api.get('/scans/:job_id', (ctx) => {
    const job = s.scanJobs.get(ctx.params.job_id ?? '');
    if (!job) throw new NotFoundError('scan job not found (may have already completed)', 'SCAN_JOB_NOT_FOUND');
    return job;
  }, { permission: 'media.view' });
}
