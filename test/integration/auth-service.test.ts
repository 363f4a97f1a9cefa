/**
 * AuthService over a real LMDB index in a temp dir: setup, login, sessions, throttling,
 * password changes, locking, tokens for the TUI and share links.
 */
import t from 'tap';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndexStore } from '../../daemon/index/lmdb-store.js';
import { derivePaths } from '../../daemon/config/paths.js';
import { createAuthServices, type AuthWiringOptions } from '../../daemon/services/auth/create-auth.js';
import { hasPermission } from '../../daemon/domain/auth.js';
import { InProcessEventBus } from '../../daemon/services/event-bus.js';
import type { ServerEvent } from '../../daemon/domain/ports.js';

const FAST = { N: 2 ** 12, r: 8, p: 1, keyLen: 32 };
const META = { ip: '10.0.0.5', userAgent: 'tap' };

function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

async function setupSut(t: { teardown(fn: () => unknown): void }, extra: Partial<AuthWiringOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'alcove-auth-'));
  const paths = derivePaths(dir);
  const clock = fakeClock();
  const store = await openIndexStore({ path: paths.indexDir, clock });
  const bus = new InProcessEventBus();
  const events: ServerEvent[] = [];
  bus.on((e) => events.push(e));
  const services = await createAuthServices({
    store, secretKeyFile: paths.secretKeyFile, localAdminTokenFile: paths.localAdminTokenFile,
    clock, bus, scrypt: FAST, throttle: { ipAttempts: 1000, maxFailures: 1000 }, ...extra,
  });
  t.teardown(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });
  return { ...services, sut: services.auth, store, clock, paths, events };
}

t.test('setup creates the first admin once', async (t) => {
  const { sut, events } = await setupSut(t);
  t.equal(sut.setupRequired(), true);
  await t.rejects(sut.setup({ password: '123' }), { code: 'VALIDATION', message: /at least 6/ });
  const admin = await sut.setup({ password: 'secret1' });
  t.match(admin, { username: 'admin', role: 'admin', isAdmin: true, locked: false });
  t.notOk('passwordHash' in admin, 'public view has no hash');
  t.equal(sut.setupRequired(), false);
  await t.rejects(sut.setup({ username: 'other', password: 'secret2' }), { code: 'FORBIDDEN', publicCode: 'SETUP_DONE', message: 'Setup already completed' });
  t.same(events.filter((e) => e.type === 'users.changed').length, 1);
});

t.test('concurrent setup creates exactly one admin', async (t) => {
  const { sut, store } = await setupSut(t);
  const results = await Promise.allSettled([
    sut.setup({ username: 'adm1', password: 'secret1' }), sut.setup({ username: 'adm2', password: 'secret1' }),
  ]);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  t.equal(store.users.countAdmins(), 1);
});

t.test('login with username, and password-only login picks the first admin', async (t) => {
  const { sut, users } = await setupSut(t);
  await sut.setup({ username: 'boss', password: 'secret1' });
  await users.create({ username: 'second-admin', password: 'other-secret', role: 'admin' });
  await users.create({ username: 'alice', password: 'alice-pw', role: 'user' });

  const byName = await sut.login({ username: 'ALICE', password: 'alice-pw' }, META);
  t.equal(byName.user.username, 'alice', 'usernames are case-insensitive');
  t.equal(byName.expiresIn, 7 * 24 * 3600);
  t.equal(byName.session.ip, META.ip);
  t.ok(byName.user.lastLoginAt);

  const passwordOnly = await sut.login({ password: 'secret1' }, META);
  t.equal(passwordOnly.user.username, 'boss');
  await t.rejects(sut.login({ password: 'other-secret' }, META), { code: 'UNAUTHORIZED', publicCode: 'INVALID_CREDENTIALS' },
    'password-only login is for the first admin only');

  const info = await sut.authenticate({ cookieToken: passwordOnly.token });
  t.equal(info?.user.id, passwordOnly.user.id);
  t.equal(info?.isAdmin, true);
});

t.test('wrong password and unknown user: same error, same cost', async (t) => {
  const { sut, users } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  await users.create({ username: 'alice', password: 'alice-pw' });
  const expected = { code: 'UNAUTHORIZED', publicCode: 'INVALID_CREDENTIALS', message: 'Invalid username or password' };
  await t.rejects(sut.login({ username: 'alice', password: 'nope-nope' }, META), expected);
  await t.rejects(sut.login({ username: 'nobody', password: 'nope-nope' }, META), expected);

  const time = async (username: string): Promise<number> => {
    const start = process.hrtime.bigint();
    await sut.login({ username, password: 'wrong-password' }, META).catch(() => undefined);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 20; i++) { known.push(await time('alice')); unknown.push(await time(`ghost${i}`)); }
  const ratio = median(known) / median(unknown);
  t.comment(`median wrong-password ${median(known).toFixed(2)} ms, unknown-user ${median(unknown).toFixed(2)} ms, ratio ${ratio.toFixed(2)}`);
  t.ok(ratio > 0.5 && ratio < 2, `timing ratio ${ratio.toFixed(2)} within 0.5..2`);
});

t.test('throttling: per user+IP failures and per IP attempts give 429 with retryAfter', async (t) => {
  const { sut, users, clock } = await setupSut(t, { throttle: { maxFailures: 3, failureWindowSec: 900, ipAttempts: 100, ipWindowSec: 60 } });
  await sut.setup({ password: 'secret1' });
  await users.create({ username: 'alice', password: 'alice-pw' });
  for (let i = 0; i < 3; i++) await t.rejects(sut.login({ username: 'alice', password: 'bad-bad' }, META), { code: 'UNAUTHORIZED' });
  await t.rejects(sut.login({ username: 'alice', password: 'alice-pw' }, META), { code: 'TOO_MANY', retryAfterSec: 900 },
    'even the right password is refused while blocked');
  const ok = await sut.login({ username: 'alice', password: 'alice-pw' }, { ip: '10.0.0.6' });
  t.equal(ok.user.username, 'alice', 'another IP is not blocked');
  clock.advance(600_000);
  await t.rejects(sut.login({ username: 'alice', password: 'alice-pw' }, META), { code: 'TOO_MANY', retryAfterSec: 300 });
  clock.advance(300_000);
  t.ok(await sut.login({ username: 'alice', password: 'alice-pw' }, META), 'window passed');

  // Success resets the counter: two failures, a success, two failures -> not blocked.
  for (let i = 0; i < 2; i++) await sut.login({ username: 'alice', password: 'bad-bad' }, META).catch(() => undefined);
  await sut.login({ username: 'alice', password: 'alice-pw' }, META);
  for (let i = 0; i < 2; i++) await sut.login({ username: 'alice', password: 'bad-bad' }, META).catch(() => undefined);
  t.ok(await sut.login({ username: 'alice', password: 'alice-pw' }, META));
});

t.test('throttling: attempts per IP', async (t) => {
  const { sut, clock } = await setupSut(t, { throttle: { ipAttempts: 5, ipWindowSec: 60, maxFailures: 100 } });
  await sut.setup({ password: 'secret1' });
  for (let i = 0; i < 5; i++) await sut.login({ password: 'secret1' }, META);
  await t.rejects(sut.login({ password: 'secret1' }, META), { code: 'TOO_MANY', retryAfterSec: 60, publicCode: 'RATE_LIMITED' });
  t.ok(await sut.login({ password: 'secret1' }, { ip: '10.9.9.9' }));
  clock.advance(60_000);
  t.ok(await sut.login({ password: 'secret1' }, META));
});

t.test('authenticate: bearer, cookie, query; garbage and revoked sessions are refused', async (t) => {
  const { sut } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  const { token, refreshToken, session } = await sut.login({ password: 'secret1' }, META);
  t.equal((await sut.authenticate({ bearerToken: token }))?.session.id, session.id);
  t.equal((await sut.authenticate({ queryToken: token }))?.session.id, session.id);
  t.equal((await sut.authenticate({ bearerToken: 'garbage', cookieToken: token }))?.session.id, session.id, 'first valid credential wins');
  t.equal(await sut.authenticate({ bearerToken: 'garbage' }), undefined);
  t.equal(await sut.authenticate({}), undefined);
  t.equal(await sut.authenticate({ bearerToken: refreshToken }), undefined, 'a refresh token is not an access token');
  await sut.logout(session.id);
  t.equal(await sut.authenticate({ bearerToken: token }), undefined, 'logout revokes the token');
});

t.test('sliding expiry: touched at most once a minute, extended, and sessions expire', async (t) => {
  const { sut, store, clock } = await setupSut(t, { session: { sessionTtlSec: 3600 } });
  await sut.setup({ password: 'secret1' });
  const { token, session } = await sut.login({ password: 'secret1' }, META);
  t.equal(session.expiresAt, clock.now() + 3600_000);
  clock.advance(30_000);
  await sut.authenticate({ bearerToken: token });
  t.equal(store.sessions.get(session.id)?.lastSeenAt, session.lastSeenAt, 'no write within the touch interval');
  clock.advance(40_000);
  const info = await sut.authenticate({ bearerToken: token });
  t.equal(info?.session.expiresAt, clock.now() + 3600_000, 'expiry slides');
  t.equal(store.sessions.get(session.id)?.expiresAt, clock.now() + 3600_000, 'and is stored');
  clock.advance(3600_000 + 1);
  t.equal(await sut.authenticate({ bearerToken: token }), undefined, 'idle past the ttl: expired');
  t.equal(await sut.purgeExpired(), 1);
  t.equal(store.sessions.get(session.id), undefined);
});

t.test('changing the password revokes other sessions, keeps the caller', async (t) => {
  const { sut } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  const mine = await sut.login({ password: 'secret1' }, META);
  const other = await sut.login({ password: 'secret1' }, { ip: '10.0.0.7' });
  await t.rejects(sut.changePassword(mine.user.id, 'wrong-one', 'newsecret'), { code: 'VALIDATION', publicCode: 'INVALID_CURRENT_PASSWORD' });
  await t.rejects(sut.changePassword(mine.user.id, 'secret1', '123'), { code: 'VALIDATION', message: /at least 6/ });
  t.ok(await sut.authenticate({ bearerToken: other.token }), 'failed attempts changed nothing');
  await sut.changePassword(mine.user.id, 'secret1', 'newsecret', mine.session.id);
  t.ok(await sut.authenticate({ bearerToken: mine.token }), "caller's session survives");
  t.equal(await sut.authenticate({ bearerToken: other.token }), undefined, 'other session died');
  await t.rejects(sut.login({ password: 'secret1' }, META), { code: 'UNAUTHORIZED' });
  t.ok(await sut.login({ password: 'newsecret' }, META));
});

t.test('locking a user kills their sessions and login', async (t) => {
  const { sut, users } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  const alice = await users.create({ username: 'alice', password: 'alice-pw' });
  const s = await sut.login({ username: 'alice', password: 'alice-pw' }, META);
  await users.update(alice.id, { locked: true });
  t.equal(await sut.authenticate({ bearerToken: s.token }), undefined);
  await t.rejects(sut.login({ username: 'alice', password: 'alice-pw' }, META), { code: 'FORBIDDEN', message: 'Account locked' });
  await t.rejects(sut.login({ username: 'alice', password: 'bad-pw' }, META), { code: 'UNAUTHORIZED' }, 'lock is not revealed without the password');
  await users.update(alice.id, { locked: false });
  t.ok(await sut.login({ username: 'alice', password: 'alice-pw' }, META));
});

t.test('refresh rotates the session', async (t) => {
  const { sut } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  const first = await sut.login({ password: 'secret1' }, META);
  const second = await sut.refresh(first.refreshToken, META);
  t.not(second.session.id, first.session.id);
  t.ok(await sut.authenticate({ bearerToken: second.token }));
  t.equal(await sut.authenticate({ bearerToken: first.token }), undefined, 'old access token died');
  await t.rejects(sut.refresh(first.refreshToken, META), { code: 'UNAUTHORIZED' }, 'old refresh token cannot be replayed');
  await t.rejects(sut.refresh(second.token, META), { code: 'UNAUTHORIZED' }, 'an access token is not a refresh token');
});

t.test('role permissions reach AuthInfo', async (t) => {
  const { sut, users, roles } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  await roles.create({ name: 'curator', permissions: ['media.*', 'user.view'] });
  await users.create({ username: 'carol', password: 'carol-pw', role: 'curator' });
  await users.create({ username: 'bob', password: 'bob-pw' });
  const admin = await sut.authenticate({ bearerToken: (await sut.login({ password: 'secret1' }, META)).token });
  const carol = await sut.authenticate({ bearerToken: (await sut.login({ username: 'carol', password: 'carol-pw' }, META)).token });
  const bob = await sut.authenticate({ bearerToken: (await sut.login({ username: 'bob', password: 'bob-pw' }, META)).token });
  t.ok(admin && hasPermission(admin, 'system.admin'));
  t.ok(carol && hasPermission(carol, 'media.delete'), 'media.* expanded');
  t.ok(carol && hasPermission(carol, 'user.view'));
  t.notOk(carol && hasPermission(carol, 'user.manage'));
  t.equal(carol?.isAdmin, false);
  t.ok(bob && hasPermission(bob, 'media.stream'));
  t.notOk(bob && hasPermission(bob, 'media.delete'));
  t.notOk(bob && hasPermission(bob, 'system.admin'));
});

t.test('local admin token file for the TUI', async (t) => {
  const { sut, paths, store } = await setupSut(t);
  t.equal(await sut.createLocalAdminToken(), undefined, 'no admin yet');
  await sut.setup({ password: 'secret1' });
  const first = await sut.createLocalAdminToken();
  t.ok(first);
  t.equal((await stat(paths.localAdminTokenFile)).mode & 0o777, 0o600);
  const token = (await readFile(paths.localAdminTokenFile, 'utf8')).trim();
  const info = await sut.authenticate({ bearerToken: token });
  t.equal(info?.session.kind, 'cli');
  t.equal(info?.isAdmin, true);
  const second = await sut.createLocalAdminToken();
  t.equal(await sut.authenticate({ bearerToken: token }), undefined, 'the replaced token is revoked');
  t.ok(await sut.authenticate({ bearerToken: second!.token }));
  t.equal(store.sessions.listForUser(info!.user.id).filter((s) => s.kind === 'cli').length, 1);
});

t.test('share tokens are scoped, expire, and never authenticate a request', async (t) => {
  const { sut, clock, users } = await setupSut(t);
  const admin = await sut.setup({ password: 'secret1' });
  const grant = await sut.issueShareToken(admin.id, 600, 'item:42');
  t.match(await sut.verifyShareToken(grant.token), { userId: admin.id, scope: 'item:42' });
  t.equal(await sut.authenticate({ queryToken: grant.token }), undefined);
  clock.advance(601_000);
  t.equal(await sut.verifyShareToken(grant.token), undefined, 'expired');
  const other = await sut.issueShareToken(admin.id, 600, 'item:1');
  await sut.revokeUserSessions(admin.id);
  t.equal(await sut.verifyShareToken(other.token), undefined, 'revocable');
  await t.rejects(sut.issueShareToken(admin.id, 0, 'x'), { code: 'VALIDATION' });
  await t.rejects(sut.issueShareToken(999, 60, 'x'), { code: 'UNAUTHORIZED' });
  t.equal(users.list().length, 1);
});

t.test('weak hashes are upgraded on login', async (t) => {
  const { sut, store, paths, clock } = await setupSut(t);
  await sut.setup({ password: 'secret1' });
  const stronger = { N: 2 ** 13, r: 8, p: 1, keyLen: 32 };
  const upgraded = await createAuthServices({ store, secretKeyFile: paths.secretKeyFile, clock, scrypt: stronger });
  const result = await upgraded.auth.login({ password: 'secret1' }, META);
  t.match(store.users.get(result.user.id)?.passwordHash, /^scrypt\$8192\$/);
  t.ok(await upgraded.auth.login({ password: 'secret1' }, META));
});
