/**
 * Catalogizer statistics (seed 003 "Statistics"): `{success:true,data}` answers from kept
 * counters (CatalogStatsService), plus the two catalog-handler routes with bare bodies
 * (directories/by-size, duplicates/count). Limits out of range fall back to the defaults,
 * as upstream does.
 */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { clampInt } from '../../../services/catalogizer/stats/stats.service.js';
import { ValidationError } from '../../../domain/errors.js';
import type { CatalogizerGroups } from './index.js';

const VIEW = { permission: 'media.view' };

export function registerCatalogizerStatsRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  const st = s.stats;
  const data = (d: unknown) => ({ success: true, data: d });
  api.get('/stats/overall', () => data(st.overall()), VIEW);
  api.get('/stats/smb/:smb_root', (ctx) => data(st.root(ctx.params.smb_root ?? '')), VIEW);
  api.get('/stats/filetypes', (ctx) => data(st.fileTypes(ctx.query.get('smb_root'), clampInt(ctx.query.get('limit'), 50, 1000))), VIEW);
  api.get('/stats/sizes', (ctx) => data(st.sizes(ctx.query.get('smb_root'))), VIEW);
  api.get('/stats/duplicates', (ctx) => data(st.duplicates(ctx.query.get('smb_root'))), VIEW);
  api.get('/stats/duplicates/groups', (ctx) => data(st.duplicateGroups(ctx.query.get('smb_root'), ctx.query.get('sort_by') ?? 'count', clampInt(ctx.query.get('limit'), 20, 100))), VIEW);
  api.get('/stats/access', (ctx) => data(st.accessPatterns(ctx.query.get('smb_root'), clampInt(ctx.query.get('days'), 30, 365))), VIEW);
  api.get('/stats/growth', (ctx) => data(st.growth(ctx.query.get('smb_root'), clampInt(ctx.query.get('months'), 12, 60))), VIEW);
  api.get('/stats/scans', (ctx) => data(st.scans(ctx.query.get('smb_root'), clampInt(ctx.query.get('limit'), 50, 1000), Math.max(0, Number(ctx.query.get('offset')) || 0))), VIEW);
  api.get('/stats/directories/by-size', (ctx) => {
    const root = ctx.query.get('smb_root');
    if (!root) throw new ValidationError('SMB root is required', { field: 'smb_root' }, 'SMB_ROOT_REQUIRED');
    return st.directoriesBySize(root, clampInt(ctx.query.get('limit'), 50, 1000));
  }, VIEW);
  api.get('/stats/duplicates/count', (ctx) => st.duplicatesCount(ctx.query.get('smb_root')), VIEW);
}
