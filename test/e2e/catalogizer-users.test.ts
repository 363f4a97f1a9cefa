import t from 'tap';
import { rm } from 'node:fs/promises';
import { createUser, startCatalogizerDaemon, v1Login } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');

t.test('create, list, get, update, delete', async (t) => {
  const body = {
    username: 'johndoe', email: 'john@example.com', password: 'securepassword123', role_id: 2, first_name: 'John', last_name: 'Doe',
    display_name: 'John D.', time_zone: 'America/New_York', language: 'en', is_active: true,
  };
  const sut = await daemon.request('POST', '/api/v1/users', body);
  t.equal(sut.status, 201);
  t.match(sut.body, { username: 'johndoe', email: 'john@example.com', role_id: 2, first_name: 'John', display_name: 'John D.', time_zone: 'America/New_York', language: 'en', is_active: true, is_locked: false, settings: '{}' });
  const id = sut.body.id;
  t.equal((await daemon.request('POST', '/api/v1/users', body)).status, 409, 'duplicate username');
  t.equal((await daemon.request('POST', '/api/v1/users', { ...body, username: 'other', password: 'x' })).status, 409, 'duplicate email');
  const weak = await daemon.request('POST', '/api/v1/users', { ...body, username: 'weak', email: 'weak@example.com', password: 'x' });
  t.equal(weak.status, 400, 'password policy');
  t.equal((await daemon.request('POST', '/api/v1/users', { ...body, username: 'r', email: 'r@example.com', role_id: 999 })).status, 400, 'unknown role');

  const page = await daemon.request('GET', '/api/v1/users?limit=1&offset=1');
  t.equal(page.status, 200);
  t.match(page.body, { total_count: 2, limit: 1, offset: 1 });
  t.equal(page.body.users.length, 1);
  t.equal(page.body.users[0].username, 'johndoe');
  t.match(page.body.users[0].role, { id: 2, name: 'user' });
  t.equal((await daemon.request('GET', '/api/v1/users?limit=500')).body.limit, 50, 'limit beyond 100 falls back to 50');

  const got = await daemon.request('GET', `/api/v1/users/${id}`);
  t.equal(got.body.username, 'johndoe');
  t.equal((await daemon.request('GET', '/api/v1/users/abc')).status, 400);
  t.equal((await daemon.request('GET', '/api/v1/users/abc')).body.error, 'Invalid user ID');
  t.equal((await daemon.request('GET', '/api/v1/users/9999')).status, 404);

  const updated = await daemon.request('PUT', `/api/v1/users/${id}`, { first_name: 'Johnny', settings: { theme: 'dark' }, email: 'johnny@example.com' });
  t.equal(updated.status, 200);
  t.match(updated.body, { first_name: 'Johnny', email: 'johnny@example.com', settings: '{"theme":"dark"}' });

  const self = await daemon.request('DELETE', '/api/v1/users/1');
  t.equal(self.status, 400);
  t.equal(self.body.error, 'Cannot delete your own account');
  const del = await daemon.request('DELETE', `/api/v1/users/${id}`);
  t.equal(del.status, 204);
  t.equal((await daemon.request('GET', `/api/v1/users/${id}`)).status, 404);
});

t.test('self vs others: view and update own profile; role and is_active need user.manage', async (t) => {
  const aliceId = await createUser(daemon, 'alice', 'alice-password');
  const bobId = await createUser(daemon, 'bob', 'bob-password');
  const alice = await v1Login(daemon, 'alice', 'alice-password');
  t.equal((await daemon.request('GET', `/api/v1/users/${aliceId}`, undefined, alice.session_token)).status, 200, 'own profile');
  t.equal((await daemon.request('GET', `/api/v1/users/${bobId}`, undefined, alice.session_token)).status, 403, 'another user needs user.view');
  const own = await daemon.request('PUT', `/api/v1/users/${aliceId}`, { last_name: 'Liddell', role_id: 2, is_active: true }, alice.session_token);
  t.equal(own.status, 200, 'unchanged role_id/is_active are accepted');
  t.equal(own.body.last_name, 'Liddell');
  const promote = await daemon.request('PUT', `/api/v1/users/${aliceId}`, { role_id: 1 }, alice.session_token);
  t.equal(promote.status, 403, 'changing own role needs user.manage');
  t.equal(promote.body.code, 'PERMISSION_DENIED');
  t.equal((await daemon.request('PUT', `/api/v1/users/${bobId}`, { first_name: 'X' }, alice.session_token)).status, 403);
});

t.test('lock and unlock: locked users cannot log in and their sessions die; reset password', async (t) => {
  const carolId = await createUser(daemon, 'carol', 'carol-password');
  const carol = await v1Login(daemon, 'carol', 'carol-password');
  t.equal((await daemon.request('POST', `/api/v1/users/${carolId}/lock`, { lock_until: 'tomorrow' })).status, 400);
  const lockSelf = await daemon.request('POST', '/api/v1/users/1/lock', { lock_until: new Date(Date.now() + 3_600_000).toISOString() });
  t.equal(lockSelf.status, 400);
  const until = new Date(Date.now() + 3_600_000).toISOString();
  const lock = await daemon.request('POST', `/api/v1/users/${carolId}/lock`, { lock_until: until });
  t.same(lock.body, { message: 'Account locked successfully' });
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, carol.session_token)).status, 401, 'session died');
  const refused = await daemon.request('POST', '/api/v1/auth/login', { username: 'carol', password: 'carol-password' }, null);
  t.equal(refused.status, 401);
  t.equal(refused.body.error, 'account is temporarily locked');
  const other = await daemon.request('POST', '/api/auth/login', { username: 'carol', password: 'carol-password' }, null);
  t.not(other.status, 200, 'the other surfaces refuse the locked user too');
  const view = await daemon.request('GET', `/api/v1/users/${carolId}`);
  t.match(view.body, { is_locked: true, is_active: true });
  t.equal(Date.parse(view.body.locked_until), Date.parse(until));

  const unlock = await daemon.request('POST', `/api/v1/users/${carolId}/unlock`);
  t.same(unlock.body, { message: 'Account unlocked successfully' });
  await v1Login(daemon, 'carol', 'carol-password');

  const shortLock = await daemon.request('POST', `/api/v1/users/${carolId}/lock`, { lock_until: new Date(Date.now() + 1500).toISOString() });
  t.equal(shortLock.status, 200);
  await new Promise((r) => setTimeout(r, 1800));
  const relogin = await v1Login(daemon, 'carol', 'carol-password');
  t.type(relogin.session_token, 'string', 'a timed lock lifts itself: carol logs in again');

  const reset = await daemon.request('POST', `/api/v1/users/${carolId}/reset-password`, { new_password: 'brand-new-password' });
  t.same(reset.body, { message: 'Password reset successfully' });
  t.equal((await daemon.request('POST', '/api/v1/auth/login', { username: 'carol', password: 'carol-password' }, null)).status, 401);
  await v1Login(daemon, 'carol', 'brand-new-password');

  const deactivate = await daemon.request('PUT', `/api/v1/users/${carolId}`, { is_active: false });
  t.equal(deactivate.body.is_active, false);
  const disabled = await daemon.request('POST', '/api/v1/auth/login', { username: 'carol', password: 'brand-new-password' }, null);
  t.equal(disabled.body.error, 'account is disabled');
  await daemon.request('PUT', `/api/v1/users/${carolId}`, { is_active: true });
  await v1Login(daemon, 'carol', 'brand-new-password');
});
