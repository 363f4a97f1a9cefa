/** UserService and RoleService over a real LMDB index: CRUD rules, last-admin guards, roles. */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { derivePaths } from '../../daemon/config/paths.js';
import { createAuthServices } from '../../daemon/services/auth/create-auth.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import type { ServerEvent } from '../../daemon/domain/ports.js';
import { ALL_PERMISSIONS, PERMISSION_CATALOGUE, expandPermissions } from '../../daemon/services/users/permissions.js';

const FAST = { N: 2 ** 12, r: 8, p: 1, keyLen: 32 };
const META = { ip: '127.0.0.1' };

async function setupSut(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-users-'));
  const paths = derivePaths(dir);
  const store = await openIndexStore({ path: paths.indexDir });
  const bus = new InProcessEventBus();
  const events: ServerEvent[] = [];
  bus.on((e) => events.push(e));
  const services = await createAuthServices({
    store, secretKeyFile: paths.secretKeyFile, bus, scrypt: FAST, throttle: { ipAttempts: 1000 },
  });
  t.teardown(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  return { ...services, sut: services.users, store, events };
}

t.test('create: username rules, uniqueness, password policy, role must exist', async (t) => {
  const { sut, events } = await setupSut(t);
  const alice = await sut.create({ username: 'alice', password: 'alice-pw', email: 'alice@example.org', displayName: 'Alice' });
  t.match(alice, { username: 'alice', role: 'user', isAdmin: false, email: 'alice@example.org', displayName: 'Alice', locked: false });
  t.notOk('passwordHash' in alice);
  await t.rejects(sut.create({ username: 'ALICE', password: 'another' }), { code: 'CONFLICT', publicCode: 'USERNAME_TAKEN' });
  for (const bad of ['ab', 'has space', 'x'.repeat(65), 'semi;colon', '']) {
    await t.rejects(sut.create({ username: bad, password: 'secret1' }), { code: 'VALIDATION' }, `username ${JSON.stringify(bad)}`);
  }
  t.ok(await sut.create({ username: 'b.o_b@home-1', password: 'secret1' }), 'allowed characters');
  await t.rejects(sut.create({ username: 'carol', password: 'short' }), { code: 'VALIDATION', message: /at least 6/ });
  await t.rejects(sut.create({ username: 'carol', password: 'secret1', role: 'wizard' }), { code: 'VALIDATION', message: /Unknown role/ });
  await t.rejects(sut.create({ username: 'carol', password: 'secret1', email: 'not-an-email' }), { code: 'VALIDATION' });
  t.equal(sut.list().length, 2);
  t.equal(events.filter((e) => e.type === 'users.changed' && e.change === 'created').length, 2);
});

t.test('update, lock, reset password: access is revoked', async (t) => {
  const { sut, auth, events } = await setupSut(t);
  await auth.setup({ password: 'secret1' });
  const bob = await sut.create({ username: 'bob', password: 'bob-pw1' });
  const session = await auth.login({ username: 'bob', password: 'bob-pw1' }, META);
  const updated = await sut.update(bob.id, { displayName: 'Bobby', email: 'bob@example.org' });
  t.match(updated, { displayName: 'Bobby', email: 'bob@example.org' });
  t.ok(await auth.authenticate({ bearerToken: session.token }), 'profile edits keep sessions');
  t.equal((await sut.update(bob.id, { email: null })).email, undefined, 'null clears a field');

  await sut.resetPassword(bob.id, 'bob-pw2');
  t.equal(await auth.authenticate({ bearerToken: session.token }), undefined, 'reset revokes sessions');
  await t.rejects(auth.login({ username: 'bob', password: 'bob-pw1' }, META), { code: 'UNAUTHORIZED' });
  const again = await auth.login({ username: 'bob', password: 'bob-pw2' }, META);
  await t.rejects(sut.resetPassword(bob.id, 'tiny'), { code: 'VALIDATION' });

  await sut.update(bob.id, { locked: true });
  t.equal(sut.get(bob.id).locked, true);
  t.equal(await auth.authenticate({ bearerToken: again.token }), undefined, 'lock revokes sessions');
  t.ok(events.some((e) => e.type === 'users.changed' && e.change === 'updated' && e.userId === bob.id));
  await t.rejects(sut.update(9999, { locked: true }), { code: 'NOT_FOUND' });
  t.throws(() => sut.get(9999), { code: 'NOT_FOUND' });
});

t.test('the last admin cannot be removed, demoted or locked', async (t) => {
  const { sut, auth, store } = await setupSut(t);
  const admin = await auth.setup({ password: 'secret1' });
  await t.rejects(sut.remove(admin.id), { code: 'CONFLICT', publicCode: 'LAST_ADMIN' });
  await t.rejects(sut.update(admin.id, { role: 'user' }), { code: 'CONFLICT', publicCode: 'LAST_ADMIN' });
  await t.rejects(sut.update(admin.id, { locked: true }), { code: 'CONFLICT', publicCode: 'LAST_ADMIN' });
  const second = await sut.create({ username: 'admin2', password: 'secret2', role: 'admin' });
  const s = await auth.login({ username: 'admin2', password: 'secret2' }, META);
  await sut.update(second.id, { role: 'user' });
  t.equal(sut.get(second.id).isAdmin, false, 'demoted while another admin exists');
  t.equal(await auth.authenticate({ bearerToken: s.token }), undefined, 'demotion revokes admin sessions');
  await sut.update(second.id, { role: 'admin' });
  await sut.remove(admin.id);
  t.equal(store.users.get(admin.id), undefined);
  t.equal(sut.firstAdmin()?.id, second.id);
  await t.rejects(sut.remove(second.id), { code: 'CONFLICT' });
});

t.test('remove revokes sessions and frees the username', async (t) => {
  const { sut, auth, events } = await setupSut(t);
  await auth.setup({ password: 'secret1' });
  const dave = await sut.create({ username: 'dave', password: 'dave-pw' });
  const s = await auth.login({ username: 'dave', password: 'dave-pw' }, META);
  await sut.remove(dave.id);
  t.equal(await auth.authenticate({ bearerToken: s.token }), undefined);
  t.ok(events.some((e) => e.type === 'users.changed' && e.change === 'removed' && e.userId === dave.id));
  t.ok(await sut.create({ username: 'Dave', password: 'dave-pw2' }));
  await t.rejects(sut.remove(dave.id), { code: 'NOT_FOUND' });
});

t.test('roles: system roles fixed, custom roles CRUD, permissions validated', async (t) => {
  const { roles: sut, users } = await setupSut(t);
  t.same(sut.list().map((r) => [r.id, r.name, r.isSystem]), [[1, 'admin', true], [2, 'user', true]]);
  t.same([...sut.permissionsFor('admin')], ['*']);
  t.ok(sut.permissionsFor('user').has('media.view'));
  t.notOk(sut.permissionsFor('user').has('user.manage'));
  t.equal(sut.permissionsFor('nonexistent').size, 0, 'unknown role grants nothing');

  await t.rejects(sut.update('admin', { permissions: [] }), { code: 'FORBIDDEN', publicCode: 'SYSTEM_ROLE' });
  await t.rejects(sut.remove('user'), { code: 'FORBIDDEN' });
  await t.rejects(sut.create({ name: 'Admin', permissions: [] }), { code: 'CONFLICT' }, 'names are case-insensitive');
  await t.rejects(sut.create({ name: 'x', permissions: ['media.fly'] }), { code: 'VALIDATION', message: /media\.fly/ });
  await t.rejects(sut.create({ name: 'x', permissions: ['nothing*'] }), { code: 'VALIDATION' });
  await t.rejects(sut.create({ name: '', permissions: [] }), { code: 'VALIDATION' });

  const editor = await sut.create({ name: 'editor', description: 'Edits', permissions: ['media.edit', 'share.*'] });
  t.equal(editor.id, 100);
  t.same([...sut.permissionsFor('editor')].sort(), ['media.edit', 'share.create', 'share.delete', 'share.edit', 'share.view']);
  t.equal(sut.get(100)?.name, 'editor');
  t.equal(sut.get('EDITOR')?.id, 100);

  const u = await users.create({ username: 'erin', password: 'erin-pw', role: 'Editor' });
  t.equal(u.role, 'editor', 'role name canonicalised');
  await t.rejects(sut.remove('editor'), { code: 'CONFLICT', publicCode: 'ROLE_IN_USE' });
  const renamed = await sut.update(editor.id, { name: 'curator', permissions: ['media.view'] });
  t.equal(renamed.name, 'curator');
  t.equal(users.get(u.id).role, 'curator', 'users follow a rename');
  t.same([...sut.permissionsFor('curator')], ['media.view']);
  await users.update(u.id, { role: 'user' });
  await sut.remove('curator');
  t.equal(sut.get('curator'), undefined);
  const next = await sut.create({ name: 'viewer', permissions: [] });
  t.equal(next.id, 101, 'ids are not reused');
  await t.rejects(sut.update(999, { name: 'x' }), { code: 'NOT_FOUND' });
});

t.test('permission catalogue is Catalogizer\'s plus Alcove extras', async (t) => {
  t.equal(PERMISSION_CATALOGUE.user_management.manage_users, 'user.manage');
  t.equal(PERMISSION_CATALOGUE.role_management.manage_roles, 'system.admin');
  for (const p of ['media.view', 'media.delete', 'share.create', 'analytics.export', 'system.configure', 'user.delete', 'media.stream']) {
    t.ok(ALL_PERMISSIONS.includes(p), p);
  }
  t.same([...expandPermissions(['user.*', 'media.view'])].sort(), ['media.view', 'user.create', 'user.delete', 'user.manage', 'user.update', 'user.view']);
});
