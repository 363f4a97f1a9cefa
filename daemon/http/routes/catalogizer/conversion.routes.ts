/**
 * Catalogizer conversion jobs (seed 003 "Conversion", api-003 §15): thin handlers over
 * ConversionService. Guards: create needs conversion.create, reading conversion.view;
 * a job itself is visible to (and cancellable by) its owner or a conversion.manage holder.
 * GET /conversion/jobs filters by status only when one is given (upstream always filtered,
 * returning nothing without it).
 */
import type { AppServices } from '../../../app.js';
import type { RequestContext } from '../../context.js';
import { UnauthorizedError, ValidationError } from '../../../domain/errors.js';
import type { AuthInfo } from '../../../domain/auth.js';
import type { ConversionService } from '../../../services/catalogizer/conversion/conversion.service.js';
import type { JobStatus } from '../../../services/catalogizer/conversion/conversion-job.js';
import type { CatalogizerGroups } from './index.js';

const STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];

function jobId(ctx: RequestContext): number {
  const raw = ctx.params.id;
  if (!/^\d{1,15}$/.test(raw)) throw new ValidationError('Invalid job ID', { field: 'id' }, 'INVALID_JOB_ID');
  return Number(raw);
}

function who(ctx: RequestContext): AuthInfo {
  if (!ctx.auth) throw new UnauthorizedError('Unauthorized');
  return ctx.auth;
}

function register(groups: CatalogizerGroups, s: ConversionService): void {
  const { api } = groups;
  api.post('/conversion/jobs', async (ctx) => s.create(who(ctx), await ctx.json()), { permission: 'conversion.create' });
  api.get('/conversion/jobs', (ctx) => {
    const status = ctx.query.get('status');
    if (status && !STATUSES.includes(status as JobStatus)) throw new ValidationError('Invalid status', { field: 'status', allowed: STATUSES }, 'INVALID_STATUS');
    const rawLimit = Number(ctx.query.get('limit') ?? 50);
    const limit = Number.isInteger(rawLimit) && rawLimit >= 1 && rawLimit <= 100 ? rawLimit : 50;
    const rawOffset = Number(ctx.query.get('offset') ?? 0);
    const offset = Number.isInteger(rawOffset) && rawOffset >= 0 ? rawOffset : 0;
    return s.list(who(ctx), { status: (status || undefined) as JobStatus | undefined, limit, offset, all: ctx.query.get('all') === 'true' });
  }, { permission: 'conversion.view' });
  api.get('/conversion/jobs/:id', (ctx) => s.get(who(ctx), jobId(ctx)), { permission: 'conversion.view' });
  api.post('/conversion/jobs/:id/cancel', async (ctx) => {
    await s.cancel(who(ctx), jobId(ctx));
    return { message: 'Job cancelled successfully' };
  });
  api.get('/conversion/formats', () => s.formats(), { permission: 'conversion.view' });
}

export function registerCatalogizerConversionRoutes(groups: CatalogizerGroups, services: AppServices): ConversionService {
  register(groups, services.conversion);
  return services.conversion;
}
