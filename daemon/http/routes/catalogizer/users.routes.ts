/**
 * Catalogizer /api/v1/users (seed 003, api-003 §16). Route guards carry the fixed
 * permissions; the self-or-permission rules of GET/PUT /users/:id live in the service.
 */
import { Permission } from '../../../services/users/permissions.js';
import type { CatalogizerUsersService } from '../../../services/catalogizer/users/catalogizer-users.service.js';
import { numericId, readObject } from './auth.routes.js';
import type { CatalogizerGroups } from './index.js';

export function registerCatalogizerUserRoutes({ api }: CatalogizerGroups, users: CatalogizerUsersService): void {
  api.post('/users', async (ctx) => {
    ctx.sendJson(201, await users.create(await readObject(ctx)));
  }, { permission: Permission.USER_CREATE });
  api.get('/users', (ctx) => {
    ctx.sendJson(200, users.list(ctx.query.get('limit'), ctx.query.get('offset')));
  }, { permission: Permission.USER_VIEW });
  api.get('/users/:id', (ctx) => {
    ctx.sendJson(200, users.get(ctx.auth!, numericId(ctx, 'id', 'user')));
  });
  api.put('/users/:id', async (ctx) => {
    const id = numericId(ctx, 'id', 'user');
    ctx.sendJson(200, await users.update(ctx.auth!, id, await readObject(ctx)));
  });
  api.delete('/users/:id', async (ctx) => {
    await users.remove(ctx.auth!, numericId(ctx, 'id', 'user'));
    ctx.noContent();
  }, { permission: Permission.USER_DELETE });
  api.post('/users/:id/reset-password', async (ctx) => {
    const id = numericId(ctx, 'id', 'user');
    ctx.sendJson(200, await users.resetPassword(id, await readObject(ctx)));
  }, { permission: Permission.USER_MANAGE });
  api.post('/users/:id/lock', async (ctx) => {
    const id = numericId(ctx, 'id', 'user');
    ctx.sendJson(200, await users.lock(ctx.auth!, id, await readObject(ctx)));
  }, { permission: Permission.USER_MANAGE });
  api.post('/users/:id/unlock', async (ctx) => {
    ctx.sendJson(200, await users.unlock(numericId(ctx, 'id', 'user')));
  }, { permission: Permission.USER_MANAGE });
}
