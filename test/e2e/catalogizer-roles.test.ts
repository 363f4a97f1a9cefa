import t from 'tap';
import { rm } from 'node:fs/promises';
import { createUser, startCatalogizerDaemon } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');

t.test('roles CRUD, catalogue, system roles protected', async (t) => {
  const catalogue = await daemon.request('GET', '/api/v1/roles/permissions');
  t.equal(catalogue.status, 200);
  t.match(catalogue.body.user_management, { create_user: 'user.create', view_user: 'user.view', edit_user: 'user.update', delete_user: 'user.delete', manage_users: 'user.manage' });
  t.match(catalogue.body.system, { system_admin: 'system.admin', manage_settings: 'system.configure' });

  const list = await daemon.request('GET', '/api/v1/roles');
  t.same(list.body.map((r: any) => [r.id, r.name, r.is_system]), [[1, 'admin', true], [2, 'user', true]]);

  const sut = await daemon.request('POST', '/api/v1/roles', { name: 'editor', description: 'Content editor', permissions: ['media.view', 'media.edit', 'media.upload'] });
  t.equal(sut.status, 201);
  t.match(sut.body, { name: 'editor', description: 'Content editor', permissions: ['media.view', 'media.edit', 'media.upload'], is_system: false });
  const id = sut.body.id;
  t.equal((await daemon.request('POST', '/api/v1/roles', { name: 'editor', permissions: [] })).status, 409);
  const bad = await daemon.request('POST', '/api/v1/roles', { name: 'x', permissions: ['not.a.permission'] });
  t.equal(bad.status, 400);
  t.equal((await daemon.request('GET', `/api/v1/roles/${id}`)).body.name, 'editor');
  t.equal((await daemon.request('GET', '/api/v1/roles/abc')).status, 400);
  t.equal((await daemon.request('GET', '/api/v1/roles/777')).status, 404);

  const updated = await daemon.request('PUT', `/api/v1/roles/${id}`, { description: 'Updated', permissions: ['media.view', 'media.edit', 'media.upload', 'media.delete'] });
  t.equal(updated.status, 200);
  t.equal(updated.body.permissions.length, 4);

  t.equal((await daemon.request('PUT', '/api/v1/roles/1', { description: 'mine now' })).status, 403, 'system role cannot be modified');
  t.equal((await daemon.request('DELETE', '/api/v1/roles/2')).status, 403, 'system role cannot be deleted');

  const userId = await createUser(daemon, 'eddie', 'eddie-password', id);
  const inUse = await daemon.request('DELETE', `/api/v1/roles/${id}`);
  t.equal(inUse.status, 409);
  t.equal(inUse.body.error, 'Cannot delete role that is assigned to users');
  await daemon.request('DELETE', `/api/v1/users/${userId}`);
  t.equal((await daemon.request('DELETE', `/api/v1/roles/${id}`)).status, 204);
  t.equal((await daemon.request('GET', `/api/v1/roles/${id}`)).status, 404);
});
