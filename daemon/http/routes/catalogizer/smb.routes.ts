/**
 * Catalogizer SMB discovery (seed 003 "SMB Discovery"): share enumeration, connection test
 * and browsing, as JSON bodies (POST) or query strings (GET). Needs system.configure: these
 * make the daemon connect to hosts a client names.
 */
import type { CatalogServices } from '../../../services/catalogizer/catalog/create-catalog.js';
import { smbParams } from '../../../services/catalogizer/storage/smb.service.js';
import { ValidationError } from '../../../domain/errors.js';
import type { RequestContext } from '../../context.js';
import type { CatalogizerGroups } from './index.js';

const CONFIGURE = { permission: 'system.configure' };

async function body(ctx: RequestContext): Promise<Record<string, unknown>> {
  const b = await ctx.json<unknown>();
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new ValidationError('Invalid request format', undefined, 'INVALID_REQUEST');
  return b as Record<string, unknown>;
}
const query = (ctx: RequestContext): Record<string, unknown> => Object.fromEntries(ctx.query.entries());

export function registerCatalogizerSmbRoutes(groups: CatalogizerGroups, s: CatalogServices): void {
  const { api } = groups;
  const discoverMsg = 'host, username, and password are required';
  const testMsg = 'host, share, username, and password are required';
  api.post('/smb/discover', async (ctx) => s.smb.discover(smbParams(await body(ctx), ['host', 'username', 'password'], discoverMsg)), CONFIGURE);
  api.get('/smb/discover', (ctx) => s.smb.discover(smbParams(query(ctx), ['host', 'username', 'password'], discoverMsg)), CONFIGURE);
  api.post('/smb/test', async (ctx) => s.smb.test(smbParams(await body(ctx), ['host', 'share', 'username', 'password'], testMsg)), CONFIGURE);
  api.get('/smb/test', (ctx) => s.smb.test(smbParams(query(ctx), ['host', 'share', 'username', 'password'], testMsg)), CONFIGURE);
  api.post('/smb/browse', async (ctx) => s.smb.browse(smbParams(await body(ctx), ['host', 'share', 'username', 'password'], testMsg)), CONFIGURE);
}
