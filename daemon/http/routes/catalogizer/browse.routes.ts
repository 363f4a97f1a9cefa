/**
 * Catalogizer /browse/* (upstream BrowseHandler; the seed does not document it): the same
 * catalog views under the names that handler uses. Shapes: see docs/API.md.
 */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import type { CatalogizerGroups } from './index.js';

const VIEW = { permission: 'media.view' };

export function registerCatalogizerBrowseRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  api.get('/browse/roots', () => ({ roots: s.catalog.roots() }), VIEW);
  api.get('/browse/directory/*', (ctx) => s.catalog.list(ctx.params['*'] ?? '', {
    sortBy: ctx.query.get('sort_by') ?? 'dirs-first', sortOrder: ctx.query.get('sort_order') === 'desc' ? 'desc' : 'asc',
    limit: Math.min(Number(ctx.query.get('limit')) || 100, 10_000), offset: Math.max(0, Number(ctx.query.get('offset')) || 0),
  }), VIEW);
  api.get('/browse/file-info/*', (ctx) => s.catalog.info(ctx.params['*'] ?? ''), VIEW);
  api.get('/browse/directory-sizes/*', (ctx) => {
    const path = (ctx.params['*'] ?? '').replace(/^\/+|\/+$/g, '');
    const [root, ...rest] = path.split('/');
    const prefix = rest.length ? `/${rest.join('/')}` : '';
    const all = s.stats.directoriesBySize(root ?? '', 1000);
    return { ...all, directories: all.directories.filter((d) => !prefix || d.path === prefix || d.path.startsWith(`${prefix}/`)) };
  }, VIEW);
  api.get('/browse/duplicates/*', (ctx) => {
    const path = (ctx.params['*'] ?? '').replace(/^\/+|\/+$/g, '');
    const [root] = path.split('/');
    const all = s.catalog.duplicates(root ?? '', 2, 1000);
    const groups = all.groups.filter((g) => g.files.some((f) => f.path === path || f.path.startsWith(`${path}/`)));
    return { groups, count: groups.length, computed_at: all.computed_at };
  }, VIEW);
}
