/**
 * Catalogizer storage roots (seed 003 "Storage"; upstream shapes where the seed shows a stub):
 * list, create (201, upsert by name, credentials sealed and never returned), status, and a
 * live folder listing of a root.
 */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { ValidationError } from '../../../domain/errors.js';
import type { CatalogizerGroups } from './index.js';

const VIEW = { permission: 'media.view' };
const CONFIGURE = { permission: 'system.configure' };

export function registerCatalogizerStorageRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  const list = () => ({ roots: s.storage.list() });
  api.get('/storage/roots', list, VIEW);
  api.get('/storage-roots', list, VIEW);
  api.post('/storage/roots', async (ctx) => {
    const body = await ctx.json<unknown>();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
    const root = await s.storage.create(body as Record<string, unknown>);
    const view = s.storage.view(root);
    ctx.sendJson(201, { id: root.id, message: 'storage root created', name: root.name, protocol: view.protocol, root: view });
  }, CONFIGURE);
  api.get('/storage-roots/:id/status', (ctx) => s.storage.status(ctx.params.id ?? ''), VIEW);
  api.get('/storage/list/*', (ctx) => s.storage.listPath(ctx.query.get('storage_id'), ctx.params['*'] ?? '', ctx.signal), VIEW);
  api.get('/storage/list', (ctx) => s.storage.listPath(ctx.query.get('storage_id'), '', ctx.signal), VIEW);
}
