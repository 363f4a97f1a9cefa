/**
 * Catalogizer catalog and search (seed 003 "Catalog Browsing", "Search"): thin handlers over
 * CatalogService. Also the entry point of every catalog-side module (download, copy,
 * storage, SMB, scans, stats, browse): registerCatalogizerCatalogRoutes builds their
 * services once and registers each module.
 */
import type { AppServices } from '../../../app.js';
import type { RequestContext } from '../../context.js';
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { parseSearchFilter } from '../../../services/catalogizer/catalog/search-filter.js';
import { ValidationError } from '../../../domain/errors.js';
import type { CatalogizerGroups } from './index.js';
import { registerCatalogizerDownloadRoutes } from './download.routes.js';
import { registerCatalogizerCopyRoutes } from './copy.routes.js';
import { registerCatalogizerStorageRoutes } from './storage.routes.js';
import { registerCatalogizerSmbRoutes } from './smb.routes.js';
import { registerCatalogizerScanRoutes } from './scans.routes.js';
import { registerCatalogizerStatsRoutes } from './stats.routes.js';
import { registerCatalogizerBrowseRoutes } from './browse.routes.js';

const VIEW = { permission: 'media.view' };

export const queryRecord = (ctx: RequestContext): Record<string, string> => Object.fromEntries(ctx.query.entries());

export function intParam(raw: string | null, def: number, field: string): number {
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(`Invalid ${field}`, { field }, 'INVALID_PARAMETER');
  return n;
}

function registerCatalog(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  api.get('/catalog', () => ({ roots: s.catalog.roots() }), VIEW);
  api.get('/catalog/*', (ctx) => {
    const limit = intParam(ctx.query.get('limit'), 100, 'limit');
    return s.catalog.list(ctx.params['*'] ?? '', {
      sortBy: ctx.query.get('sort_by') ?? 'name', sortOrder: ctx.query.get('sort_order') === 'desc' ? 'desc' : 'asc',
      limit: limit === 0 ? 10_000 : Math.min(limit, 10_000), offset: intParam(ctx.query.get('offset'), 0, 'offset'),
    });
  }, VIEW);
  api.get('/catalog-info/*', (ctx) => s.catalog.info(ctx.params['*'] ?? ''), VIEW);

  const search = (ctx: RequestContext) => {
    const f = parseSearchFilter(queryRecord(ctx));
    if (!f.query) throw new ValidationError('Search query is required', { field: 'query' }, 'QUERY_REQUIRED');
    return s.catalog.search(f);
  };
  api.get('/search', search, VIEW);
  api.get('/search/files', search, VIEW);
  api.post('/search/advanced', async (ctx) => {
    const body = await ctx.json<unknown>();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
    const f = parseSearchFilter(body as Record<string, unknown>);
    const b = body as Record<string, unknown>;
    if (!f.query && !f.path && !f.extensions && !f.mimeTypes && f.minSize === undefined && f.maxSize === undefined && !f.roots
      && f.isDirectory === undefined && f.modifiedAfter === undefined && f.modifiedBefore === undefined) {
      throw new ValidationError('At least one search criterion is required', { fields: Object.keys(b) }, 'CRITERIA_REQUIRED');
    }
    return s.catalog.search(f);
  }, VIEW);
  const duplicates = (ctx: RequestContext) => {
    const root = ctx.query.get('smb_root');
    if (!root) throw new ValidationError('SMB root is required', { field: 'smb_root' }, 'SMB_ROOT_REQUIRED');
    return s.catalog.duplicates(root, intParam(ctx.query.get('min_count'), 2, 'min_count'), Math.min(intParam(ctx.query.get('limit'), 50, 'limit') || 50, 1000));
  };
  api.get('/search/duplicates', duplicates, VIEW);
  api.get('/search/files/duplicates', duplicates, VIEW);
}

/** One call from catalogizer/index.ts registers every catalog-side module. */
export function registerCatalogizerCatalogRoutes(groups: CatalogizerGroups, services: AppServices): CatalogServices {
  const s = services.catalog;
  registerCatalog(groups, s);
  registerCatalogizerDownloadRoutes(groups, s);
  registerCatalogizerCopyRoutes(groups, s);
  registerCatalogizerStorageRoutes(groups, s);
  registerCatalogizerSmbRoutes(groups, s);
  registerCatalogizerScanRoutes(groups, s);
  registerCatalogizerStatsRoutes(groups, s);
  registerCatalogizerBrowseRoutes(groups, s);
  return s;
}
