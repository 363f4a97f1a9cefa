/**
 * Catalogizer /api/v1/roles (seed 003, api-003 §17): all system.admin. System roles (admin,
 * user) can be neither changed nor deleted (403 SYSTEM_ROLE); a role still assigned to
 * users cannot be deleted (409 ROLE_IN_USE).
 */
import { ValidationError } from '../../../domain/errors.js';
import { PERMISSION_CATALOGUE, Permission } from '../../../services/users/permissions.js';
import type { RoleService } from '../../../services/users/role.service.js';
import { toRoleView } from '../../../services/catalogizer/auth/present.js';
import { numericId, readObject } from './auth.routes.js';
import type { CatalogizerGroups } from './index.js';

const ADMIN = { permission: Permission.SYSTEM_ADMIN };

function roleInput(body: Record<string, unknown>, partial: boolean): { name?: string; description?: string; permissions?: string[] } {
  if (!partial && body.name === undefined) throw new ValidationError('name is required', { field: 'name' });
  if (!partial && body.permissions === undefined) body.permissions = [];
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') {
    throw new ValidationError('description must be a string', { field: 'description' });
  }
  return {
    ...(body.name !== undefined ? { name: body.name as string } : {}),
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    ...(body.permissions !== undefined ? { permissions: body.permissions as string[] } : {}),
  };
}

export function registerCatalogizerRoleRoutes({ api }: CatalogizerGroups, roles: RoleService): void {
  api.get('/roles/permissions', (ctx) => { ctx.sendJson(200, PERMISSION_CATALOGUE); }, ADMIN);
  api.post('/roles', async (ctx) => {
    const input = roleInput(await readObject(ctx), false);
    ctx.sendJson(201, toRoleView(await roles.create({ name: input.name!, description: input.description, permissions: input.permissions ?? [] })));
  }, ADMIN);
  api.get('/roles', (ctx) => { ctx.sendJson(200, roles.list().map(toRoleView)); }, ADMIN);
  api.get('/roles/:id', (ctx) => {
    ctx.sendJson(200, toRoleView(roles.require(numericId(ctx, 'id', 'role'))));
  }, ADMIN);
  api.put('/roles/:id', async (ctx) => {
    const id = numericId(ctx, 'id', 'role');
    ctx.sendJson(200, toRoleView(await roles.update(id, roleInput(await readObject(ctx), true))));
  }, ADMIN);
  api.delete('/roles/:id', async (ctx) => {
    await roles.remove(numericId(ctx, 'id', 'role'));
    ctx.noContent();
  }, ADMIN);
}
