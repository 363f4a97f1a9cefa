import t from 'tap';
import { rm } from 'node:fs/promises';
import { startCatalogizerDaemon, v1Login } from './catalogizer-helpers.js';

const { daemon, configDir } = await startCatalogizerDaemon();
t.teardown(async () => { await daemon.stop(); await rm(configDir, { recursive: true, force: true }); });
await daemon.loginAdmin('admin-password');

t.test('login: documented body and answer; errors in the common body', async (t) => {
  const bad = await daemon.fetch('/api/v1/auth/login', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' }, token: null });
  t.equal(bad.status, 400);
  const badBody = await bad.json() as any;
  t.match(badBody, { success: false, error: 'Invalid request format', code: 'INVALID_REQUEST' });

  const wrong = await daemon.request('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope-nope' }, null);
  t.equal(wrong.status, 401);
  t.match(wrong.body, { success: false, error: 'invalid credentials', code: 'INVALID_CREDENTIALS' });

  const sut = await daemon.request('POST', '/api/v1/auth/login', {
    username: 'admin', password: 'admin-password', device_info: { device_type: 'desktop', platform: 'linux', app_version: '3.0.0' }, remember_me: true,
  }, null);
  t.equal(sut.status, 200);
  t.same(Object.keys(sut.body).sort(), ['expires_at', 'refresh_token', 'session_token', 'user']);
  t.match(sut.body.user, { id: 1, username: 'admin', role_id: 1, role: { id: 1, name: 'admin', permissions: ['*'] }, is_active: true });
  t.ok(Date.parse(sut.body.expires_at) > Date.now(), 'expires_at is a future RFC 3339 time');
  t.not(sut.body.session_token, sut.body.refresh_token);
});

t.test('register: validation, 201 user without role, 409 on duplicates, login by email', async (t) => {
  const invalid = await daemon.request('POST', '/api/v1/auth/register', { username: 'x', email: 'not-an-email', password: 'short' }, null);
  t.equal(invalid.status, 400);
  t.equal(invalid.body.code, 'VALIDATION_FAILED');
  t.ok(Array.isArray(invalid.body.details), 'details list each field');
  t.ok(invalid.body.details.some((d: any) => d.field === 'email'));
  t.ok(invalid.body.details.some((d: any) => d.field === 'password'));
  t.ok(invalid.body.details.some((d: any) => d.field === 'first_name'));

  const body = { username: 'newuser', email: 'newuser@example.com', password: 'securepassword', first_name: 'John', last_name: 'Doe' };
  const sut = await daemon.request('POST', '/api/v1/auth/register', body, null);
  t.equal(sut.status, 201);
  t.match(sut.body, { username: 'newuser', email: 'newuser@example.com', role_id: 2, first_name: 'John', last_name: 'Doe', is_active: true });
  t.notOk('role' in sut.body, 'registration answers the user without role');
  t.notOk(JSON.stringify(sut.body).includes('securepassword'));

  const dupName = await daemon.request('POST', '/api/v1/auth/register', { ...body, email: 'other@example.com' }, null);
  t.equal(dupName.status, 409);
  t.equal(dupName.body.error, 'Username already exists');
  const dupMail = await daemon.request('POST', '/api/v1/auth/register', { ...body, username: 'newuser2' }, null);
  t.equal(dupMail.status, 409);
  t.equal(dupMail.body.error, 'Email already exists');

  const byEmail = await v1Login(daemon, 'newuser@example.com', 'securepassword');
  t.equal(byEmail.user.username, 'newuser');
  t.match(byEmail.user.role, { id: 2, name: 'user' });
});

t.test('me, profile, permissions, status', async (t) => {
  const login = await v1Login(daemon, 'newuser', 'securepassword');
  const me = await daemon.request('GET', '/api/v1/auth/me', undefined, login.session_token);
  t.equal(me.status, 200);
  t.equal(me.body.username, 'newuser');
  const profile = await daemon.request('GET', '/api/v1/auth/profile', undefined, login.session_token);
  t.same(profile.body, me.body);
  const perms = await daemon.request('GET', '/api/v1/auth/permissions', undefined, login.session_token);
  t.equal(perms.body.is_admin, false);
  t.equal(perms.body.role, 'user');
  t.ok(perms.body.permissions.includes('media.view'));
  t.notOk(perms.body.permissions.includes('user.manage'));
  const adminPerms = await daemon.request('GET', '/api/v1/auth/permissions');
  t.same(adminPerms.body, { is_admin: true, permissions: ['*'], role: 'admin' });

  const anon = await daemon.request('GET', '/api/v1/auth/status', undefined, null);
  t.same(anon.body, { authenticated: false });
  const garbage = await daemon.request('GET', '/api/v1/auth/status', undefined, 'garbage.token.here');
  t.same(garbage.body, { authenticated: false, error: 'invalid or expired token' });
  const status = await daemon.request('GET', '/api/v1/auth/status', undefined, login.session_token);
  t.equal(status.body.authenticated, true);
  t.equal(status.body.user.username, 'newuser');

  const noAuth = await daemon.request('GET', '/api/v1/auth/me', undefined, null);
  t.equal(noAuth.status, 401);
  t.equal(noAuth.body.success, false);
});

t.test('refresh rotates; reusing a used refresh token revokes the family', async (t) => {
  const first = await v1Login(daemon, 'newuser', 'securepassword');
  const other = await v1Login(daemon, 'newuser', 'securepassword');
  const second = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: first.refresh_token }, null);
  t.equal(second.status, 200);
  t.ok(second.body.session_token && second.body.refresh_token && second.body.expires_at);
  t.not(second.body.refresh_token, first.refresh_token);
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, first.session_token)).status, 401, 'old access token died with rotation');
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, second.body.session_token)).status, 200);

  const third = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: second.body.refresh_token }, null);
  t.equal(third.status, 200, 'the rotated token works once');

  const reuse = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: first.refresh_token }, null);
  t.equal(reuse.status, 401);
  t.equal(reuse.body.code, 'REFRESH_TOKEN_REUSED');
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, third.body.session_token)).status, 401, 'the family is revoked');
  const afterFamily = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: third.body.refresh_token }, null);
  t.equal(afterFamily.status, 401, 'the newest refresh token of the family is dead too');
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, other.session_token)).status, 200, 'another login of the same user is untouched');

  const garbage = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: 'garbage' }, null);
  t.equal(garbage.status, 401);
  t.equal(garbage.body.error, 'invalid refresh token');
  const malformed = await daemon.request('POST', '/api/v1/auth/refresh', {}, null);
  t.equal(malformed.status, 400);
});

t.test('logout kills the session', async (t) => {
  const login = await v1Login(daemon, 'newuser', 'securepassword');
  const noToken = await daemon.request('POST', '/api/v1/auth/logout', undefined, null);
  t.equal(noToken.status, 401);
  const sut = await daemon.request('POST', '/api/v1/auth/logout', undefined, login.session_token);
  t.equal(sut.status, 200);
  t.same(sut.body, { message: 'Logged out successfully' });
  t.equal((await daemon.request('GET', '/api/v1/auth/me', undefined, login.session_token)).status, 401);
  const refresh = await daemon.request('POST', '/api/v1/auth/refresh', { refresh_token: login.refresh_token }, null);
  t.equal(refresh.status, 401);
});

t.test('registration closes live; auth rate limit answers 429 with Retry-After', async (t) => {
  const closed = await daemon.request('PUT', '/api/v1/configuration', { auth: { registration: 'closed' } });
  t.equal(closed.status, 200);
  const refused = await daemon.request('POST', '/api/v1/auth/register', { username: 'late', email: 'late@example.com', password: 'securepassword', first_name: 'A', last_name: 'B' }, null);
  t.equal(refused.status, 403);
  t.equal(refused.body.code, 'REGISTRATION_DISABLED');

  const lowered = await daemon.request('PUT', '/api/v1/configuration', { rateLimits: { authPerMinute: 3 } });
  t.equal(lowered.status, 200);
  const statuses: number[] = [];
  let limited: any;
  for (let i = 0; i < 4; i++) {
    const res = await daemon.request('GET', '/api/v1/auth/status', undefined, null);
    statuses.push(res.status);
    if (res.status === 429) limited = res;
  }
  t.same(statuses, [200, 200, 200, 429]);
  t.ok(Number(limited.headers.get('retry-after')) >= 1);
  t.match(limited.body, { success: false, code: 'RATE_LIMITED' });
  t.ok(limited.body.retry_after >= 1);
  const restored = await daemon.request('PUT', '/api/v1/configuration', { rateLimits: { authPerMinute: 10000 } });
  t.equal(restored.status, 200);
  t.equal((await daemon.request('GET', '/api/v1/auth/status', undefined, null)).status, 200);
});
